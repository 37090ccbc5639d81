/** The SDK's binary tensor packing against the instance's own decoder (FP16 conversion is contracts/fp16.ts, tested there). */
import { describe, expect, it } from 'vitest';
import { decodeInputs, splitBody } from '../instance/binary-tensors.js';
import type { OipInferRequest } from '../contracts/oip.js';
import { fromHalf, packInfer, unpackInfer } from './tensors.js';

describe('SDK tensors', () => {
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
