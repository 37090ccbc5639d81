/** Validation of relative paths used as blob keys and model file paths. */
import { DomainError } from '../../contracts/errors.js';

const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Checks a user-given relative path (`a/b.txt`) and returns it, or throws INVALID_PATH.
 * Refuses absolute paths, `..`, backslashes, drive letters, control characters, empties,
 * and empty or `.` segments (`a//b`, `./a`, `a/`): a path is taken as written, never
 * quietly rewritten into another.
 */
export function safeRelativePath(input: string, what = 'path'): string {
  if (typeof input !== 'string' || input.length === 0) throw new DomainError('INVALID_PATH', `${what} is empty`);
  if (input.length > 1024) throw new DomainError('INVALID_PATH', `${what} is longer than 1024 characters`);
  if (CONTROL.test(input)) throw new DomainError('INVALID_PATH', `${what} "${printable(input)}" contains control characters`);
  if (input.includes('\\')) throw new DomainError('INVALID_PATH', `${what} "${input}" contains a backslash`);
  if (input.startsWith('/') || /^[A-Za-z]:/.test(input)) throw new DomainError('INVALID_PATH', `${what} "${input}" is absolute`);
  const parts = input.split('/');
  if (parts.some((p) => p === '..')) throw new DomainError('INVALID_PATH', `${what} "${input}" escapes its folder (..)`);
  if (parts.some((p) => p === '')) throw new DomainError('INVALID_PATH', `${what} "${input}" has an empty segment (// or a trailing /)${meant(parts)}`);
  if (parts.some((p) => p === '.')) throw new DomainError('INVALID_PATH', `${what} "${input}" has a "." segment${meant(parts)}`);
  if (parts.some((p) => p.length > 255)) throw new DomainError('INVALID_PATH', `${what} "${input}" has a segment over 255 characters`);
  return input;
}

/** Like safeRelativePath, but empty, `/` or `.` mean "the root", and one trailing slash is allowed (`data/`). */
export function safePrefix(input: string | undefined, what = 'prefix'): string {
  if (input === undefined || input === '' || input === '/' || input === '.') return '';
  return safeRelativePath(input.endsWith('/') ? input.slice(0, -1) : input, what);
}

/**
 * Top-level names a blob store keeps for itself (the folder store's temp files): no key
 * may start with one, in any store, so what one store holds fits in every other.
 */
export const RESERVED_KEY_TOPS: readonly string[] = ['.tmp'];

export function isReservedKey(key: string): boolean {
  return RESERVED_KEY_TOPS.includes(key.split('/')[0]!);
}

/** A blob key: a safe relative path outside the reserved names, or INVALID_PATH. */
export function safeKey(input: string, what = 'key'): string {
  const key = safeRelativePath(input, what);
  if (isReservedKey(key)) throw reserved(key, what);
  return key;
}

/** A blob key prefix ('' = everything): a safe prefix outside the reserved names. */
export function safeKeyPrefix(input: string | undefined, what = 'prefix'): string {
  const p = safePrefix(input, what);
  if (p && isReservedKey(p)) throw reserved(p, what);
  return p;
}

function reserved(key: string, what: string): DomainError {
  return new DomainError('INVALID_PATH', `${what} "${key}" is inside "${key.split('/')[0]}/", which the object store keeps for its own use`);
}

/** `; did you mean "a/b"?` for a path written `a//b` or `./a/b` */
function meant(parts: string[]): string {
  const tidy = parts.filter((p) => p !== '' && p !== '.').join('/');
  return tidy ? `; did you mean "${tidy}"?` : '';
}

export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
