/**
 * A tiny real ONNX model for gateway tests and benchmarks: y = Relu(x), x FP32 [N, 4].
 * Written as ONNX protobuf bytes here (no Python `onnx` package on this machine), so the
 * instance serves it through onnxruntime like any other model, in microseconds per call.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
};
const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, v: number) => [...key(field, 0), ...varint(v)];
const bytes = (field: number, b: number[] | Buffer) => [...key(field, 2), ...varint(b.length), ...b];
const str = (field: number, s: string) => bytes(field, Buffer.from(s, 'utf8'));

function valueInfo(name: string, width: number): number[] {
  const dims = [...bytes(1, str(2, 'N')), ...bytes(1, int(1, width))];
  const tensorType = [...int(1, 1 /* FLOAT */), ...bytes(2, dims)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

/** The model's bytes: opset 13, input `x` FP32 [N, width], output `y` FP32 [N, width] = op(x). */
export function tinyOnnx(op: 'Relu' | 'Abs' = 'Relu', width = 4): Buffer {
  const node = [...str(1, 'x'), ...str(2, 'y'), ...str(3, op.toLowerCase()), ...str(4, op)];
  const graph = [...bytes(1, node), ...str(2, 'tiny'), ...bytes(11, valueInfo('x', width)), ...bytes(12, valueInfo('y', width))];
  const model = [...int(1, 7), ...str(2, 'modeldock-test'), ...bytes(7, graph), ...bytes(8, int(2, 13))];
  return Buffer.from(model);
}

export const tinyReluOnnx = (): Buffer => tinyOnnx('Relu');

/** A model folder holding only `model.onnx` (served over OIP v2 by the onnx runtime). */
export function tinyModelDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-tiny-'));
  fs.writeFileSync(path.join(dir, 'model.onnx'), tinyReluOnnx());
  return dir;
}

/** An OIP v2 infer request for the tiny model. */
export const tinyInferBody = (values: number[] = [-1, 0, 1, 2]): string =>
  JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: values }] });
