import { describe, expect, it } from 'vitest';
import { decodeInferRequest, encodeInferResponse } from './infer-codec.js';
import type { GrpcInferResponse } from './infer-message.js';
import { inferenceService } from './proto.js';
import { WireError, WireWriter } from './protobuf-wire.js';

// proto-loader's codec of the same messages, the reference
interface Codec {
  requestSerialize(v: unknown): Buffer;
  requestDeserialize(b: Buffer): unknown;
  responseSerialize(v: unknown): Buffer;
  responseDeserialize(b: Buffer): unknown;
}
const pl = inferenceService().ModelInfer as unknown as Codec;
const f32 = (...v: number[]) => Buffer.from(Float32Array.from(v).buffer);

const RICH = {
  model_name: 'mnist',
  model_version: '2',
  id: 'req-ü-1',
  parameters: {
    flag: { bool_param: true },
    off: { bool_param: false },
    n: { int64_param: '-42' },
    big: { int64_param: '9007199254740993' },
    s: { string_param: 'ä b' },
  },
  inputs: [
    { name: 'x', datatype: 'FP32', shape: [1, 2], parameters: { note: { string_param: 'raw' } } },
    { name: 'big', datatype: 'INT64', shape: ['4294967296', '-1'] },
  ],
  outputs: [{ name: 'y', parameters: { binary_data: { bool_param: true } } }, { name: 'z' }],
  raw_input_contents: [f32(1, -2.5), Buffer.alloc(0)],
};

const TYPED = {
  model_name: 'typed',
  inputs: [
    {
      name: 'all',
      datatype: 'FP32',
      shape: [3],
      contents: {
        bool_contents: [true, false, true],
        int_contents: [-1, 0, 2147483647, -2147483648],
        int64_contents: ['-9223372036854775808', '0', '9223372036854775807', '-5'],
        uint_contents: [0, 4294967295, 7],
        uint64_contents: ['18446744073709551615', '0', '4294967296'],
        fp32_contents: [1.5, -0.25, 3.4028234663852886e38],
        fp64_contents: [Math.PI, -1e-300, 0],
        bytes_contents: [Buffer.from('a'), Buffer.alloc(0), Buffer.from([0, 255])],
      },
    },
  ],
};

describe('ModelInferRequest decoding', () => {
  it('gives what proto-loader gives: names, version, id, parameters of each kind, shapes as strings, raw contents', () => {
    const bytes = pl.requestSerialize(RICH);
    expect(decodeInferRequest(bytes)).toEqual(pl.requestDeserialize(bytes));
  });

  it('decodes typed contents of every field, packed as encoders write them', () => {
    const bytes = pl.requestSerialize(TYPED);
    const mine = decodeInferRequest(bytes);
    expect(mine).toEqual(pl.requestDeserialize(bytes));
    expect(mine.inputs![0]!.contents!.uint64_contents).toEqual(['18446744073709551615', '0', '4294967296']);
  });

  it('takes repeated scalars unpacked too (one element per field), as proto parsers must', () => {
    const w = new WireWriter().stringField(1, 'm');
    w.message(5, (t) => {
      t.stringField(1, 'x').stringField(2, 'INT32');
      t.tag(3, 0).varint(2).tag(3, 0).varint(3);
      t.message(5, (c) => {
        c.tag(2, 0).varint64(-7n).tag(2, 0).varint(9);
        c.tag(6, 5).float(0.5);
        c.tag(1, 0).varint(1);
      });
    });
    const bytes = w.finish();
    const mine = decodeInferRequest(bytes);
    expect(mine).toEqual(pl.requestDeserialize(bytes));
    expect(mine.inputs![0]!.contents).toMatchObject({ int_contents: [-7, 9], fp32_contents: [0.5], bool_contents: [true] });
  });

  it('decodes the empty message to every default', () => {
    expect(decodeInferRequest(Buffer.alloc(0))).toEqual(pl.requestDeserialize(Buffer.alloc(0)));
  });

  it('gives a large raw tensor as a view of the message, not a copy', () => {
    const big = Buffer.alloc(8 << 20, 7);
    big[big.length - 1] = 9;
    const bytes = pl.requestSerialize({ model_name: 'm', inputs: [{ name: 'x', datatype: 'UINT8', shape: [big.length] }], raw_input_contents: [big, f32(1)] });
    const mine = decodeInferRequest(bytes);
    const ref = pl.requestDeserialize(bytes) as { raw_input_contents: Buffer[] };
    // (Buffer.equals: toEqual walks 8 MiB element by element)
    expect(mine.raw_input_contents!.map((b) => Buffer.from(b).equals(big))).toEqual([true, false]);
    expect(ref.raw_input_contents[0]!.equals(big)).toBe(true);
    expect({ ...mine, raw_input_contents: [] }).toEqual({ ...ref, raw_input_contents: [] });
    expect(mine.raw_input_contents![1]).toEqual(f32(1));
    expect(mine.raw_input_contents![0]!.buffer).toBe(bytes.buffer);
  });

  it('skips fields it does not know, of every wire type and at every level', () => {
    const unknown = (w: WireWriter) => w.tag(90, 0).varint(300).tag(91, 1).double(1).stringField(92, 'later').tag(93, 5).float(2);
    const w = new WireWriter();
    unknown(w).stringField(1, 'm');
    w.message(5, (t) => {
      unknown(t).stringField(1, 'x');
      t.message(4, (e) =>
        unknown(e)
          .stringField(1, 'k')
          .message(2, (p) => unknown(p).tag(1, 0).varint(1)),
      );
      t.message(5, (c) => unknown(c).message(6, (p) => p.float(1)));
    });
    w.message(6, (o) => unknown(o).stringField(1, 'y'));
    const bytes = w.finish();
    const mine = decodeInferRequest(bytes);
    expect(mine).toEqual(pl.requestDeserialize(bytes));
    expect(mine.inputs![0]).toMatchObject({ name: 'x', parameters: { k: { bool_param: true } }, contents: { fp32_contents: [1] } });
  });

  it('refuses a cut-off message', () => {
    const bytes = pl.requestSerialize(RICH);
    for (const cut of [1, 5, bytes.length - 3]) expect(() => decodeInferRequest(bytes.subarray(0, cut))).toThrow(WireError);
  });
});

describe('ModelInferResponse encoding', () => {
  const decoded = (res: GrpcInferResponse) => pl.responseDeserialize(encodeInferResponse(res));
  const reference = (res: GrpcInferResponse) => pl.responseDeserialize(pl.responseSerialize(res));

  it('writes what proto-loader reads back as the same answer: raw outputs, shapes, parameters', () => {
    const res: GrpcInferResponse = {
      model_name: 'mnist',
      model_version: '1',
      id: 'r',
      parameters: { t: { bool_param: true }, n: { int64_param: -3 }, s: { string_param: 'x' } },
      outputs: [
        { name: 'y', datatype: 'FP32', shape: [1, 10], parameters: {} },
        { name: 'e', datatype: 'FP32', shape: [0], parameters: { k: { int64_param: 12 } } },
      ],
      raw_output_contents: [f32(...Array.from({ length: 10 }, (_, i) => i / 3)), Buffer.alloc(0)],
    };
    expect(decoded(res)).toEqual(reference(res));
  });

  it('writes typed contents of every field', () => {
    const res: GrpcInferResponse = {
      model_name: 'm',
      model_version: '',
      id: '',
      parameters: {},
      outputs: [{ name: 'all', datatype: 'FP32', shape: [3], parameters: {}, contents: TYPED.inputs[0]!.contents }],
      raw_output_contents: [],
    };
    expect(decoded(res)).toEqual(reference(res));
  });

  it('writes an answer with no outputs, and a large raw output', () => {
    const empty: GrpcInferResponse = { model_name: '', model_version: '', id: '', parameters: {}, outputs: [], raw_output_contents: [] };
    expect(decoded(empty)).toEqual(reference(empty));
    const raw = Buffer.alloc(8 << 20, 3);
    raw[0] = 1;
    const big: GrpcInferResponse = {
      ...empty,
      model_name: 'm',
      outputs: [{ name: 'y', datatype: 'UINT8', shape: [8 << 20], parameters: {} }],
      raw_output_contents: [raw],
    };
    const mine = decoded(big) as { raw_output_contents: Buffer[] };
    const ref = reference(big) as { raw_output_contents: Buffer[] };
    expect(mine.raw_output_contents[0]!.equals(raw)).toBe(true);
    expect({ ...mine, raw_output_contents: [] }).toEqual({ ...ref, raw_output_contents: [] });
  });
});
