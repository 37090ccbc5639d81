import { describe, expect, it } from 'vitest';
import { contentsToRaw, jsonToRaw, rawToContents } from './tensor-contents.js';

describe('gRPC typed contents ↔ raw bytes', () => {
  it('lays typed contents out as the raw layout (little-endian, row-major) and reads them back', () => {
    const fp32 = contentsToRaw('FP32', [2, 2], { fp32_contents: [1.5, -2, 0, 3.25] }, 'x');
    expect(Array.from(new Float32Array(fp32.buffer.slice(fp32.byteOffset, fp32.byteOffset + fp32.length)))).toEqual([1.5, -2, 0, 3.25]);
    expect(rawToContents('FP32', fp32)).toEqual({ fp32_contents: [1.5, -2, 0, 3.25] });
    const i16 = contentsToRaw('INT16', [3], { int_contents: [-1, 2, 32767] }, 'x');
    expect([...i16]).toEqual([0xff, 0xff, 2, 0, 0xff, 0x7f]);
    expect(rawToContents('INT16', i16)).toEqual({ int_contents: [-1, 2, 32767] });
    const i64 = contentsToRaw('INT64', [2], { int64_contents: ['-5', '9007199254740993'] }, 'x');
    expect(i64.readBigInt64LE(8)).toBe(9007199254740993n);
    expect(rawToContents('INT64', i64)).toEqual({ int64_contents: ['-5', '9007199254740993'] });
    expect([...contentsToRaw('BOOL', [3], { bool_contents: [true, false, true] }, 'x')]).toEqual([1, 0, 1]);
    expect(rawToContents('BOOL', Buffer.from([0, 1]))).toEqual({ bool_contents: [false, true] });
  });

  it('writes BYTES as length-prefixed elements and splits them again', () => {
    const raw = contentsToRaw('BYTES', [2], { bytes_contents: [Buffer.from('hi'), Buffer.from('')] }, 'x');
    expect([...raw]).toEqual([2, 0, 0, 0, 0x68, 0x69, 0, 0, 0, 0]);
    expect(rawToContents('BYTES', raw)!.bytes_contents!.map((b) => Buffer.from(b).toString())).toEqual(['hi', '']);
  });

  it('refuses contents that do not fit the datatype or shape, naming the input', () => {
    expect(() => contentsToRaw('FP32', [1, 4], { fp32_contents: [1, 2, 3] }, 'input "x"')).toThrow(
      /input "x": shape \[1, 4\] holds 4 values, contents.fp32_contents has 3/,
    );
    expect(() => contentsToRaw('FP32', [2], { int_contents: [1, 2] }, 'input "x"')).toThrow(
      /takes its values in contents.fp32_contents, not contents.int_contents/,
    );
    expect(() => contentsToRaw('UINT8', [1], { uint_contents: [256] }, 'x')).toThrow(/UINT8 values must be from 0 to 255/);
    expect(() => contentsToRaw('FP16', [1], {}, 'x')).toThrow(/FP16 has no typed contents field; send it in raw_input_contents/);
    expect(() => contentsToRaw('FP33', [1], {}, 'x')).toThrow(/unknown datatype "FP33"/);
    try {
      contentsToRaw('FP32', [1], {}, 'x');
    } catch (e) {
      expect((e as { code: string }).code).toBe('INVALID_TENSOR');
    }
  });

  it('has no typed form for FP16 (it stays raw) and turns JSON data into raw bytes', () => {
    expect(rawToContents('FP16', Buffer.alloc(2))).toBeUndefined();
    expect([...jsonToRaw('FP16', [1])]).toEqual([0x00, 0x3c]);
    expect([...jsonToRaw('INT32', [[1], [2]])]).toEqual([1, 0, 0, 0, 2, 0, 0, 0]);
    expect([...jsonToRaw('BYTES', ['a'])]).toEqual([1, 0, 0, 0, 0x61]);
  });
});
