import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { floatToHalfBits, floatsToHalf, halfBitsToFloat, halfToFloats } from './fp16.js';

describe('fp16', () => {
  it('converts known values both ways', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff],
      [2 ** -14, 0x0400],
      [2 ** -24, 0x0001],
      [0.333251953125, 0x3555],
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
    ];
    for (const [f, h] of cases) {
      expect(floatToHalfBits(f)).toBe(h);
      expect(halfBitsToFloat(h)).toBe(f);
    }
    expect(floatToHalfBits(-0)).toBe(0x8000);
    expect(Number.isNaN(halfBitsToFloat(floatToHalfBits(NaN)))).toBe(true);
  });

  it('overflows to infinity and underflows to zero', () => {
    expect(floatToHalfBits(65520)).toBe(0x7c00); // halfway past the max rounds up to Inf
    expect(floatToHalfBits(65519)).toBe(0x7bff);
    expect(floatToHalfBits(1e6)).toBe(0x7c00);
    expect(floatToHalfBits(2 ** -26)).toBe(0);
    expect(floatToHalfBits(-(2 ** -26))).toBe(0x8000);
  });

  it('rounds to nearest, ties to even', () => {
    // 1 + 2^-11 is exactly between 1 (0x3c00, even) and 1 + 2^-10 (0x3c01)
    expect(floatToHalfBits(1 + 2 ** -11)).toBe(0x3c00);
    expect(floatToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalfBits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    // subnormal tie: 1.5 * 2^-24 → 2 * 2^-24 (even)
    expect(floatToHalfBits(1.5 * 2 ** -24)).toBe(0x0002);
    expect(floatToHalfBits(2.5 * 2 ** -24)).toBe(0x0002);
  });

  it('round-trips every finite half exactly', () => {
    for (let h = 0; h < 0x10000; h++) {
      const f = halfBitsToFloat(h);
      if (Number.isNaN(f)) continue;
      expect(floatToHalfBits(f)).toBe(h);
    }
  });

  it('picks the nearest half for any float in range', () => {
    fc.assert(
      fc.property(fc.float({ min: -65504, max: 65504, noNaN: true }), (x) => {
        const back = halfBitsToFloat(floatToHalfBits(x));
        const err = Math.abs(back - x);
        const exp = Math.max(-14, Math.floor(Math.log2(Math.abs(x) || 2 ** -14)));
        const ulp = 2 ** (exp - 10);
        return err <= ulp / 2;
      }),
    );
  });

  it('converts arrays', () => {
    const h = floatsToHalf([1, -0.5, 3]);
    expect([...h]).toEqual([0x3c00, 0xb800, 0x4200]);
    expect([...halfToFloats(h)]).toEqual([1, -0.5, 3]);
  });
});
