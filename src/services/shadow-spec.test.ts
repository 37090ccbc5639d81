import { describe, expect, it } from 'vitest';
import { DomainError } from '../contracts/errors.js';
import { resolveShadow, storedShadow } from './shadow-spec.js';

const versions = [
  { seq: 1, weight: 100 },
  { seq: 2, weight: 0 },
];
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as DomainError).code;
  }
  return 'none';
};

describe('resolveShadow', () => {
  it('sets, merges and turns off a shadow', () => {
    expect(resolveShadow('s', undefined, { version: 2 }, versions)).toEqual({ version: 2, percent: 100 });
    expect(resolveShadow('s', { version: 2, percent: 100 }, { percent: 25 }, versions)).toEqual({ version: 2, percent: 25 });
    expect(resolveShadow('s', { version: 2, percent: 100 }, null, versions)).toBeNull();
  });

  it('refuses an unknown version, the version taking all traffic, and no version at all', () => {
    expect(codeOf(() => resolveShadow('s', undefined, { version: 9 }, versions))).toBe('SERVICE_VERSION_NOT_FOUND');
    expect(codeOf(() => resolveShadow('s', undefined, { version: 1 }, versions))).toBe('INVALID_SHADOW');
    expect(codeOf(() => resolveShadow('s', undefined, { version: 1 }, [{ seq: 1, weight: 100 }]))).toBe('INVALID_SHADOW');
    expect(codeOf(() => resolveShadow('s', undefined, { percent: 5 }, versions))).toBe('INVALID_ARGUMENT');
    // a version with traffic may be the shadow of the others' calls
    expect(
      resolveShadow('s', undefined, { version: 2 }, [
        { seq: 1, weight: 50 },
        { seq: 2, weight: 50 },
      ]),
    ).toEqual({ version: 2, percent: 100 });
  });

  it('reads the stored column', () => {
    expect(storedShadow(null)).toBeUndefined();
    expect(storedShadow('{"version":2,"percent":5}')).toEqual({ version: 2, percent: 5 });
    expect(storedShadow('nope')).toBeUndefined();
  });
});
