/**
 * Whether a shadow version's answer agrees with the primary's (shadow traffic,
 * docs/shadow.md). Runs when the shadow answers, never on the caller's path: the primary's
 * answer has long been sent by then, so parsing both JSON bodies here costs the caller
 * nothing.
 *
 * Rules: different statuses disagree. JSON answers (both `application/json` or `+json`)
 * are parsed and compared deep-equal, objects regardless of key order; two numbers that
 * are both integers must be equal, any other pair of numbers may differ by a relative
 * FLOAT_TOLERANCE (two runtimes or builds seldom give bit-identical floats). Other answers
 * agree only byte for byte; different bytes of a non-JSON answer are `uncompared` (the
 * gateway cannot tell what they mean). The parse runs on the gateway's event loop, after
 * the caller was answered but beside other calls: bodies over MAX_COMPARE_BYTES (1 MiB, a
 * few ms of JSON.parse) are not parsed, so a big answer cannot stall the calls in flight.
 */
export interface Comparable {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

export type Verdict = 'match' | 'mismatch' | 'uncompared';

/** |a − b| ≤ FLOAT_TOLERANCE · max(|a|, |b|), or both within FLOAT_ABSOLUTE of each other (near zero) */
export const FLOAT_TOLERANCE = 1e-5;
export const FLOAT_ABSOLUTE = 1e-12;
export const MAX_COMPARE_BYTES = 1024 * 1024;

export function compareAnswers(primary: Comparable, shadow: Comparable): Verdict {
  if (primary.status !== shadow.status) return 'mismatch';
  if (primary.body.equals(shadow.body)) return 'match';
  if (!isJson(primary.contentType) || !isJson(shadow.contentType)) return 'uncompared';
  if (primary.body.length > MAX_COMPARE_BYTES || shadow.body.length > MAX_COMPARE_BYTES) return 'uncompared';
  let a: unknown;
  let b: unknown;
  try {
    a = JSON.parse(primary.body.toString('utf8'));
    b = JSON.parse(shadow.body.toString('utf8'));
  } catch {
    return 'uncompared';
  }
  return sameJson(a, b) ? 'match' : 'mismatch';
}

/** Deep equality of two parsed JSON values, numbers within the float tolerance. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return sameNumber(a, b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) return false;
  for (const k of keys) if (!Object.hasOwn(bo, k) || !sameJson(ao[k], bo[k])) return false;
  return true;
}

function sameNumber(a: number, b: number): boolean {
  if (a === b) return true;
  if (Number.isInteger(a) && Number.isInteger(b)) return false;
  const d = Math.abs(a - b);
  return d <= FLOAT_ABSOLUTE || d <= FLOAT_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

function isJson(type: string | undefined): boolean {
  if (type === undefined) return false;
  const semi = type.indexOf(';');
  const t = (semi < 0 ? type : type.slice(0, semi)).trim().toLowerCase();
  return t === 'application/json' || t.endsWith('+json');
}
