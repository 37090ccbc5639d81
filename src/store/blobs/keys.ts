/** Validation of relative paths used as blob keys and model file paths. */
import { DomainError } from '../../contracts/errors.js';

const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Normalises a user-given relative path (`a/b.txt`, `./a//b.txt`) or throws INVALID_PATH.
 * Refuses absolute paths, `..`, backslashes, drive letters, control characters and empties.
 */
export function safeRelativePath(input: string, what = 'path'): string {
  if (typeof input !== 'string' || input.length === 0) throw new DomainError('INVALID_PATH', `${what} is empty`);
  if (input.length > 1024) throw new DomainError('INVALID_PATH', `${what} is longer than 1024 characters`);
  if (CONTROL.test(input)) throw new DomainError('INVALID_PATH', `${what} "${printable(input)}" contains control characters`);
  if (input.includes('\\')) throw new DomainError('INVALID_PATH', `${what} "${input}" contains a backslash`);
  if (input.startsWith('/') || /^[A-Za-z]:/.test(input)) throw new DomainError('INVALID_PATH', `${what} "${input}" is absolute`);
  const parts = input.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) throw new DomainError('INVALID_PATH', `${what} "${input}" names no file`);
  if (parts.some((p) => p === '..')) throw new DomainError('INVALID_PATH', `${what} "${input}" escapes its folder (..)`);
  if (parts.some((p) => p.length > 255)) throw new DomainError('INVALID_PATH', `${what} "${input}" has a segment over 255 characters`);
  return parts.join('/');
}

/** Like safeRelativePath, but an empty input means "the root" and a trailing slash is kept out. */
export function safePrefix(input: string | undefined, what = 'prefix'): string {
  if (input === undefined || input === '' || input === '/' || input === '.') return '';
  return safeRelativePath(input.replace(/\/+$/, ''), what);
}

export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
