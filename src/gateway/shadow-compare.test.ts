import { describe, expect, it } from 'vitest';
import { compareAnswers, sameJson, MAX_COMPARE_BYTES } from './shadow-compare.js';

const json = (v: unknown, status = 200, type = 'application/json; charset=utf-8') => ({ status, contentType: type, body: Buffer.from(JSON.stringify(v)) });

describe('compareAnswers (shadow traffic)', () => {
  it('the same JSON agrees whatever the key order; a different value or status does not', () => {
    expect(compareAnswers(json({ a: 1, b: [1, 2] }), json({ b: [1, 2], a: 1 }))).toBe('match');
    expect(compareAnswers(json({ a: 1 }), json({ a: 2 }))).toBe('mismatch');
    expect(compareAnswers(json({ a: 1 }), json({ a: 1, b: null }))).toBe('mismatch');
    expect(compareAnswers(json({ a: [1, 2] }), json({ a: [1, 2, 3] }))).toBe('mismatch');
    expect(compareAnswers(json({ a: 1 }), json({ a: 1 }, 400))).toBe('mismatch');
    expect(compareAnswers(json({ a: {} }), json({ a: [] }))).toBe('mismatch');
    expect(compareAnswers(json({ a: '1' }), json({ a: 1 }))).toBe('mismatch');
  });

  it('floats may differ by a small relative tolerance; integers may not', () => {
    expect(compareAnswers(json({ p: [0.1, 0.25, 0.65] }), json({ p: [0.1000001, 0.2500001, 0.6499999] }))).toBe('match');
    expect(compareAnswers(json({ p: [0.1, 0.25] }), json({ p: [0.1001, 0.25] }))).toBe('mismatch');
    expect(compareAnswers(json({ p: [1e-20] }), json({ p: [3e-20] }))).toBe('match');
    expect(compareAnswers(json({ p: [1, 0.9999999] }), json({ p: [0.99999999, 1] }))).toBe('match');
    expect(sameJson({ cls: 3 }, { cls: 4 })).toBe(false);
    expect(sameJson({ cls: 3000000 }, { cls: 3000001 })).toBe(false);
  });

  it('other answers agree byte for byte, else are uncompared; unparsable or huge JSON is uncompared', () => {
    const bin = (b: Buffer) => ({ status: 200, contentType: 'application/octet-stream', body: b });
    expect(compareAnswers(bin(Buffer.from([1, 2])), bin(Buffer.from([1, 2])))).toBe('match');
    expect(compareAnswers(bin(Buffer.from([1, 2])), bin(Buffer.from([1, 3])))).toBe('uncompared');
    const broken = { status: 200, contentType: 'application/json', body: Buffer.from('{"a":') };
    expect(compareAnswers(broken, json({ a: 1 }))).toBe('uncompared');
    const big = json({ a: 'x'.repeat(MAX_COMPARE_BYTES) });
    expect(compareAnswers(big, json({ a: 'y' }))).toBe('uncompared');
    expect(compareAnswers(json({ a: 1 }, 200, 'application/problem+json'), json({ a: 1.0000001 }, 200, 'application/json'))).toBe('match');
  });
});
