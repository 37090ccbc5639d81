/**
 * File paths where none is both a file and a folder (`a` and `a/b`). A folder store
 * cannot hold both; an object store could, but every store, upload and zip refuses
 * them alike (PATH_CONFLICT), so a version or a storage folder means the same
 * everywhere and can always be written out to disk.
 */
import { DomainError } from '../../contracts/errors.js';

/** The folders above a path: `a/b/c` → `a`, `a/b`. */
export function ancestors(p: string): string[] {
  const out: string[] = [];
  for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) out.push(p.slice(0, i));
  return out;
}

export function pathConflict(what: string, p: string, other: string, otherIs: 'file' | 'folder'): DomainError {
  const why = otherIs === 'file' ? `"${other}" is a file, so it cannot also be a folder` : `"${other}" is a folder, so it cannot also be a file`;
  return new DomainError('PATH_CONFLICT', `${what} "${p}" clashes with ${otherIs === 'file' ? `file "${other}"` : `the files under "${other}/"`}: ${why}`, {
    path: p,
    conflictsWith: other,
  });
}

export class PathSet {
  private readonly files = new Set<string>();
  private readonly dirs = new Set<string>();

  constructor(paths: Iterable<string> = []) {
    for (const p of paths) this.add(p);
  }

  has(p: string): boolean {
    return this.files.has(p);
  }

  /** Throws PATH_CONFLICT if `p` would be a folder of a file here, or a file where a folder is. */
  check(p: string, what = 'path'): void {
    if (this.dirs.has(p)) throw pathConflict(what, p, p, 'folder');
    for (const a of ancestors(p)) if (this.files.has(a)) throw pathConflict(what, p, a, 'file');
  }

  /** Checks and adds; adding a path already here is a no-op (a replacement). */
  add(p: string, what = 'path'): void {
    this.check(p, what);
    this.files.add(p);
    for (const a of ancestors(p)) this.dirs.add(a);
  }
}

/** Throws PATH_CONFLICT for the first path of a list that clashes with an earlier one. */
export function checkNoPathConflicts(paths: Iterable<string>, what = 'path'): void {
  const set = new PathSet();
  // `a` sorts before `a/…`, so the message names the clash the same way whatever the order
  for (const p of [...paths].sort()) set.add(p, what);
}
