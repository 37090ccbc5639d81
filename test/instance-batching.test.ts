/**
 * Dynamic batching in a real instance: concurrent OIP calls on a dynamic-batch ONNX model
 * and concurrent image predicts on SqueezeNet (batch dim made symbolic) are joined into
 * batches (visible in /metrics), and every caller gets its own answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyModelDir } from './gateway-model.js';
import { base64Of, get, metricValue, post, squeezenetPackage, startInstance, type Instance } from './instance-harness.js';

const RUNTIME = 'onnxruntime1.30-node20-cpu';

async function batchStats(url: string): Promise<{ batches: number; rows: number }> {
  const text = (await get(`${url}/metrics`)).body as string;
  return { batches: metricValue(text, 'modeldock_instance_batch_size_count'), rows: metricValue(text, 'modeldock_instance_batch_size_sum') };
}

describe('instance: dynamic batching', () => {
  let tiny: Instance;
  let sq: Instance;
  beforeAll(async () => {
    [tiny, sq] = await Promise.all([
      startInstance(['--model-dir', tinyModelDir(), '--runtime', RUNTIME, '--model-name', 'tiny', '--max-batch-size', '16', '--max-queue-delay-ms', '5']),
      startInstance(['--model-dir', squeezenetPackage(), '--runtime', RUNTIME, '--model-name', 'sq', '--max-batch-size', '8', '--max-queue-delay-ms', '20']),
    ]);
  });
  afterAll(async () => {
    await Promise.all([tiny?.stop(), sq?.stop()]);
  });

  it('joins concurrent OIP calls into batches and answers each caller its own rows', async () => {
    const n = 200;
    const calls = Array.from({ length: n }, (_, i) => {
      const rows = 1 + (i % 3);
      const data = Array.from({ length: rows * 4 }, (_, k) => (k % 2 ? -1 : 1) * (i * 100 + k));
      return { rows, data };
    });
    const answers = await Promise.all(
      calls.map((c) => post(`${tiny.url}/v2/models/tiny/infer`, { inputs: [{ name: 'x', shape: [c.rows, 4], datatype: 'FP32', data: c.data }] })),
    );
    answers.forEach((a, i) => {
      expect(a.status).toBe(200);
      expect(a.body.outputs[0].shape).toEqual([calls[i]!.rows, 4]);
      expect(a.body.outputs[0].data).toEqual(calls[i]!.data.map((v) => Math.max(0, v)));
    });
    const s = await batchStats(tiny.url);
    expect(s.rows).toBe(calls.reduce((r, c) => r + c.rows, 0));
    expect(s.batches).toBeLessThan(n); // some calls shared a batch
    expect(s.rows / s.batches).toBeGreaterThan(1);
  });

  it('batches image predicts across callers on SqueezeNet and keeps each answer with its caller', async () => {
    const files = ['cat-jetson.jpg', 'butterfly-monarch-crop.jpg', 'dog-winml.jpg', 'butterfly-monarch-in-may.jpg'];
    const expected = [283, 323, 207, 323];
    const order = Array.from({ length: 24 }, (_, i) => i % files.length);
    const answers = await Promise.all(order.map((k) => post(`${sq.url}/v1/models/m:predict`, { images: [base64Of(files[k]!)] })));
    expect(answers.map((a) => a.body.predictions?.[0]?.index)).toEqual(order.map((k) => expected[k]));
    const s = await batchStats(sq.url);
    expect(s.rows).toBe(order.length);
    expect(s.batches).toBeLessThan(order.length);
  });

  it('runs a lone call at once despite the queue delay', async () => {
    const before = await batchStats(tiny.url);
    const r = await post(`${tiny.url}/v2/models/tiny/infer`, { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, -2, 3, -4] }] });
    expect(r.body.outputs[0].data).toEqual([1, 0, 3, 0]);
    const after = await batchStats(tiny.url);
    expect([after.batches - before.batches, after.rows - before.rows]).toEqual([1, 1]);
  });
});
