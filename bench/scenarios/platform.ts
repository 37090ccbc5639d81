/**
 * Scenarios on `modeldock up` (one platform, SQLite + folder blobs, local instances):
 * 4. Through the gateway: OIP v2 infer on the MNIST service at concurrency 1, 8, 32; the
 *    same with auth on (a service token); the same digit over gRPC (ModelInfer, raw
 *    contents) beside REST JSON and REST binary, and an image-sized tensor over all three.
 *    Compared with bare HTTP and instance direct.
 * 7. Cold start (create → Running) and scale from zero (first answer), plus idle RSS.
 */
import fs from 'node:fs';
import path from 'node:path';
import { packBinary } from '../../src/instance/binary-tensors.js';
import { tinyOnnx } from '../../test/gateway-model.js';
import { measure, type Ctx } from '../lib/context.js';
import { grpcLoad, grpcRequestOf } from '../lib/grpc-load.js';
import { load } from '../lib/load.js';
import { childrenOf, descendants, only, rssMiB } from '../lib/procs.js';
import { ratio, type Row } from '../lib/report.js';
import { startPlatform, type Proc } from '../lib/spawn.js';
import { api, importModel, serviceVersion, until, waitRunning } from '../lib/api.js';

const ONNX = 'onnxruntime1.30-node20-cpu';

export async function onPlatform(ctx: Ctx): Promise<void> {
  const p = await startPlatform(path.join(ctx.tmp, 'platform-a'));
  try {
    await new Promise((r) => setTimeout(r, 1500));
    ctx.saved.set('platform:idleRss', { scenario: '', case: '', p50: rssMiB(p.pid), vs: [] });
    ctx.saved.set('platform:startMs', { scenario: '', case: '', p50: p.readyMs, vs: [] });
    await importModel(p.url, 'mnist', ctx.fx.mnistOnnx, 'onnx', ONNX);
    await gateway(ctx, p);
    await coldStart(ctx, p);
  } finally {
    await p.stop();
  }
}

async function gateway(ctx: Ctx, p: Proc): Promise<void> {
  const S = '4 through the gateway';
  await api(p.url, 'POST', '/api/v1/services', { name: 'mnist', billingMode: 'postpaid', version: serviceVersion('mnist') });
  await waitRunning(p.url, 'mnist');
  // the load generator runs in this process, on the same cores: its CPU is shown beside the
  // servers' (autocannon for REST, node:http2 for gRPC), as it sets the rate at c=32 too
  const groups = { platform: only(p.pid), instance: childrenOf(p.pid), client: only(process.pid) };
  for (const c of [1, 8, 32]) {
    const row = await measure(
      ctx,
      { url: `${p.url}/v2/models/mnist/infer`, body: ctx.fx.mnistInfer, connections: c },
      groups,
      { scenario: S, case: 'MNIST service, OIP v2 infer' },
      `gateway:${c}`,
    );
    for (const [key, name] of [
      [`bare:${c}`, `bare HTTP c=${c}`],
      [`direct:${c}`, `instance direct c=${c}`],
    ] as const) {
      const r = ratio(row, ctx.saved.get(key), name);
      if (r) row.vs.push(r);
    }
  }
  for (const c of [1, 32]) {
    const row = await measure(
      ctx,
      { url: `${p.url}/v2/models/mnist/infer`, ...ctx.fx.mnistBinary, connections: c },
      groups,
      { scenario: S, case: 'MNIST service, OIP v2 binary tensors (in and out)' },
      `gateway-binary:${c}`,
    );
    for (const [key, name] of [
      [`gateway:${c}`, `JSON c=${c}`],
      [`direct-binary:${c}`, `instance direct (binary) c=${c}`],
    ] as const) {
      const r = ratio(row, ctx.saved.get(key), name);
      if (r) row.vs.push(r);
    }
  }
  await grpcRows(ctx, p, groups);
  await wideRows(ctx, p, groups);
  const gw = ctx.saved.get('gateway:1');
  const d = ctx.saved.get('direct:1');
  if (gw && d) {
    const hop: Row = {
      scenario: S,
      case: 'gateway hop: p50 added over instance direct',
      c: 1,
      p50: gw.p50! - d.p50!,
      vs: [{ name: 'instance direct c=1', text: `+${(gw.p50! - d.p50!).toFixed(3)} ms p50, +${(gw.p99! - d.p99!).toFixed(3)} ms p99` }],
    };
    ctx.rows.push(hop);
  }
  // auth on: a second service with a token
  await api(p.url, 'POST', '/api/v1/services', { name: 'mnist-auth', billingMode: 'postpaid', auth: true, version: serviceVersion('mnist') });
  const { token } = await api<{ token: string }>(p.url, 'POST', '/api/v1/services/mnist-auth/tokens', { name: 'bench' });
  await waitRunning(p.url, 'mnist-auth');
  for (const c of [1, 32]) {
    const row = await measure(
      ctx,
      { url: `${p.url}/v2/models/mnist-auth/infer`, body: ctx.fx.mnistInfer, headers: { authorization: `Bearer ${token}` }, connections: c },
      groups,
      { scenario: S, case: 'MNIST service, auth on (Bearer token)' },
      `gateway-auth:${c}`,
    );
    const r = ratio(row, ctx.saved.get(`gateway:${c}`), `auth off c=${c}`);
    if (r) row.vs.push(r);
  }
  const bad = await load({
    url: `${p.url}/v2/models/mnist-auth/infer`,
    body: ctx.fx.mnistInfer,
    headers: { authorization: 'Bearer wrong' },
    connections: 1,
    seconds: 1,
  });
  if (bad.errors !== bad.requests) throw new Error(`auth: ${bad.requests - bad.errors} calls with a wrong token were answered 2xx`);
}

/** The same model and digit over gRPC (raw_input_contents, raw_output_contents), beside the REST rows. */
async function grpcRows(ctx: Ctx, p: Proc, groups: Parameters<typeof measure>[2]): Promise<void> {
  const S = '4 through the gateway';
  if (!p.grpc) throw new Error('modeldock up did not say its gRPC address');
  const request = grpcRequestOf('mnist', ctx.fx.mnistInfer);
  // the digit's 10 scores, as raw FP32 bytes
  const check = (res: unknown) => {
    const r = res as { outputs?: { shape?: unknown[] }[]; raw_output_contents?: Buffer[] };
    if (r.outputs?.length !== 1 || r.raw_output_contents?.[0]?.length !== 40) throw new Error(`gRPC: not the MNIST answer: ${JSON.stringify(r).slice(0, 200)}`);
  };
  // the gateway's gRPC code runs here for the first time (the REST rows above warmed theirs):
  // a few seconds of calls first, so the rows measure it compiled, not its JIT warm-up
  await grpcLoad({ address: p.grpc, request, connections: 32, seconds: 3, check });
  for (const c of [1, 32]) {
    const spec = { connections: c, run: (seconds: number) => grpcLoad({ address: p.grpc!, request, connections: c, seconds, check }) };
    const row = await measure(
      ctx,
      spec,
      groups,
      { scenario: S, case: 'MNIST service, OIP v2 gRPC ModelInfer (raw contents in and out; one HTTP/2 connection)' },
      `gateway-grpc:${c}`,
    );
    for (const [key, name] of [
      [`gateway:${c}`, `REST JSON c=${c}`],
      [`gateway-binary:${c}`, `REST binary c=${c}`],
    ] as const) {
      const r = ratio(row, ctx.saved.get(key), name);
      if (r) row.vs.push(r);
    }
  }
}

/**
 * An image-sized tensor (FP32 [1, 150528], as 1×3×224×224) through a model that does almost
 * nothing with it (Relu): what each protocol costs to carry a real input, apart from the
 * model. REST JSON spells ~150k numbers out in text each way; gRPC and REST binary carry
 * 588 KiB of raw bytes.
 */
async function wideRows(ctx: Ctx, p: Proc, groups: Parameters<typeof measure>[2]): Promise<void> {
  const S = '4 through the gateway';
  const width = 3 * 224 * 224;
  const dir = path.join(ctx.tmp, 'wide-model');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), tinyOnnx('Relu', width));
  await importModel(p.url, 'wide', dir, 'onnx', ONNX);
  await api(p.url, 'POST', '/api/v1/services', { name: 'wide', billingMode: 'postpaid', version: serviceVersion('wide') });
  await waitRunning(p.url, 'wide');
  const data = Array.from({ length: width }, (_, i) => Math.round((((i * 37) % 255) / 255) * 1e4) / 1e4);
  const json = JSON.stringify({ inputs: [{ name: 'x', shape: [1, width], datatype: 'FP32', data }] });
  const bin = packBinary(
    { inputs: [{ name: 'x', shape: [1, width], datatype: 'FP32', parameters: { binary_data_size: width * 4 } }], parameters: { binary_data_output: true } },
    [new Uint8Array(Float32Array.from(data).buffer)],
  );
  const url = `${p.url}/v2/models/wide/infer`;
  const request = grpcRequestOf('wide', json);
  const check = (res: unknown) => {
    const r = res as { raw_output_contents?: Buffer[] };
    if (r.raw_output_contents?.[0]?.length !== width * 4) throw new Error('gRPC: not the wide answer');
  };
  await grpcLoad({ address: p.grpc!, request, connections: 8, seconds: 2, check });
  const name = 'image-sized tensor FP32 [1,150528] (Relu)';
  for (const c of [1, 8]) {
    await measure(ctx, { url, body: json, connections: c }, groups, { scenario: S, case: `${name}, REST JSON` }, `wide-json:${c}`);
    const b = await measure(
      ctx,
      { url, body: bin.body, headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': bin.headerLength }, connections: c },
      groups,
      { scenario: S, case: `${name}, REST binary` },
      `wide-binary:${c}`,
    );
    const bj = ratio(b, ctx.saved.get(`wide-json:${c}`), `REST JSON c=${c}`);
    if (bj) b.vs.push(bj);
    const spec = { connections: c, run: (seconds: number) => grpcLoad({ address: p.grpc!, request, connections: c, seconds, check }) };
    const g = await measure(ctx, spec, groups, { scenario: S, case: `${name}, gRPC raw contents` }, `wide-grpc:${c}`);
    for (const [key, label] of [
      [`wide-json:${c}`, `REST JSON c=${c}`],
      [`wide-binary:${c}`, `REST binary c=${c}`],
    ] as const) {
      const r = ratio(g, ctx.saved.get(key), label);
      if (r) g.vs.push(r);
    }
  }
}

async function coldStart(ctx: Ctx, p: Proc): Promise<void> {
  const S = '7 cold start';
  const instStart = ctx.saved.get('instance:startMs')?.p50;
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await api(p.url, 'POST', '/api/v1/services', { name: `cold-${i}`, billingMode: 'postpaid', version: serviceVersion('mnist') });
    await waitRunning(p.url, `cold-${i}`, 1, 5);
    times.push(performance.now() - t0);
    await api(p.url, 'DELETE', `/api/v1/services/cold-${i}`);
  }
  times.sort((a, b) => a - b);
  ctx.rows.push({
    scenario: S,
    case: 'ONNX service: create → Running (3 times)',
    p50: times[1],
    p99: times[2],
    errors: 0,
    vs: instStart ? [{ name: 'a lone `modeldock instance` spawn → ready', text: `${(times[1]! / instStart).toFixed(2)}× (${instStart.toFixed(0)} ms)` }] : [],
    note: `ms: ${times.map((t) => t.toFixed(0)).join(', ')} (p50 = median, p99 = slowest)`,
  });
  ctx.log(`${S} | create→Running: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);

  const firsts: number[] = [];
  let failed = 0;
  for (let i = 0; i < 3; i++) {
    const name = `zero-${i}`;
    await api(p.url, 'POST', '/api/v1/services', {
      name,
      billingMode: 'postpaid',
      version: serviceVersion('mnist', { mode: 'auto', minInstances: 0, maxInstances: 1, metric: 'concurrency', target: 4 }),
    });
    await until(`${name} settled at zero`, async () => (await api<{ status: string }>(p.url, 'GET', `/api/v1/services/${name}`)).status === 'Running');
    const t0 = performance.now();
    const res = await fetch(`${p.url}/v2/models/${name}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ctx.fx.mnistInfer });
    await res.arrayBuffer();
    firsts.push(performance.now() - t0);
    if (res.status !== 200) failed++;
    await api(p.url, 'DELETE', `/api/v1/services/${name}`);
  }
  firsts.sort((a, b) => a - b);
  ctx.rows.push({
    scenario: S,
    case: 'scale from zero: first answer (3 times)',
    p50: firsts[1],
    p99: firsts[2],
    errors: failed,
    vs: instStart ? [{ name: 'a lone instance spawn → ready', text: `${(firsts[1]! / instStart).toFixed(2)}×` }] : [],
    note: `ms: ${firsts.map((t) => t.toFixed(0)).join(', ')}`,
  });
  ctx.log(`${S} | first answer from zero: ${firsts.map((t) => t.toFixed(0)).join(', ')} ms, ${failed} failed`);

  // idle memory: the platform right after start, and an MNIST instance right after ready
  const platformIdle = ctx.saved.get('platform:idleRss')?.p50;
  const instIdle = ctx.saved.get('instance:idleRss')?.p50;
  const kids = descendants(p.pid);
  ctx.rows.push({
    scenario: S,
    case: 'idle RSS (MiB): platform after start; ONNX MNIST instance after ready',
    vs: [],
    note: `platform ${platformIdle?.toFixed(0)} MiB (start to listening ${ctx.saved.get('platform:startMs')?.p50?.toFixed(0)} ms); instance ${instIdle?.toFixed(0)} MiB; now: platform ${rssMiB(p.pid).toFixed(0)} MiB with ${kids.length} children`,
  });
}
