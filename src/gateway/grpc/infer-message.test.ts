import { describe, expect, it } from 'vitest';
import { packBinary, splitBody } from '../../instance/binary-tensors.js';
import { inferBody, inferResponse, parameterValue, toParameters } from './infer-message.js';

const f32 = (...v: number[]) => Buffer.from(Float32Array.from(v).buffer);

describe('ModelInfer → the REST binary-tensor body', () => {
  it('carries raw inputs as binary_data_size parts, asks every output raw and keeps id and parameters', () => {
    const b = inferBody({
      model_name: 'm',
      id: 'r1',
      parameters: { p: { parameter_choice: 'int64_param', int64_param: '7' } },
      inputs: [
        { name: 'x', datatype: 'FP32', shape: ['1', '2'], parameters: {} },
        { name: 's', datatype: 'BYTES', shape: ['1'] },
      ],
      outputs: [{ name: 'y' }],
      raw_input_contents: [f32(1, 2), Buffer.from([1, 0, 0, 0, 0x61])],
    });
    expect(b.raw).toBe(true);
    const { request, binary } = splitBody(b.body, b.headerLength);
    expect(request).toEqual({
      id: 'r1',
      parameters: { p: 7, binary_data_output: true },
      inputs: [
        { name: 'x', shape: [1, 2], datatype: 'FP32', parameters: { binary_data_size: 8 } },
        { name: 's', shape: [1], datatype: 'BYTES', parameters: { binary_data_size: 5 } },
      ],
      outputs: [{ name: 'y', parameters: { binary_data: true } }],
    });
    expect(binary).toEqual(Buffer.concat([f32(1, 2), Buffer.from([1, 0, 0, 0, 0x61])]));
  });

  it('turns typed contents into the same raw parts', () => {
    const b = inferBody({
      model_name: 'm',
      inputs: [{ name: 'x', datatype: 'FP32', shape: ['2'], contents: { fp32_contents: [1, 2] } }],
      raw_input_contents: [],
    });
    expect(b.raw).toBe(false);
    expect(splitBody(b.body, b.headerLength).binary).toEqual(f32(1, 2));
  });

  it('refuses raw and typed mixed, and a raw entry count that is not one per input', () => {
    const x = { name: 'x', datatype: 'FP32', shape: ['2'] };
    expect(() => inferBody({ model_name: 'm', inputs: [{ ...x, contents: { fp32_contents: [1, 2] } }], raw_input_contents: [f32(1, 2)] })).toThrow(
      /has contents while the request uses raw_input_contents/,
    );
    expect(() => inferBody({ model_name: 'm', inputs: [x, { ...x, name: 'z' }], raw_input_contents: [f32(1, 2)] })).toThrow(
      /raw_input_contents has 1 entries for 2 inputs/,
    );
  });
});

describe('the instance answer → ModelInferResponse', () => {
  const answer = packBinary(
    {
      model_name: 'm',
      model_version: '1',
      id: 'r1',
      outputs: [
        { name: 'y', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } },
        { name: 'h', datatype: 'FP16', shape: [1], parameters: { binary_data_size: 2 } },
      ],
    },
    [f32(0, 4), Buffer.from([0, 0x3c])],
  );
  const outcome = { status: 200, contentType: 'application/octet-stream', body: answer.body, headerLength: answer.headerLength };

  it('answers raw_output_contents for a raw request', () => {
    const r = inferResponse(outcome, 'm', true);
    expect(r).toMatchObject({
      model_name: 'm',
      model_version: '1',
      id: 'r1',
      outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 2], parameters: {} }, { name: 'h' }],
    });
    expect(r.raw_output_contents).toEqual([f32(0, 4), Buffer.from([0, 0x3c])]);
  });

  it('answers typed contents for a typed request, unless an output has no typed field (FP16: all raw)', () => {
    expect(inferResponse(outcome, 'm', false).raw_output_contents).toHaveLength(2);
    const json = {
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ model_name: 'm', outputs: [{ name: 'y', datatype: 'INT32', shape: [2], data: [3, 4] }] }),
    };
    const r = inferResponse(json, 'm', false);
    expect(r.outputs[0]!.contents).toEqual({ int_contents: [3, 4] });
    expect(r.raw_output_contents).toEqual([]);
  });

  it('says MODEL_ERROR for an answer that is not an infer response', () => {
    expect(() => inferResponse({ status: 200, contentType: 'text/plain', body: 'nope' }, 'm', true)).toThrow(expect.objectContaining({ code: 'MODEL_ERROR' }));
  });
});

describe('InferParameter ↔ JSON values', () => {
  it('maps booleans, integers and strings both ways', () => {
    expect(parameterValue({ parameter_choice: 'bool_param', bool_param: false })).toBe(false);
    expect(parameterValue({ parameter_choice: 'int64_param', int64_param: '9007199254740993' })).toBe('9007199254740993');
    expect(parameterValue({ parameter_choice: 'string_param', string_param: 's' })).toBe('s');
    expect(toParameters({ a: true, b: 3, c: 'x', d: 1.5, binary_data_size: 8 }, 'binary_data_size')).toEqual({
      a: { bool_param: true },
      b: { int64_param: 3 },
      c: { string_param: 'x' },
      d: { string_param: '1.5' },
    });
  });
});
