/**
 * Several inputs in one request (SageMaker's MultiRecord batch strategy), for image
 * folders: k images go as one `{"images": [k items]}` body, and the answer is split back
 * into k answers when it holds exactly one array of k items (`{"predictions": [k]}` →
 * k × `{"predictions": [1]}`, the other fields kept on each). An answer that does not
 * split, or a refused pack, is resent one input at a time, so a bad image still becomes
 * an error line of its own.
 */

/** The one body for k single-image bodies, or undefined when they are not all `{"images": [one]}`. */
export function packImages(bodies: unknown[]): { images: unknown[] } | undefined {
  const images: unknown[] = [];
  for (const b of bodies) {
    const list = (b as { images?: unknown }).images;
    if (!Array.isArray(list) || list.length !== 1 || Object.keys(b as object).length !== 1) return undefined;
    images.push(list[0]);
  }
  return { images };
}

/** k answers out of one, or undefined when it does not hold exactly one array of k items. */
export function splitAnswer(output: unknown, k: number): unknown[] | undefined {
  if (!output || typeof output !== 'object' || Array.isArray(output)) return undefined;
  const arrays = Object.entries(output as Record<string, unknown>).filter(([, v]) => Array.isArray(v) && v.length === k);
  if (arrays.length !== 1) return undefined;
  const [field, list] = arrays[0] as [string, unknown[]];
  return list.map((item) => ({ ...(output as object), [field]: [item] }));
}
