/**
 * The nesting limit for JSON bodies, on every surface that parses them (the API's parser,
 * multipart JSON fields, the instance). Deeper than any request needs; deeper still
 * overflows the stack where a value is walked or stringified again (and Python's json).
 */
import { DomainError } from '../contracts/errors.js';

export const MAX_JSON_DEPTH = 64;

/** Whether a parsed JSON value nests deeper than `max` (iterative: no recursion to overflow). */
export function deeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d >= max) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (x !== null && typeof x === 'object') stack.push([x, d + 1]);
  }
  return false;
}

/** `value`, or INVALID_JSON when it nests past MAX_JSON_DEPTH; `what` names it ("the JSON body"). */
export function checkJsonDepth<T>(value: T, what = 'the JSON body'): T {
  if (deeperThan(value, MAX_JSON_DEPTH)) throw new DomainError('INVALID_JSON', `${what} is nested more than ${MAX_JSON_DEPTH} levels deep`);
  return value;
}
