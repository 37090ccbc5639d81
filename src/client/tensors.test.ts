/** The SDK's binary tensor packing against the instance's own decoder and FP16 conversion. */
import { describe, expect, it } from 'vitest';
import { decodeInputs, splitBody } from '../instance/binary-tensors.js';
import { floatToHalfBits } from '../instance/fp16.js';
import type { OipInferRequest } from '../contracts/oip.js';
import { fromHalf, packInfer, toHalf, unpackInfer } from './tensors.js';

describe('SDK tensors', () => {
  it('converts to and from half precision exactly as the instance does', () => {
    const values = [0, -0, 1, -2.5, 65504, 70000, 1e-5, 6e-8, 3e-8, 1e-9, 0.1, 123.456, Infinity, -Infinity, NaN];
    for (let i = 0; i < 2000; i++) values.push((Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 12 - 8));
    for (const v of values) expect([v, toHalf(v)]).toEqual([v, floatToHalfBits(v)]);
    for (let h = 0; h < 65536; h += 7) if (!Number.isNaN(fromHalf(h))) expect(toHalf(fromHalf(h))).toBe(h);
  });

  it('packs binary inputs the instance decodes back to the same values', () => {
    const packed = packInfer({
      id: 'x',
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [2], data: new Float32Array([1.5, -2]) },
        { name: 'b', datatype: 'FP16', shape: [2], data: new Float32Array([0.5, 3]) },
        { name: 'c', datatype: 'INT64', shape: [1], data: [7] },
        { name: 's', datatype: 'BYTES', shape: [2], data: ['hi', '猫'] },
      ],
    });
    const { request, binary } = splitBody(Buffer.from(packed.body), String(packed.headerLength));
    const tensors = decodeInputs((request as OipInferRequest).inputs, binary);
    expect(Array.from(tensors[0]!.data as Float32Array)).toEqual([1.5, -2]);
    expect(Array.from(tensors[1]!.data as Uint16Array).map(fromHalf)).toEqual([0.5, 3]);
    expect(Array.from(tensors[2]!.data as BigInt64Array)).toEqual([7n]);
    expect(tensors[3]!.data).toEqual(['hi', '猫']);
  });

  it('decodes binary outputs after the JSON part, leaving JSON outputs as they are', () => {
    const head = JSON.stringify({
      model_name: 'm',
      outputs: [
        { name: 'y', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 8 } },
        { name: 'z', datatype: 'INT32', shape: [1], data: [4] },
      ],
    });
    const body = Buffer.concat([Buffer.from(head), Buffer.from(new Float32Array([0.25, 9]).buffer)]);
    const answer = unpackInfer(new Uint8Array(body), Buffer.byteLength(head));
    expect(answer.outputs.map((o) => o.data)).toEqual([[0.25, 9], [4]]);
  });
});
