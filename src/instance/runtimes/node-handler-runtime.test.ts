import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageWith, TEMPLATES, tempDir, base64Of } from '../../../test/instance-harness.js';
import { tinyReluOnnx } from '../../../test/gateway-model.js';
import { DEFAULT_IMAGE_POLICY } from '../images/image-policy.js';
import { runtimeContract } from '../runtime.contract.js';
import { DataPlane } from '../data-plane.js';
import { NodeHandlerRuntime } from './node-handler-runtime.js';

const templatePackage = () => {
  const dir = tempDir();
  fs.cpSync(path.join(TEMPLATES, 'node/handler'), dir, { recursive: true });
  return dir;
};

runtimeContract({
  name: 'node handler (templates/node/handler, TypeScript)',
  create: () => new NodeHandlerRuntime(DEFAULT_IMAGE_POLICY),
  modelDir: templatePackage,
  tensors: false,
  bodies: [{ values: [1, 2, 3.5] }, { values: [-1] }],
  badBody: { values: ['x'] },
  check: (b, r) => expect((r as { count: number }).count).toBe((b as { values: number[] }).values.length),
});

/** A JS handler that batches (maxBatchSize 4), uses ctx.ort on an ONNX file and ctx.images. */
const BATCHING_JS = `
import path from 'node:path';
export class Model {
  maxBatchSize = 4;
  constructor(dir, ctx) { this.dir = dir; this.ctx = ctx; }
  async load() { this.session = await this.ctx.ort.InferenceSession.create(path.join(this.dir, 'model.onnx')); }
  async preprocess(body) {
    if (body.image) { const [bytes] = await this.ctx.images.loadAll([body.image]); return [bytes.length, 0, 0, -1]; }
    if (!Array.isArray(body.x)) throw this.ctx.badInput('x is missing');
    return body.x;
  }
  async predict(xs) {
    (globalThis.__handlerBatches ??= []).push(xs.length);
    const t = new this.ctx.ort.Tensor('float32', Float32Array.from(xs.flat()), [xs.length, 4]);
    const y = (await this.session.run({ x: t })).y.data;
    return xs.map((_, i) => Array.from(y.slice(i * 4, i * 4 + 4)));
  }
  async postprocess(y) { return { y }; }
}
`;

runtimeContract({
  name: 'node handler (JavaScript, batching, onnxruntime from ctx)',
  create: () => new NodeHandlerRuntime(DEFAULT_IMAGE_POLICY, 'onnxruntime1.30-node20-cpu'),
  modelDir: () => packageWith({ 'model_service.mjs': BATCHING_JS, 'model.onnx': tinyReluOnnx() }),
  tensors: false,
  bodies: [{ x: [-1, 2, -3, 4] }, { x: [5, -6, 7, -8] }, { image: base64Of('cat-kserve.jpg') }],
  badBody: { nope: 1 },
  check: (b, r) => {
    const x = (b as { x?: number[] }).x;
    if (x) expect((r as { y: number[] }).y).toEqual(x.map((v) => Math.max(0, v)));
  },
});

describe('NodeHandlerRuntime', () => {
  const ctx = (modelDir: string) => ({ modelDir, modelName: 'm', env: {}, threads: 1, maxBatchSize: 1, log: () => undefined });

  it('hands several bodies to one predict call when the handler batches', async () => {
    const rt = new NodeHandlerRuntime(DEFAULT_IMAGE_POLICY);
    await rt.load(ctx(packageWith({ 'model_service.mjs': BATCHING_JS, 'model.onnx': tinyReluOnnx() })));
    expect(rt.maxBatchSize()).toBe(4);
    const g = globalThis as { __handlerBatches?: number[] };
    g.__handlerBatches = [];
    const out = (await rt.predict([{ x: [1, 1, 1, 1] }, { x: [2, 2, 2, 2] }, { x: [3, 3, 3, 3] }])) as { y: number[] }[];
    expect(g.__handlerBatches).toEqual([3]);
    expect(out.map((o) => o.y[0])).toEqual([1, 2, 3]);
    await rt.close();
  });

  it('strips types from a TypeScript handler that imports a sibling .ts module', async () => {
    const dir = packageWith({
      'model_service.ts': `import { twice } from './lib/math.ts';\nexport default class M { async predict(x: number): Promise<number> { return twice(x); } }`,
      'lib/math.ts': `export const twice = (n: number): number => n * 2;`,
    });
    const rt = new NodeHandlerRuntime(DEFAULT_IMAGE_POLICY);
    await rt.load(ctx(dir));
    expect(await rt.predict([21])).toEqual([42]);
    await rt.close();
  });

  it("reports the inputs/outputs the handler declares, overridden by modeldock.json's, and answers OIP v2 through the data plane", async () => {
    const src = `export default class M {\n  inputs = [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }];\n  outputs = [{ name: 'sum', datatype: 'FP32', shape: [-1] }];\n  predict(b) { return { sum: b.x.map((r) => r[0] + r[1]) }; }\n}`;
    const rt = new NodeHandlerRuntime(DEFAULT_IMAGE_POLICY);
    await rt.load(ctx(packageWith({ 'model_service.js': src })));
    expect(rt.metadata()).toMatchObject({
      name: 'm',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }],
      outputs: [{ name: 'sum', datatype: 'FP32', shape: [-1] }],
    });
    const plane = new DataPlane(rt, { modelName: 'm', maxQueueDelayMs: 0, maxQueue: 8 });
    const { response } = await plane.infer({ inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4.5] }] }, 5_000);
    expect(response.outputs).toEqual([{ name: 'sum', datatype: 'FP32', shape: [2], data: [3, 7.5] }]);
    await expect(plane.infer({ inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] }, 5_000)).rejects.toThrow(
      /must have shape \[-1, 2\]/,
    );
    await rt.close();
    const declared = new NodeHandlerRuntime(DEFAULT_IMAGE_POLICY);
    await declared.load(
      ctx(packageWith({ 'model_service.js': src, 'modeldock.json': JSON.stringify({ outputs: [{ name: 'total', datatype: 'FP64', shape: [-1] }] }) })),
    );
    expect(declared.metadata().outputs).toEqual([{ name: 'total', datatype: 'FP64', shape: [-1] }]);
    await declared.close();
  });

  it('fails the load with the reason when load() throws or no class is exported', async () => {
    const throwing = packageWith({ 'model_service.js': `export default class M { load() { throw new Error('weights missing'); } predict() {} }` });
    await expect(new NodeHandlerRuntime(DEFAULT_IMAGE_POLICY).load(ctx(throwing))).rejects.toThrow('weights missing');
    const none = packageWith({ 'model_service.mjs': `export const x = 1;` });
    await expect(new NodeHandlerRuntime(DEFAULT_IMAGE_POLICY).load(ctx(none))).rejects.toThrow(/exports no class with a predict/);
  });
});
