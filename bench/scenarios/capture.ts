/**
 * Scenario 9, payload capture's cost (issue 18 §2: capture at 100% costs ≤ 10% of req/s
 * through the gateway at c=32 against off, in the same run). One `modeldock up`, one MNIST
 * service, OIP v2 infer at c=32, capture switched live (PUT …/versions/1/capture) between
 * runs in adjacent pairs (off, then 100%), four times over, so a drift of the machine's speed
 * hits both alike. The last 100% row says the median of the pairs' ratios, and what capture
 * wrote and dropped meanwhile (from /metrics): a capture that dropped its records would look
 * cheap, so drops are shown.
 */
import path from 'node:path';
import { measure, type Ctx } from '../lib/context.js';
import { childrenOf, only } from '../lib/procs.js';
import type { Row } from '../lib/report.js';
import { startPlatform } from '../lib/spawn.js';
import { api, counter, importModel, serviceVersion, waitRunning } from '../lib/api.js';

const ONNX = 'onnxruntime1.30-node20-cpu';
const S = '9 payload capture';
const C = 32;
const PAIRS = 4;

export async function capture(ctx: Ctx): Promise<void> {
  const p = await startPlatform(path.join(ctx.tmp, 'platform-capture'));
  try {
    await importModel(p.url, 'mnist', ctx.fx.mnistOnnx, 'onnx', ONNX);
    await api(p.url, 'POST', '/api/v1/services', { name: 'mnist-cap', billingMode: 'postpaid', version: serviceVersion('mnist') });
    await waitRunning(p.url, 'mnist-cap');
    const groups = { platform: only(p.pid), instance: childrenOf(p.pid) };
    const spec = { url: `${p.url}/v2/models/mnist-cap/infer`, body: ctx.fx.mnistInfer, connections: C };
    const runs: Record<'off' | 'on', Row[]> = { off: [], on: [] };
    for (let pair = 0; pair < PAIRS; pair++) {
      for (const mode of ['off', 'on'] as const) {
        await api(p.url, 'PUT', '/api/v1/services/mnist-cap/versions/1/capture', { percent: mode === 'on' ? 100 : 0 });
        // the gateway takes the change with its next route (the PUT kicks the reconciler)
        await new Promise((r) => setTimeout(r, 1500));
        const row = await measure(ctx, spec, groups, {
          scenario: S,
          case: mode === 'on' ? 'MNIST service, OIP v2 infer, capture 100%' : 'MNIST service, OIP v2 infer, capture off',
        });
        runs[mode].push(row);
      }
    }
    // files still buffered are written within the roll time; wait for them before counting
    await new Promise((r) => setTimeout(r, 2000));
    const rps = (r: Row) => r.rps ?? 0;
    const pairs = runs.on.map((on, i) => rps(on) / rps(runs.off[i]!)).sort((a, b) => a - b);
    const mid = pairs.length / 2;
    const median = pairs.length % 2 ? pairs[Math.floor(mid)]! : (pairs[mid - 1]! + pairs[mid]!) / 2;
    const captured = await counter(p.url, 'modeldock_captured_calls_total', 'service="mnist-cap"');
    const dropped = await counter(p.url, 'modeldock_capture_dropped_total', 'service="mnist-cap"');
    const bytes = await counter(p.url, 'modeldock_capture_written_bytes_total', 'service="mnist-cap"');
    const last = runs.on[runs.on.length - 1]!;
    last.vs.push({ name: `capture off c=${C} (median of ${PAIRS} adjacent off/100% pairs)`, rps: median });
    last.note = `pairs (100% ÷ off): ${pairs.map((x) => x.toFixed(2)).join(', ')}; captured ${captured.toLocaleString('en-US')} calls (${(bytes / 2 ** 20).toFixed(0)} MiB written), dropped ${dropped.toLocaleString('en-US')}`;
    ctx.log(
      `${S} | capture 100% / off at c=${C}: ${median.toFixed(3)}× req/s (pairs ${pairs.map((x) => x.toFixed(3)).join(', ')}); captured ${captured}, dropped ${dropped}, ${bytes} bytes`,
    );
  } finally {
    await p.stop();
  }
}
