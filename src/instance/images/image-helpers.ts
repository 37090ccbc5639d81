/**
 * The image toolkit handed to Node handlers (`ctx.images`) and used by the built-in
 * image handler: item → bytes under the instance's policy, bytes → pixels → tensor.
 */
import { DomainError } from '../../contracts/errors.js';
import type { ImagePolicy } from './image-policy.js';
import { imageBytes, imageList } from './image-source.js';
import { decodePixels, imageElements, imageShape, pixelsToTensor, type ImagePreprocess } from './image-tensor.js';

export interface ImageHelpers {
  readonly policy: Readonly<ImagePolicy>;
  /** `body.images`, checked: an array of 1..maxImagesPerRequest items */
  list(body: unknown): unknown[];
  /** one item (URL, data URI, base64) → bytes; errors are 400s naming `where` */
  bytes(item: unknown, where: string): Promise<Buffer>;
  /** all items → bytes, in parallel; errors name `images[i]` */
  loadAll(items: unknown[]): Promise<Buffer[]>;
  /** bytes → resized HWC uint8 pixels */
  pixels(bytes: Buffer, where: string, p: Pick<ImagePreprocess, 'width' | 'height' | 'resize' | 'channels'>): Promise<Buffer>;
  /** items → one batch tensor `{data, shape}` ready for onnxruntime */
  tensor(items: unknown[], p: ImagePreprocess): Promise<{ data: Float32Array | Uint16Array; shape: number[] }>;
}

export function createImageHelpers(policy: ImagePolicy): ImageHelpers {
  const helpers: ImageHelpers = {
    policy: Object.freeze({ ...policy }),
    list: (body) => imageList(body, policy),
    bytes: (item, where) => imageBytes(item, where, policy),
    loadAll: (items) => eachImage(items, (it, where) => imageBytes(it, where, policy)),
    pixels: (bytes, where, p) => decodePixels(bytes, where, p, policy),
    async tensor(items, p) {
      const pixels = await eachImage(items, async (it, where) => decodePixels(await imageBytes(it, where, policy), where, p, policy));
      const per = imageElements(p);
      const data = p.dtype === 'FP16' ? new Uint16Array(per * items.length) : new Float32Array(per * items.length);
      pixels.forEach((px, i) => pixelsToTensor(px, p, data, i * per));
      return { data, shape: imageShape(p, items.length) };
    },
  };
  return helpers;
}

/**
 * Runs `fn` over every item; when any fails, throws the lowest-index failure, with every
 * failure listed in `details.items` (so the caller learns all bad items at once).
 */
export async function eachImage<T>(items: unknown[], fn: (item: unknown, where: string) => Promise<T>): Promise<T[]> {
  const settled = await Promise.allSettled(items.map((it, i) => fn(it, `images[${i}]`)));
  const failures = settled.flatMap((s, index) => (s.status === 'rejected' ? [{ index, error: s.reason as Error & { code?: string; details?: unknown } }] : []));
  if (failures.length === 0) return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  const first = failures[0]!.error;
  if (first instanceof DomainError) {
    throw new DomainError(first.code, first.message, {
      items: failures.map((f) => ({ index: f.index, code: f.error.code ?? 'INVALID_INPUT', message: f.error.message })),
    });
  }
  throw first;
}
