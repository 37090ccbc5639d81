import { describe, expect, it } from 'vitest';
import { DomainError } from '../contracts/errors.js';
import type { OipInferRequest } from '../contracts/oip.js';
import { decodeInputs, encodeOutputAs, packBinary, splitBody, unpackBinary, wantsBinary } from './binary-tensors.js';

const f32 = (xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);
const strings = (xs: string[]) => Buffer.concat(xs.flatMap((s) => [Buffer.from(Uint32Array.of(Buffer.byteLength(s)).buffer), Buffer.from(s)]));

function refused(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return { code: (e as DomainError).code, message: (e as Error).message };
  }
  throw new Error('not refused');
}

describe('OIP v2 binary tensor data', () => {
  it('reads JSON and binary inputs side by side, in input order, with exact values', () => {
    const { body, headerLength } = packBinary(
      {
        inputs: [
          { name: 'a', shape: [1, 3], datatype: 'FP32', parameters: { binary_data_size: 12 } },
          { name: 'j', shape: [2], datatype: 'INT32', data: [7, -7] },
          { name: 'b', shape: [2], datatype: 'INT64', parameters: { binary_data_size: 16 } },
          { name: 's', shape: [2], datatype: 'BYTES', parameters: { binary_data_size: 16 } },
          { name: 'k', shape: [3], datatype: 'BOOL', parameters: { binary_data_size: 3 } },
        ],
      },
      [f32([0.1, -2.5, Number.NaN]), new Uint8Array(BigInt64Array.of(-(2n ** 40n), 5n).buffer), strings(['héllo', 'ab']), Uint8Array.of(1, 0, 1)],
    );
    const { request, binary } = splitBody(body, headerLength);
    const [a, j, b, s, k] = decodeInputs((request as OipInferRequest).inputs, binary);
    expect(Array.from(a!.data as Float32Array)).toEqual([Math.fround(0.1), -2.5, Number.NaN]);
    expect(a!.shape).toEqual([1, 3]);
    expect(Array.from(j!.data as Int32Array)).toEqual([7, -7]);
    expect(Array.from(b!.data as BigInt64Array)).toEqual([-(2n ** 40n), 5n]);
    expect(s!.data).toEqual(['héllo', 'ab']);
    expect(Array.from(k!.data as Uint8Array)).toEqual([1, 0, 1]);
  });

  it('refuses a body whose parts do not add up, naming the input', () => {
    const head = { inputs: [{ name: 'a', shape: [2], datatype: 'FP32', parameters: { binary_data_size: 8 } }] };
    const ok = packBinary(head, [f32([1, 2])]);
    expect(refused(() => splitBody(ok.body, 'ten'))).toMatchObject({ code: 'INVALID_TENSOR' });
    expect(refused(() => splitBody(ok.body, String(ok.body.length + 1))).message).toContain('inference-header-content-length');
    expect(refused(() => splitBody(ok.body, '5')).code).toBe('INVALID_JSON');
    const decode = (json: unknown, parts: Uint8Array[]) => {
      const p = packBinary(json, parts);
      const { request, binary } = splitBody(p.body, p.headerLength);
      return decodeInputs((request as OipInferRequest).inputs, binary);
    };
    expect(refused(() => decode(head, [f32([1])])).message).toMatch(/input "a".*runs past the end/);
    expect(refused(() => decode(head, [f32([1, 2, 3])])).message).toMatch(/4 bytes after the JSON part belong to no input/);
    const wrongSize = { inputs: [{ name: 'a', shape: [3], datatype: 'FP32', parameters: { binary_data_size: 8 } }] };
    expect(refused(() => decode(wrongSize, [f32([1, 2])])).message).toMatch(/input "a": shape \[3\] of FP32 takes 12 bytes/);
    const both = { inputs: [{ name: 'a', shape: [2], datatype: 'FP32', data: [1, 2], parameters: { binary_data_size: 8 } }] };
    expect(refused(() => decode(both, [f32([1, 2])])).message).toContain('not both');
    const bool = { inputs: [{ name: 'k', shape: [1], datatype: 'BOOL', parameters: { binary_data_size: 1 } }] };
    expect(refused(() => decode(bool, [Uint8Array.of(2)])).message).toContain('0 or 1');
    const cut = { inputs: [{ name: 's', shape: [1], datatype: 'BYTES', parameters: { binary_data_size: 6 } }] };
    expect(refused(() => decode(cut, [Uint8Array.of(9, 0, 0, 0, 65, 66)])).message).toMatch(/BYTES element 0 is 9 bytes/);
    const negative = { inputs: [{ name: 'a', shape: [2], datatype: 'FP32', parameters: { binary_data_size: -8 } }] };
    expect(refused(() => decode(negative, [])).message).toContain('non-negative integer');
  });

  it('answers outputs as raw bytes when asked, per output or for all', () => {
    const req = {
      inputs: [],
      outputs: [
        { name: 'y', parameters: { binary_data: true } },
        { name: 'z', parameters: { binary_data: false } },
      ],
    } as unknown as OipInferRequest;
    expect([wantsBinary(req, 'y'), wantsBinary(req, 'z'), wantsBinary(req, 'w')]).toEqual([true, false, false]);
    expect(wantsBinary({ inputs: [], parameters: { binary_data_output: true } }, 'w')).toBe(true);
    const y = encodeOutputAs({ name: 'y', datatype: 'FP32', shape: [1, 2], data: Float32Array.of(0.5, -1) }, true);
    expect(y.output).toEqual({ name: 'y', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } });
    expect(Array.from(new Float32Array(new Uint8Array(y.bytes!).buffer))).toEqual([0.5, -1]);
    const s = encodeOutputAs({ name: 's', datatype: 'BYTES', shape: [2], data: ['a', 'çb'] }, true);
    expect(s.bytes).toEqual(strings(['a', 'çb']));
    const back = unpackBinary(
      Buffer.concat([Buffer.from(JSON.stringify({ outputs: [y.output, s.output] })), y.bytes!, s.bytes!]),
      String(Buffer.byteLength(JSON.stringify({ outputs: [y.output, s.output] }))),
    );
    expect(back.bytes.s).toEqual(s.bytes);
    expect(encodeOutputAs({ name: 'y', datatype: 'FP32', shape: [1], data: Float32Array.of(2) }, false).output.data).toEqual([2]);
  });
});
