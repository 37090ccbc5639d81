/**
 * 11. Batch job: the MNIST CNN (plain ONNX package) as a batch prediction job over a JSONL
 * file of held-out digits (one OIP v2 infer body per line), on one instance with dynamic
 * batching (32, 2 ms) and 64 requests in flight. Images/s is the job's own figure
 * (summary.json: inputs over the time its instance was serving, start-up left out), set
 * against scenario 1's in-process limit of the same model, batch 1 and batch 32.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../lib/context.js';
import { childrenOf, only, Watch } from '../lib/procs.js';
import { ratio, type Row } from '../lib/report.js';
import { startPlatform } from '../lib/spawn.js';
import { api, importModel, until } from '../lib/api.js';
import { mnistSplit } from '../../src/tasks/datasets/mnist.js';

const ONNX = 'onnxruntime1.30-node20-cpu';

/** n OIP infer bodies, one per line: held-out digits normalised as MNIST (cycled). */
function digitsJsonl(n: number): string {
  const { heldout } = mnistSplit();
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % heldout.count;
    const data = Array.from(heldout.images.subarray(k * 784, (k + 1) * 784), (v) => Math.round(((v / 255 - 0.1307) / 0.3081) * 1e4) / 1e4);
    lines.push(JSON.stringify({ inputs: [{ name: 'input', shape: [1, 1, 28, 28], datatype: 'FP32', data }] }));
  }
  return lines.join('\n') + '\n';
}

export async function batchJob(ctx: Ctx): Promise<void> {
  const S = '11 batch job';
  const dataDir = path.join(ctx.tmp, 'platform-batch');
  const p = await startPlatform(dataDir);
  try {
    await importModel(p.url, 'mnist', ctx.fx.mnistOnnx, 'onnx', ONNX);
    const n = Math.max(2_000, 1_000 * ctx.seconds);
    fs.mkdirSync(path.join(dataDir, 'blobs', 'bench'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'blobs', 'bench', 'digits.jsonl'), digitsJsonl(n));
    const watch = new Watch({ platform: only(p.pid), instance: childrenOf(p.pid) }).start();
    await api(p.url, 'POST', '/api/v1/batch-jobs', { name: 'bench', model: 'mnist', modelVersion: 'v1', input: { path: 'bench/digits.jsonl' }, instances: 1, resources: { cpuMillicores: 1000, memoryMiB: 1024 }, batching: { maxBatchSize: 32, maxQueueDelayMs: 2 }, concurrency: 64 });
    const job = await until('the batch job to end', async () => {
      const j = await api<{ state: string; reason?: string }>(p.url, 'GET', '/api/v1/batch-jobs/bench');
      return ['Succeeded', 'Failed', 'Stopped'].includes(j.state) ? j : undefined;
    }, 600_000, 200);
    const usage = watch.stop();
    if (job.state !== 'Succeeded') throw new Error(`the batch job ended ${job.state}: ${job.reason}`);
    const summary = JSON.parse(fs.readFileSync(path.join(dataDir, 'blobs', 'bench', 'digits.jsonl.bench.out', 'summary.json'), 'utf8')) as { total: number; failed: number; throughputPerSecond: number; durationMs: number };
    if (summary.failed) throw new Error(`${summary.failed} of ${summary.total} inputs failed`);
    const row: Row = {
      scenario: S,
      case: `MNIST CNN over ${n} JSONL digits, 1 instance, batching 32 / 2 ms, 64 in flight (images/s)`,
      rps: summary.throughputPerSecond,
      errors: summary.failed,
      usage,
      vs: [],
      note: `whole job ${(summary.durationMs / 1000).toFixed(1)} s wall, instance start-up included`,
    };
    for (const [key, name] of [['limit:MNIST CNN:1', 'in-process limit, batch 1'], ['limit:MNIST CNN:32', 'in-process limit, batch 32']] as const) {
      const r = ratio(row, ctx.saved.get(key), name);
      if (r) row.vs.push(r);
    }
    ctx.rows.push(row);
    ctx.log(`${S} | ${summary.throughputPerSecond.toFixed(0)} images/s`);
  } finally {
    await p.stop();
  }
}
