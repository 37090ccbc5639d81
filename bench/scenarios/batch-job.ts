/**
 * 11. Batch job: the MNIST CNN as a batch prediction job on one instance with dynamic
 * batching (32, 2 ms) and 64 requests in flight, three ways: a JSONL file of OIP v2 infer
 * bodies (the plain ONNX package, one input per request), and a folder of 28×28 PNG digits
 * through the built-in image handler (modeldock.json: GRAY, MNIST normalisation) one image
 * per request and 32 per request (recordsPerRequest). Images/s is the job's own figure
 * (summary.json: inputs over the time its instance was serving, start-up left out), set
 * against scenario 1's in-process limit of the same model, batch 1 and batch 32.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Ctx } from '../lib/context.js';
import { childrenOf, only, Watch } from '../lib/procs.js';
import { ratio, type Row } from '../lib/report.js';
import { startPlatform, type Proc } from '../lib/spawn.js';
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

/** The MNIST ONNX package as an image classifier: no code, a modeldock.json. */
function imagePackage(ctx: Ctx): string {
  const dir = path.join(ctx.tmp, 'mnist-images');
  fs.cpSync(ctx.fx.mnistOnnx, dir, { recursive: true });
  const config = {
    dynamicBatch: true,
    input: { name: 'input', width: 28, height: 28, channels: 'GRAY', scale: 1 / 255, mean: [0.1307], std: [0.3081] },
    output: { softmax: true },
    topK: 1,
  };
  fs.writeFileSync(path.join(dir, 'modeldock.json'), JSON.stringify(config));
  return dir;
}

async function writeDigitPngs(folder: string, n: number): Promise<void> {
  const { heldout } = mnistSplit();
  fs.mkdirSync(folder, { recursive: true });
  for (let i = 0; i < n; i++) {
    const k = i % heldout.count;
    const png = await sharp(Buffer.from(heldout.images.subarray(k * 784, (k + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toBuffer();
    fs.writeFileSync(path.join(folder, `${String(i).padStart(6, '0')}.png`), png);
  }
}

/** Runs one job to its end; its summary and the CPU the platform and its instance used. */
async function runJob(p: Proc, dataDir: string, spec: Record<string, unknown>, output: string) {
  const watch = new Watch({ platform: only(p.pid), instance: childrenOf(p.pid) }).start();
  await api(p.url, 'POST', '/api/v1/batch-jobs', {
    instances: 1,
    resources: { cpuMillicores: 1000, memoryMiB: 1024 },
    batching: { maxBatchSize: 32, maxQueueDelayMs: 2 },
    concurrency: 64,
    ...spec,
  });
  const job = await until(
    `batch job ${String(spec.name)} to end`,
    async () => {
      const j = await api<{ state: string; reason?: string }>(p.url, 'GET', `/api/v1/batch-jobs/${String(spec.name)}`);
      return ['Succeeded', 'Failed', 'Stopped'].includes(j.state) ? j : undefined;
    },
    600_000,
    200,
  );
  const usage = watch.stop();
  if (job.state !== 'Succeeded') throw new Error(`batch job ${String(spec.name)} ended ${job.state}: ${job.reason}`);
  const summary = JSON.parse(fs.readFileSync(path.join(dataDir, 'blobs', output, 'summary.json'), 'utf8')) as {
    total: number;
    failed: number;
    throughputPerSecond: number;
    durationMs: number;
  };
  if (summary.failed) throw new Error(`${summary.failed} of ${summary.total} inputs failed`);
  return { summary, usage };
}

export async function batchJob(ctx: Ctx): Promise<void> {
  const S = '11 batch job';
  const dataDir = path.join(ctx.tmp, 'platform-batch');
  const p = await startPlatform(dataDir);
  try {
    await importModel(p.url, 'mnist', ctx.fx.mnistOnnx, 'onnx', ONNX);
    await importModel(p.url, 'mnist-images', imagePackage(ctx), 'onnx', ONNX);
    const n = Math.max(2_000, 1_000 * ctx.seconds);
    const blobs = path.join(dataDir, 'blobs', 'bench');
    fs.mkdirSync(blobs, { recursive: true });
    fs.writeFileSync(path.join(blobs, 'digits.jsonl'), digitsJsonl(n));
    await writeDigitPngs(path.join(blobs, 'digits'), n);
    const cases: [string, Record<string, unknown>, string][] = [
      [
        `MNIST CNN, ${n} JSONL OIP bodies, 1 per request (images/s)`,
        { name: 'jsonl', model: 'mnist', modelVersion: 'v1', input: { path: 'bench/digits.jsonl' } },
        'bench/digits.jsonl.jsonl.out',
      ],
      [
        `MNIST CNN, ${n} PNGs (image handler), 1 per request (images/s)`,
        { name: 'png1', model: 'mnist-images', modelVersion: 'v1', input: { path: 'bench/digits' } },
        'bench/digits.png1.out',
      ],
      [
        `MNIST CNN, ${n} PNGs (image handler), 32 per request (images/s)`,
        { name: 'png32', model: 'mnist-images', modelVersion: 'v1', input: { path: 'bench/digits' }, recordsPerRequest: 32, concurrency: 4 },
        'bench/digits.png32.out',
      ],
    ];
    for (const [name, spec, output] of cases) {
      const { summary, usage } = await runJob(p, dataDir, spec, output);
      const row: Row = {
        scenario: S,
        case: name,
        rps: summary.throughputPerSecond,
        errors: summary.failed,
        usage,
        vs: [],
        note: `whole job ${(summary.durationMs / 1000).toFixed(1)} s wall, instance start-up included`,
      };
      for (const [key, base] of [
        ['limit:MNIST CNN:1', 'in-process limit, batch 1'],
        ['limit:MNIST CNN:32', 'in-process limit, batch 32'],
      ] as const) {
        const r = ratio(row, ctx.saved.get(key), base);
        if (r) row.vs.push(r);
      }
      ctx.rows.push(row);
      ctx.log(`${S} | ${name}: ${summary.throughputPerSecond.toFixed(0)} images/s`);
    }
  } finally {
    await p.stop();
  }
}
