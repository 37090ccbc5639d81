import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { tinyReluOnnx } from '../../../test/gateway-model.js';
import { floatsToHalf, halfToFloats } from '../../contracts/fp16.js';
import { runtimeContract } from '../runtime.contract.js';
import { OnnxRuntime } from './onnx-runtime.js';

const tinyDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-onnx-'));
  fs.writeFileSync(path.join(dir, 'model.onnx'), tinyReluOnnx());
  return dir;
};
const body = (values: number[]) => ({ inputs: [{ name: 'x', shape: [values.length / 4, 4], datatype: 'FP32', data: values }] });

runtimeContract({
  name: 'onnx (plain OIP package)',
  create: () => new OnnxRuntime(),
  modelDir: tinyDir,
  tensors: true,
  maxBatchSize: 8,
  bodies: [body([-1, 0, 1, 2]), body([3, -4, 5, -6, 7, 8, -9, 10])],
  badBody: { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] },
  check: (b, r) => {
    const x = (b as ReturnType<typeof body>).inputs[0]!.data;
    expect((r as { outputs: { data: number[] }[] }).outputs[0]!.data).toEqual(x.map((v) => Math.max(0, v)));
  },
});

describe('OnnxRuntime', () => {
  const ctx = (modelDir: string, maxBatchSize = 1) => ({ modelDir, modelName: 'm', env: {}, threads: 1, maxBatchSize, log: () => undefined });

  it('batches only when the first dimension is dynamic, up to the instance cap', async () => {
    const rt = new OnnxRuntime();
    await rt.load(ctx(tinyDir(), 16));
    expect(rt.maxBatchSize()).toBe(16);
    expect(rt.metadata().inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, 4] }]);
    await rt.close();
    const sq = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-sq-'));
    fs.copyFileSync(new URL('../../../examples/fixtures/squeezenet1.1-fp16.onnx', import.meta.url), path.join(sq, 'squeezenet.onnx'));
    const fixed = new OnnxRuntime();
    await fixed.load(ctx(sq, 16));
    expect(fixed.maxBatchSize()).toBe(1);
    expect(fixed.metadata().inputs[0]).toEqual({ name: 'data_0', datatype: 'FP16', shape: [1, 3, 224, 224] });
    // FP16 in and out: same half bits as onnxruntime called directly
    const x = floatsToHalf(Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => ((i * 37) % 255) - 120));
    const [y] = await fixed.infer([{ name: 'data_0', datatype: 'FP16', shape: [1, 3, 224, 224], data: x }]);
    const direct = await fixed.session.run({ data_0: new ort.Tensor('float16', x, [1, 3, 224, 224]) });
    expect(y!.datatype).toBe('FP16');
    expect([...(y!.data as Uint16Array)]).toEqual([...(direct.softmaxout_1!.data as Uint16Array)]);
    const probs = halfToFloats(y!.data as Uint16Array);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 1);
    await fixed.close();
  });

  it('refuses a package with several .onnx files and no model.onnx', async () => {
    const dir = tinyDir();
    fs.renameSync(path.join(dir, 'model.onnx'), path.join(dir, 'a.onnx'));
    fs.writeFileSync(path.join(dir, 'b.onnx'), tinyReluOnnx());
    await expect(new OnnxRuntime().load(ctx(dir))).rejects.toThrow(/several .onnx files/);
  });
});
