import { describe, expect, it } from 'vitest';
import { bodyOfTensors, requestOfTensors, tensorsOfAnswer, tensorsOfResponse } from './infer-adapter.js';
import { encodeOutput } from './tensors.js';
import { decodeInputs } from './binary-tensors.js';

describe('OIP v2 for handler packages (infer-adapter)', () => {
  const inputs = decodeInputs(
    [
      { name: 'x', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4] },
      { name: 'on', shape: [2], datatype: 'BOOL', data: [true, false] },
      { name: 'text', shape: [1], datatype: 'BYTES', data: ['hi'] },
      { name: 'big', shape: [1], datatype: 'INT64', data: [7] },
    ],
    undefined,
  );

  it('hands a handler each input by name, nested in its shape', () => {
    expect(bodyOfTensors(inputs)).toEqual({
      x: [
        [1, 2],
        [3, 4],
      ],
      on: [true, false],
      text: ['hi'],
      big: [7],
    });
  });

  it('hands a whole-request package the request as OIP JSON, binary sizes dropped', () => {
    const req = {
      id: 'r',
      inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32' as const, parameters: { binary_data_size: 16, other: 1 } }],
      outputs: [{ name: 'y', parameters: { binary_data: true } }],
    };
    const bin = Buffer.from(Float32Array.of(1, 2, 3, 4).buffer);
    const json = requestOfTensors(req, decodeInputs(req.inputs, bin));
    expect(json).toEqual({
      id: 'r',
      inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4], parameters: { other: 1 } }],
      outputs: [{ name: 'y' }],
    });
  });

  it('turns an answer object into outputs by key, with declared datatypes, else FP64 / BOOL / BYTES', () => {
    const outs = tensorsOfAnswer({ scores: [[0.5, 1]], ok: true, label: ['cat'], extra: { nested: 1 } }, [], undefined).map(encodeOutput);
    expect(outs).toEqual([
      { name: 'scores', datatype: 'FP64', shape: [1, 2], data: [0.5, 1] },
      { name: 'ok', datatype: 'BOOL', shape: [1], data: [true] },
      { name: 'label', datatype: 'BYTES', shape: [1], data: ['cat'] },
      { name: 'extra', datatype: 'BYTES', shape: [1], data: ['{"nested":1}'] },
    ]);
    const declared = tensorsOfAnswer({ y: [1, 2], z: 3 }, [{ name: 'y', datatype: 'INT32', shape: [-1] }], undefined).map(encodeOutput);
    expect(declared).toEqual([{ name: 'y', datatype: 'INT32', shape: [2], data: [1, 2] }]);
  });

  it('names a bare array answer after the declared output, else output-0, and keeps only the outputs asked for', () => {
    expect(tensorsOfAnswer([1, 2], [], undefined)[0]!.name).toBe('output-0');
    expect(tensorsOfAnswer([1, 2], [{ name: 'probs', datatype: 'FP32', shape: [-1] }], undefined)[0]).toMatchObject({ name: 'probs', datatype: 'FP32' });
    expect(tensorsOfAnswer({ a: 1, b: 2 }, [], ['b']).map((t) => t.name)).toEqual(['b']);
    expect(() => tensorsOfAnswer({ a: 1 }, [], ['c'])).toThrow(/no output "c"/);
  });

  it("refuses what cannot be tensors: a ragged array as JSON text, a missing declared output as the model's fault", () => {
    expect(encodeOutput(tensorsOfAnswer({ r: [[1, 2], [3]] }, [], undefined)[0]!)).toEqual({ name: 'r', datatype: 'BYTES', shape: [1], data: ['[[1,2],[3]]'] });
    expect(() => tensorsOfAnswer({ a: 1 }, [{ name: 'b', datatype: 'FP32', shape: [1] }], undefined)).toThrow(expect.objectContaining({ code: 'MODEL_ERROR' }));
    expect(() => tensorsOfResponse({ predictions: [] }, undefined)).toThrow(expect.objectContaining({ code: 'MODEL_ERROR' }));
    expect(() => tensorsOfResponse({ outputs: [{ name: 'y', shape: [3], datatype: 'FP32', data: [1] }] }, undefined)).toThrow(/not valid OIP/);
  });
});
