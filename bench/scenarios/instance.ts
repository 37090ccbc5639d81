/**
 * Scenarios on a lone `modeldock instance` (no platform):
 * 3. Instance direct: OIP v2 infer on the MNIST CNN at concurrency 1, 8, 32.
 * 5. Dynamic batching off/on (maxBatchSize 32, maxQueueDelayMs 2) on MNIST and SqueezeNet.
 * 6. TI-ONE path: {"images":[<base64 JPEG>]} to pytorch/mnist (Python runtime) and to
 *    the ONNX classifier with a 224×224 photo.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { measure, skipped, type Ctx } from '../lib/context.js';
import { PYTHON } from '../lib/fixtures.js';
import { rssMiB, tree, Watch } from '../lib/procs.js';
import { ratio } from '../lib/report.js';
import { ROOT, startInstance, type Proc } from '../lib/spawn.js';

const ONNX = 'onnxruntime1.30-node20-cpu';
const TORCH = 'torch1.13-py311-cpu';
const BATCHING = ['--max-batch-size', '32', '--max-queue-delay-ms', '2'];

async function withInstance<T>(
  dir: string,
  runtime: string,
  name: string,
  extra: string[],
  fn: (p: Proc) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  const p = await startInstance(dir, runtime, name, extra, env);
  try {
    return await fn(p);
  } finally {
    await p.stop();
  }
}

export async function direct(ctx: Ctx): Promise<void> {
  const S = '3 instance direct';
  await withInstance(ctx.fx.mnistOnnx, ONNX, 'mnist', [], async (inst) => {
    ctx.saved.set('instance:startMs', { scenario: S, case: 'start', rps: undefined, p50: inst.readyMs, vs: [] });
    ctx.saved.set('instance:idleRss', { scenario: S, case: 'idle', p50: rssMiB(inst.pid), vs: [] });
    for (const c of [1, 8, 32]) {
      const row = await measure(
        ctx,
        { url: `${inst.url}/v2/models/mnist/infer`, body: ctx.fx.mnistInfer, connections: c },
        { instance: tree(inst.pid) },
        { scenario: S, case: 'MNIST CNN, OIP v2 infer' },
        `direct:${c}`,
      );
      const r = ratio(row, ctx.saved.get(`bare:${c}`), `bare HTTP c=${c}`);
      if (r) row.vs.push(r);
    }
    for (const c of [1, 32]) {
      const row = await measure(
        ctx,
        { url: `${inst.url}/v2/models/mnist/infer`, ...ctx.fx.mnistBinary, connections: c },
        { instance: tree(inst.pid) },
        { scenario: S, case: 'MNIST CNN, OIP v2 binary tensors (in and out)' },
        `direct-binary:${c}`,
      );
      const r = ratio(row, ctx.saved.get(`direct:${c}`), `JSON c=${c}`);
      if (r) row.vs.push(r);
    }
  });
}

export async function batching(ctx: Ctx): Promise<void> {
  const S = '5 dynamic batching';
  const cases: [string, string | undefined, string, string][] = [
    ['MNIST CNN, OIP v2 infer', ctx.fx.mnistOnnx, '/v2/models/m/infer', ctx.fx.mnistInfer],
    ['SqueezeNet, predict 224×224 JPEG', ctx.fx.squeezenet, '/v1/models/m:predict', ctx.fx.photoPredict ?? ''],
  ];
  for (const [name, dir, route, body] of cases) {
    if (!dir || !body) {
      skipped(ctx, S, name, ctx.fx.missing.squeezenet ?? ctx.fx.missing.photo ?? 'missing');
      continue;
    }
    for (const on of [false, true]) {
      await withInstance(dir, ONNX, 'm', on ? BATCHING : [], async (inst) => {
        for (const c of [1, 32, 64]) {
          const key = `batch:${name}:${on}:${c}`;
          const row = await measure(
            ctx,
            { url: `${inst.url}${route}`, body, connections: c },
            { instance: tree(inst.pid) },
            { scenario: S, case: `${name}, batching ${on ? 'on (32, 2 ms)' : 'off'}` },
            key,
          );
          if (on) {
            const r = ratio(row, ctx.saved.get(`batch:${name}:false:${c}`), `batching off c=${c}`);
            if (r) row.vs.push({ ...r, text: `${r.rps!.toFixed(2)}× req/s, p99 ${(row.p99! / ctx.saved.get(`batch:${name}:false:${c}`)!.p99!).toFixed(2)}×` });
          }
        }
      });
    }
  }
}

/** The TI-ONE package in Python alone (no HTTP, no Node): the in-run baseline for the Python path. */
async function pythonInProcess(ctx: Ctx, pkg: string, body: string): Promise<void> {
  const req = path.join(ctx.tmp, 'tione-request.json');
  fs.writeFileSync(req, body);
  const child = spawn(PYTHON, [path.join(ROOT, 'bench/lib/python_inproc.py'), pkg, req, String(ctx.seconds)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  const watch = new Watch({ python: tree(child.pid!) }).start();
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const usage = watch.stop();
  if (code !== 0) throw new Error(`python_inproc.py exited with ${code}: ${err}`);
  const r = JSON.parse(out.trim().split('\n').pop()!) as { calls: number; seconds: number; p50: number; p99: number };
  const row = {
    scenario: '6 TI-ONE path',
    case: 'pytorch/mnist in Python alone (no HTTP)',
    c: 1,
    rps: r.calls / r.seconds,
    p50: r.p50,
    p99: r.p99,
    errors: 0,
    usage,
    vs: [],
    note: 'model_service.py called in process, one call at a time',
  };
  ctx.rows.push(row);
  ctx.saved.set('tione:python-alone', row);
  ctx.log(`6 TI-ONE | python alone: ${row.rps.toFixed(0)}/s p50 ${r.p50.toFixed(2)} ms`);
}

export async function tione(ctx: Ctx): Promise<void> {
  const S = '6 TI-ONE path';
  const REFERENCE = 500; // the issue's FastAPI/uvicorn server on this machine (not installed here)
  if (!ctx.fx.mnistPython) skipped(ctx, S, 'pytorch/mnist on the Python runtime', ctx.fx.missing.python ?? 'missing');
  else {
    await pythonInProcess(ctx, ctx.fx.mnistPython, ctx.fx.digitPredict).catch((e: Error) => skipped(ctx, S, 'pytorch/mnist in Python alone', e.message));
    await withInstance(ctx.fx.mnistPython, TORCH, 'mnist', [], async (inst) => {
      for (const c of [1, 8]) {
        const row = await measure(
          ctx,
          { url: `${inst.url}/v1/models/m:predict`, body: ctx.fx.digitPredict, connections: c },
          { instance: tree(inst.pid) },
          { scenario: S, case: 'pytorch/mnist, Python runtime, 28×28 digit JPEG' },
          `tione:python:${c}`,
        );
        const alone = ratio(row, ctx.saved.get('tione:python-alone'), 'Python alone');
        if (alone) row.vs.push(alone);
        row.vs.push({ name: "the issue's Python server (500 req/s, not measured here)", rps: row.rps! / REFERENCE });
      }
    });
    // The same package with TI-ONE's batching on: concurrent calls reach predict() as one list.
    await withInstance(
      ctx.fx.mnistPython,
      TORCH,
      'mnist',
      ['--max-queue-delay-ms', '2'],
      async (inst) => {
        for (const c of [8, 32]) {
          const row = await measure(
            ctx,
            { url: `${inst.url}/v1/models/m:predict`, body: ctx.fx.digitPredict, connections: c },
            { instance: tree(inst.pid) },
            { scenario: S, case: 'pytorch/mnist, Python runtime, batching on (TI_INFERENCE_MAX_BATCH_SIZE=16, 2 ms)' },
            `tione:python-batched:${c}`,
          );
          const off = ratio(row, ctx.saved.get('tione:python:8'), 'batching off c=8');
          if (off) row.vs.push(off);
          row.vs.push({ name: "the issue's Python server (500 req/s, not measured here)", rps: row.rps! / REFERENCE });
        }
      },
      { TI_INFERENCE_MAX_BATCH_SIZE: '16' },
    );
  }
  if (!ctx.fx.squeezenet || !ctx.fx.photoPredict) skipped(ctx, S, 'onnx/classify', ctx.fx.missing.squeezenet ?? ctx.fx.missing.photo ?? 'missing');
  else {
    await withInstance(ctx.fx.squeezenet, ONNX, 'classify', [], async (inst) => {
      for (const c of [1, 8]) {
        const row = await measure(
          ctx,
          { url: `${inst.url}/v1/models/m:predict`, body: ctx.fx.photoPredict!, connections: c },
          { instance: tree(inst.pid) },
          { scenario: S, case: 'onnx/classify (SqueezeNet), 224×224 photo JPEG' },
          `tione:classify:${c}`,
        );
        const r = ratio(row, ctx.saved.get('limit:SqueezeNet FP16:1'), 'SqueezeNet in process (batch 1)');
        if (r) row.vs.push(r);
      }
    });
  }
}
