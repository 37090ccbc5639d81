/**
 * The instance process's life: ready line, exit codes for bad arguments (2) and load
 * failures (3), SIGTERM draining in-flight calls, the queue bound (503) and deadlines
 * (504), and a Node handler package (the node/handler template) served end to end.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, get, metricValue, packageWith, post, runToExit, startInstance, TEMPLATES, tempDir } from './instance-harness.js';

/** A handler whose predict waits `delayMs` (the model's own work, not a test sleep). */
const SLOW_HANDLER = `export default class Slow {
  async predict(body) { await new Promise((r) => setTimeout(r, body.delayMs ?? 0)); return { done: body.id }; }
}`;

describe('instance: process lifecycle', () => {
  it('exits 2 on bad arguments and 3 with the reason when the model cannot load', async () => {
    const badPort = await runToExit(['--model-dir', '/tmp', '--runtime', 'node20-handler', '--port', 'eighty']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port must be an integer/);
    const missing = await runToExit(['--model-dir', '/tmp', '--port', '0']);
    expect(missing.code).toBe(2);
    const empty = await runToExit(['--model-dir', tempDir(), '--runtime', 'onnxruntime1.30-node20-cpu', '--port', '0']);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(/model load failed .*no \.onnx file/);
    expect(empty.stdout).not.toMatch(/ready/);
    const throwing = packageWith({ 'model_service.js': `export default class M { load() { throw new Error('weights.bin is missing'); } predict() {} }` });
    const failed = await runToExit(['--model-dir', throwing, '--runtime', 'node20-handler', '--port', '0']);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toMatch(/weights\.bin is missing/);
    const unknown = await runToExit(['--model-dir', throwing, '--runtime', 'tensorflow', '--port', '0']);
    expect([unknown.code, /unknown runtime "tensorflow"/.test(unknown.stderr)]).toEqual([3, true]);
  });

  it('serves the node/handler template (TypeScript) over TI-ONE predict', async () => {
    const dir = tempDir();
    fs.cpSync(path.join(TEMPLATES, 'node/handler'), dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), '{"scale": 2}');
    const inst = await startInstance(['--model-dir', dir, '--runtime', 'node20-handler', '--model-name', 'stats']);
    try {
      const ok = await post(`${inst.url}/v1/models/m:predict`, { values: [1, 2, 3.5] });
      expect(ok.body).toEqual({ count: 3, sum: 13, mean: 13 / 3, max: 7 });
      const bad = await post(`${inst.url}/v1/models/m:predict`, { values: [1, 'two'] });
      expect([bad.status, bad.body.error]).toEqual([400, { code: 'INVALID_INPUT', message: 'values[1] is not a finite number' }]);
      const meta = await get(`${inst.url}/v2/models/stats`);
      expect(meta.body).toMatchObject({
        name: 'stats',
        inputs: [{ name: 'values', datatype: 'FP64', shape: [-1] }],
        outputs: [{ name: 'count', datatype: 'FP64', shape: [1] }, { name: 'sum' }, { name: 'mean' }, { name: 'max' }],
      });
      // OIP v2 reaches the handler as {"values": [...]}; its answer's keys are the outputs
      const infer = await post(`${inst.url}/v2/models/stats/infer`, { inputs: [{ name: 'values', shape: [3], datatype: 'FP64', data: [1, 2, 3.5] }] });
      expect([infer.status, infer.body.outputs.map((o: { name: string; datatype: string; data: number[] }) => [o.name, o.datatype, o.data])]).toEqual([
        200,
        [
          ['count', 'FP64', [3]],
          ['sum', 'FP64', [13]],
          ['mean', 'FP64', [13 / 3]],
          ['max', 'FP64', [7]],
        ],
      ]);
      // checked against the declared signature first, then by the handler
      const badV2 = await post(`${inst.url}/v2/models/stats/infer`, { inputs: [{ name: 'values', shape: [1], datatype: 'BYTES', data: ['two'] }] });
      expect([badV2.status, badV2.body]).toEqual([400, { error: 'input "values" must be FP64, got BYTES', code: 'INVALID_TENSOR' }]);
      const empty = await post(`${inst.url}/v2/models/stats/infer`, { inputs: [{ name: 'values', shape: [0], datatype: 'FP64', data: [] }] });
      expect([empty.status, empty.body]).toEqual([400, { error: 'the body must be {"values": [<number>, ...]}', code: 'INVALID_INPUT' }]);
    } finally {
      await inst.stop();
    }
  });

  it('answers a model error as 500 with an id, and keeps serving', async () => {
    const dir = packageWith({
      'model_service.js': `export default class M { predict(b) { if (b.fail) throw new Error('tensor mismatch in layer 3'); return { ok: true }; } }`,
    });
    const inst = await startInstance(['--model-dir', dir, '--runtime', 'node20-handler']);
    try {
      const r = await post(`${inst.url}/v1/models/m:predict`, { fail: true });
      expect([r.status, r.body.error.code]).toEqual([500, 'MODEL_ERROR']);
      expect(r.body.error.message).toMatch(/tensor mismatch in layer 3/);
      expect(r.body.error.id).toMatch(/^\d+-\d+$/);
      expect((await post(`${inst.url}/v1/models/m:predict`, {})).body).toEqual({ ok: true });
    } finally {
      await inst.stop();
    }
  });

  it('bounds the queue (503 QUEUE_FULL) and answers 504 past a request deadline', async () => {
    const inst = await startInstance(['--model-dir', packageWith({ 'model_service.js': SLOW_HANDLER }), '--runtime', 'node20-handler', '--max-queue', '2']);
    try {
      // 4 run at once (the handler's concurrency), 2 wait, the rest are refused
      const calls = Array.from({ length: 10 }, (_, id) => post(`${inst.url}/v1/models/m:predict`, { id, delayMs: 1_000 }));
      const answers = await Promise.all(calls);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 503, 503, 503, 503]);
      const full = answers.find((r) => r.status === 503)!;
      expect([full.body.error.code, full.headers.get('retry-after')]).toEqual(['QUEUE_FULL', '1']);
      const late = await post(`${inst.url}/v1/models/m:predict`, { delayMs: 2_000 }, { 'x-request-timeout-ms': '100' });
      expect([late.status, late.body.error.code]).toEqual([504, 'DEADLINE_EXCEEDED']);
    } finally {
      await inst.stop();
    }
  });

  it('drains in-flight calls on SIGTERM, then exits 0', async () => {
    const inst = await startInstance(['--model-dir', packageWith({ 'model_service.js': SLOW_HANDLER }), '--runtime', 'node20-handler']);
    const inflight = post(`${inst.url}/v1/models/m:predict`, { id: 'slow', delayMs: 800 });
    await eventually(async () => metricValue((await get(`${inst.url}/metrics`)).body as string, 'modeldock_instance_inflight_requests ') >= 2);
    inst.child.kill('SIGTERM');
    const r = await inflight;
    expect([r.status, r.body]).toEqual([200, { done: 'slow' }]);
    expect(await inst.exited).toEqual({ code: 0, signal: null });
  });
});
