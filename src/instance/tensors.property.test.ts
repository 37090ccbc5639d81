/**
 * Property tests of the OIP v2 decoder (issue #8): whatever JSON a caller sends as an
 * input, decoding and checking it against the model either succeeds with exactly the
 * values sent, or throws INVALID_TENSOR; nothing else (no crash, no silent wrap-around).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../contracts/errors.js';
import { OIP_DATATYPES, type OipDatatype, type OipRequestInput } from '../contracts/oip.js';
import { halfToFloats } from '../contracts/fp16.js';
import { checkInputs, decodeInput, elementCount } from './tensors.js';

const datatype = fc.oneof(fc.constantFrom(...OIP_DATATYPES), fc.string({ maxLength: 6 }));
const shape = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
  fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double(), fc.constant(1e20)), { maxLength: 40 }),
);
const scalar = fc.oneof(
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.integer({ min: -300, max: 300 }),
  fc.double(),
  fc.constantFrom(Infinity, -Infinity, NaN, -0, 2 ** 63, 2 ** 64),
  fc.boolean(),
  fc.string({ maxLength: 4 }),
  fc.constant(null),
);
const data = fc.oneof(fc.array(scalar, { maxLength: 32 }), fc.array(fc.array(scalar, { maxLength: 6 }), { maxLength: 6 }), fc.jsonValue({ maxDepth: 4 }));

/** Any input object, including broken ones. */
const input = fc.record({ name: fc.oneof(fc.constant('x'), fc.string({ maxLength: 3 }), fc.integer()), shape, datatype, data }, { requiredKeys: [] });

/** An input that fits its shape, for checking the values that come out. */
const fitting = fc.tuple(fc.constantFrom(...OIP_DATATYPES), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 })).chain(([dt, sh]) =>
  fc.record({
    name: fc.constant('x'),
    datatype: fc.constant(dt),
    shape: fc.constant(sh),
    data: fc.array(scalar, { minLength: elementCount(sh), maxLength: elementCount(sh) }),
  }),
);

const isInvalidTensor = (e: unknown) => e instanceof DomainError && e.code === 'INVALID_TENSOR';

const RANGES: Partial<Record<OipDatatype, [number, number]>> = {
  UINT8: [0, 255],
  INT8: [-128, 127],
  UINT16: [0, 65535],
  INT16: [-32768, 32767],
  UINT32: [0, 2 ** 32 - 1],
  INT32: [-(2 ** 31), 2 ** 31 - 1],
  UINT64: [0, 2 ** 64 - 1],
  INT64: [-(2 ** 63), 2 ** 63 - 1],
};

describe('OIP v2 decoder properties', () => {
  it('decodes or refuses with INVALID_TENSOR, never anything else', () => {
    fc.assert(
      fc.property(input, (i) => {
        try {
          const t = decodeInput(i as OipRequestInput);
          checkInputs([t], [{ name: 'x', datatype: t.datatype, shape: t.shape.map(() => -1) }]);
          // `===`, not Object.is: a shape of [-0] holds -0 elements, which is 0
          expect((t.data as ArrayLike<unknown>).length === elementCount(t.shape)).toBe(true);
        } catch (e) {
          if (!isInvalidTensor(e)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps every value it accepts exactly (no wrap-around, truncation or non-finite numbers)', () => {
    fc.assert(
      fc.property(fitting, (i) => {
        let t;
        try {
          t = decodeInput(i as OipRequestInput);
        } catch (e) {
          if (!isInvalidTensor(e)) throw e;
          return;
        }
        const sent = i.data as unknown[];
        const got = t.datatype === 'FP16' ? Array.from(halfToFloats(t.data as Uint16Array)) : Array.from(t.data as ArrayLike<unknown>);
        sent.forEach((v, k) => {
          if (t.datatype === 'BYTES') return expect(got[k]).toBe(v);
          if (t.datatype === 'BOOL') return expect(got[k]).toBe(v ? 1 : 0);
          expect(typeof v === 'number' && Number.isFinite(v)).toBe(true);
          const range = RANGES[t.datatype];
          if (range) {
            expect(Number.isInteger(v) && (v as number) >= range[0] && (v as number) <= range[1]).toBe(true);
            expect(Number(got[k])).toBe(v === 0 ? 0 : v);
          } else if (t.datatype === 'FP32') expect(got[k]).toBe(Math.fround(v as number));
          else if (t.datatype === 'FP64') expect(got[k]).toBe(v);
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses data nested past any shape without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    for (const sh of [[1], [1, 1], Array(32).fill(1)]) {
      expect(() => decodeInput({ name: 'x', datatype: 'FP32', shape: sh, data: [deep] })).toThrow(/INVALID_TENSOR|data|values/);
      try {
        decodeInput({ name: 'x', datatype: 'FP32', shape: sh, data: [deep] });
      } catch (e) {
        expect(isInvalidTensor(e)).toBe(true);
      }
    }
  });
});
