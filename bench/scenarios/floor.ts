/**
 * 1. Limit: the model in process with onnxruntime-node (batch 1 and 32).
 * 2. Bare HTTP: a minimal node:http server answering a fixed JSON of the same size.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { measure, skipped, type Ctx } from '../lib/context.js';
import { only, Watch } from '../lib/procs.js';
import { ratio } from '../lib/report.js';
import { benchScript, startReadyLine } from '../lib/spawn.js';

interface LimitOut {
  calls: number;
  seconds: number;
  p50: number;
  p99: number;
}

async function limitRun(ctx: Ctx, args: string[]): Promise<{ out: LimitOut; usage: ReturnType<Watch['stop']> }> {
  const child = spawn(process.execPath, [benchScript('limit.js'), ...args, '--seconds', String(ctx.seconds)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const watch = new Watch({ process: only(child.pid!) }).start();
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const usage = watch.stop();
  if (code !== 0) throw new Error(`limit.js ${args.join(' ')} exited with ${code}`);
  return { out: JSON.parse(text.trim()) as LimitOut, usage };
}

export async function limit(ctx: Ctx): Promise<void> {
  const S = '1 limit (in process)';
  const models: [string, string | undefined, string[]][] = [
    ['MNIST CNN', ctx.fx.mnistOnnx, ['input', 'FP32', '1', '28', '28']],
    ['SqueezeNet FP16', ctx.fx.squeezenet, ['data_0', 'FP16', '3', '224', '224']],
  ];
  for (const [name, dir, input] of models) {
    if (!dir) {
      skipped(ctx, S, name, ctx.fx.missing.squeezenet ?? 'missing');
      continue;
    }
    let b1: number | undefined;
    for (const batch of [1, 32]) {
      const { out, usage } = await limitRun(ctx, [path.join(dir, 'model.onnx'), ...input, '--batch', String(batch)]);
      const rowsPerS = (out.calls * batch) / out.seconds;
      if (batch === 1) b1 = rowsPerS;
      const row = {
        scenario: S,
        case: batch === 1 ? `${name}, batch 1 (calls/s)` : `${name}, batch 32 (images/s)`,
        rps: rowsPerS,
        p50: out.p50,
        p99: out.p99,
        errors: 0,
        usage,
        vs: batch === 1 ? [] : [{ name: 'batch 1', rps: rowsPerS / b1! }],
        note: batch === 1 ? '1 intra-op thread, as an instance runs by default' : 'p50/p99: per call of 32',
      };
      ctx.rows.push(row);
      ctx.saved.set(`limit:${name}:${batch}`, row);
      ctx.log(`${S} | ${row.case}: ${rowsPerS.toFixed(0)}/s, p50 ${out.p50.toFixed(3)} ms`);
    }
  }
}

export async function bareHttp(ctx: Ctx): Promise<void> {
  const S = '2 bare HTTP';
  const server = await startReadyLine([benchScript('bare-http.js')]);
  try {
    for (const c of [1, 8, 32]) {
      const row = await measure(
        ctx,
        { url: `${server.url}/v2/models/mnist/infer`, body: ctx.fx.mnistInfer, connections: c },
        { server: only(server.pid) },
        { scenario: S, case: 'node:http, fixed JSON answer' },
        `bare:${c}`,
      );
      const r = ratio(row, ctx.saved.get('limit:MNIST CNN:1'), 'the in-process model (batch 1)');
      if (r) row.vs.push(r);
    }
  } finally {
    await server.stop();
  }
}
