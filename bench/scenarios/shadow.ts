/**
 * Scenario 10, shadow traffic's cost (issue 17 §2): gateway req/s with a shadow at 100%
 * against no shadow, in the same run. One `modeldock up`, one MNIST service with two
 * versions of the same model (version 2 at weight 0 is the shadow), OIP v2 infer at c=32;
 * the shadow switched live (PATCH shadow) between runs: off, 100%, three times over, so a
 * drift of the machine's speed hits both alike. At 100% every call is also sent to version
 * 2's instance, so the machine does twice the model work: on a machine where the platform
 * and both instances share few cores the ratio says as much about CPU contention as about
 * the gateway. The row also says how many copies were sent and dropped (from /metrics): a
 * shadow that dropped its copies would look cheap.
 */
import path from 'node:path';
import { measure, type Ctx } from '../lib/context.js';
import { childrenOf, only } from '../lib/procs.js';
import type { Row } from '../lib/report.js';
import { startPlatform } from '../lib/spawn.js';
import { api, counter, importModel, serviceVersion, waitRunning } from '../lib/api.js';

const ONNX = 'onnxruntime1.30-node20-cpu';
const S = '10 shadow traffic';
const C = 32;

export async function shadow(ctx: Ctx): Promise<void> {
  const p = await startPlatform(path.join(ctx.tmp, 'platform-shadow'));
  try {
    await importModel(p.url, 'mnist', ctx.fx.mnistOnnx, 'onnx', ONNX);
    await api(p.url, 'POST', '/api/v1/services', { name: 'mnist-sh', billingMode: 'postpaid', version: serviceVersion('mnist') });
    await api(p.url, 'POST', '/api/v1/services/mnist-sh/versions', { ...serviceVersion('mnist'), weight: 0 });
    await waitRunning(p.url, 'mnist-sh', 2);
    const groups = { platform: only(p.pid), instances: childrenOf(p.pid) };
    const spec = { url: `${p.url}/v2/models/mnist-sh/infer`, body: ctx.fx.mnistInfer, connections: C };
    const runs: Record<'off' | 'on', Row[]> = { off: [], on: [] };
    for (const mode of ['off', 'on', 'off', 'on', 'off', 'on'] as const) {
      await api(p.url, 'PATCH', '/api/v1/services/mnist-sh', { shadow: mode === 'on' ? { version: 2, percent: 100 } : null });
      // the gateway takes the change with its next route (the PATCH kicks the reconciler)
      await new Promise((r) => setTimeout(r, 1500));
      const row = await measure(ctx, spec, groups, {
        scenario: S,
        case: mode === 'on' ? 'MNIST service, OIP v2 infer, shadow 100% (a second instance)' : 'MNIST service, OIP v2 infer, no shadow',
      });
      runs[mode].push(row);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const mean = (rows: Row[]) => rows.reduce((a, r) => a + (r.rps ?? 0), 0) / rows.length;
    const f = 'service="mnist-sh"';
    const match = await counter(p.url, 'modeldock_shadow_calls_total', `${f},version="2",outcome="match"`);
    const dropped = await counter(p.url, 'modeldock_shadow_calls_total', `${f},version="2",outcome="dropped"`);
    const all = await counter(p.url, 'modeldock_shadow_calls_total', f);
    const ratio = mean(runs.on) / mean(runs.off);
    const last = runs.on[runs.on.length - 1]!;
    last.vs.push({ name: `no shadow c=${C} (mean of 3 runs each, alternated)`, rps: ratio });
    last.note = `copies: ${all.toLocaleString('en-US')} considered, ${match.toLocaleString('en-US')} answered alike, ${dropped.toLocaleString('en-US')} dropped (over 64 in flight); the ${runs.on.length} 100% runs: ${runs.on.map((r) => r.rps?.toFixed(0)).join(', ')} req/s, off: ${runs.off.map((r) => r.rps?.toFixed(0)).join(', ')}`;
    ctx.log(`${S} | shadow 100% / off at c=${C}: ${ratio.toFixed(3)}× req/s; ${all} considered, ${match} match, ${dropped} dropped`);
  } finally {
    await p.stop();
  }
}
