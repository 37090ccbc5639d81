import { describe, expect, it } from 'vitest';
import { safePrefix, safeRelativePath } from './keys.js';
import { ancestors, checkNoPathConflicts, PathSet } from './path-set.js';

describe('PathSet', () => {
  it('names the folders above a path', () => {
    expect(ancestors('a/b/c.txt')).toEqual(['a', 'a/b']);
    expect(ancestors('top')).toEqual([]);
  });

  const clashes: [string, string, string][] = [
    ['a', 'a/b', 'a'],
    ['a/b', 'a', 'a'],
    ['x/y', 'x/y/z/w', 'x/y'],
    ['x/y/z/w', 'x/y', 'x/y'],
  ];
  for (const [first, then, other] of clashes) {
    it(`refuses "${then}" after "${first}", naming "${other}"`, () => {
      const s = new PathSet([first]);
      expect(() => s.add(then, 'file')).toThrow(expect.objectContaining({ code: 'PATH_CONFLICT', details: { path: then, conflictsWith: other } }));
      expect(() => checkNoPathConflicts([first, then])).toThrow(expect.objectContaining({ code: 'PATH_CONFLICT' }));
    });
  }

  it('takes siblings, look-alike names and a replaced file', () => {
    const s = new PathSet(['a/b', 'a/c/d', 'ab', 'a.b']);
    expect(() => s.add('a/b')).not.toThrow();
    expect(() => s.add('a/c/e')).not.toThrow();
    expect(() => s.add('a-b/c')).not.toThrow();
    expect(() => checkNoPathConflicts(['m/a', 'm/a.txt', 'm/a-b/c', 'm/ab'])).not.toThrow();
  });
});

describe('user-given paths are taken as written', () => {
  for (const bad of ['a//b', 'a/', '/a', './a', 'a/./b', 'a/.', '.', 'a/../b', '..', '']) {
    it(`refuses "${bad}" with INVALID_PATH`, () => {
      expect(() => safeRelativePath(bad)).toThrow(expect.objectContaining({ code: 'INVALID_PATH' }));
    });
  }

  it('says what was probably meant', () => {
    expect(() => safeRelativePath('a//b', 'storage path')).toThrow('storage path "a//b" has an empty segment (// or a trailing /); did you mean "a/b"?');
  });

  it('takes ordinary paths and prefixes with one trailing slash', () => {
    expect(safeRelativePath('a/b.c/.hidden/d..e')).toBe('a/b.c/.hidden/d..e');
    expect(['', '/', '.', 'data/', 'data'].map((p) => safePrefix(p))).toEqual(['', '', '', 'data', 'data']);
    expect(() => safePrefix('data//')).toThrow(expect.objectContaining({ code: 'INVALID_PATH' }));
    expect(() => safePrefix('a//b/')).toThrow(expect.objectContaining({ code: 'INVALID_PATH' }));
  });
});
