import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { makeBatchDimSymbolic, parseFields } from './onnx-batch-dim.js';

const SQUEEZENET = new URL('../../../examples/fixtures/squeezenet1.1-fp16.onnx', import.meta.url);

describe('makeBatchDimSymbolic', () => {
  it('makes the SqueezeNet fixture run batches that match batch-1 runs row by row', async () => {
    const model = fs.readFileSync(SQUEEZENET);
    const r = makeBatchDimSymbolic(model);
    expect(r.inputs).toEqual(['data_0']);
    expect(r.outputs).toEqual(['softmaxout_1']);
    const batched = await ort.InferenceSession.create(r.bytes);
    const single = await ort.InferenceSession.create(model);
    expect(batched.inputMetadata[0]).toMatchObject({ name: 'data_0', shape: ['batch', 3, 224, 224] });
    // three different inputs: zeros, a ramp, noise (as half bits within ±~100)
    const n = 3 * 224 * 224;
    const rows = [0, 1, 2].map((k) =>
      Uint16Array.from({ length: n }, (_, i) => (k === 0 ? 0 : k === 1 ? 0x4000 + (i % 512) : 0x5000 + ((i * 7919) % 1024) + (i % 2 ? 0x8000 : 0))),
    );
    const all = new Uint16Array(3 * n);
    rows.forEach((row, k) => all.set(row, k * n));
    const out = await batched.run({ data_0: new ort.Tensor('float16', all, [3, 3, 224, 224]) });
    const y = out.softmaxout_1!;
    expect(y.dims).toEqual([3, 1000, 1, 1]);
    for (const [k, row] of rows.entries()) {
      const one = (await single.run({ data_0: new ort.Tensor('float16', row, [1, 3, 224, 224]) })).softmaxout_1!;
      expect([...(y.data as Uint16Array).subarray(k * 1000, (k + 1) * 1000)]).toEqual([...(one.data as Uint16Array)]);
    }
    await Promise.all([batched.release(), single.release()]);
  });

  it('leaves a model without a fixed batch of 1 unchanged apart from value_info', () => {
    const model = fs.readFileSync(SQUEEZENET);
    const once = makeBatchDimSymbolic(model).bytes;
    const twice = makeBatchDimSymbolic(once);
    expect(twice.inputs).toEqual([]);
    expect(twice.bytes.equals(once)).toBe(true);
    expect(parseFields(once).map((f) => f.no)).toEqual(parseFields(model).map((f) => f.no));
  });
});
