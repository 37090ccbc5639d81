/**
 * `npm run soak` (issue #8; not in CI): `modeldock up` on a fresh data dir, three services
 * (tiny ONNX with token auth and 2 instances; tiny ONNX on auto scaling; the onnx/classify
 * template with SqueezeNet over TI-ONE predict), mixed traffic for MODELDOCK_SOAK_SECONDS
 * (default 600) from a bounded loop on loopback, a scale at 1/3 and a rolling update at 1/2.
 * Counts errors (any call that is not answered as expected; must be 0) apart from the
 * deliberate bad-input calls (which must each answer 4xx JSON), and compares the resident
 * memory of the platform and of each service's instances after warm-up with the end (means
 * over 90 s windows, sampled each second, so that one GC cycle does not decide it).
 * Writes test-artifacts/soak/result.{json,md}; exits 1 unless PASS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { tinyOnnx } from '../../test/gateway-model.js';
import { multipart } from '../../test/support/multipart.js';
import { instanceRss, platformRss, rssWindow } from './rss.js';
import { startUp, type Up } from './up.js';

const SECONDS = Number(process.env.MODELDOCK_SOAK_SECONDS ?? 600);
const CONCURRENCY = Number(process.env.MODELDOCK_SOAK_CONCURRENCY ?? 4);
const GROWTH_LIMIT = 0.1;
const ROOT = path.resolve(new URL('../../../..', import.meta.url).pathname);
const FIXTURES = path.resolve(ROOT, 'examples/fixtures');
const OUT = path.join(ROOT, 'test-artifacts/soak');
const agent = new Agent({ connections: CONCURRENCY * 2, keepAliveTimeout: 30_000 });

type Kind = 'relu' | 'abs' | 'classify' | 'bad';
interface Tally {
  calls: number;
  errors: number;
  firstErrors: string[];
}

async function api(base: string, method: string, url: string, body?: unknown): Promise<any> {
  const r = await request(`${base}${url}`, {
    method: method as 'GET',
    dispatcher: agent,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.body.text();
  if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function importModel(base: string, name: string, files: Record<string, Buffer>): Promise<void> {
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true }) },
    ...Object.entries(files).map(([filename, data]) => ({ name: 'f', filename, data })),
  ]);
  const r = await request(`${base}/api/v1/models/${name}/versions`, { method: 'POST', headers: mp.headers, body: mp.payload, dispatcher: agent });
  const v = (await r.body.json()) as { version: string };
  if (r.statusCode !== 202) throw new Error(`import ${name}: ${r.statusCode} ${JSON.stringify(v)}`);
  await until(`${name} ready`, async () => (await api(base, 'GET', `/api/v1/models/${name}/versions/${v.version}`)).status === 'ready');
}

const version = (model: string, scaling: object, extra: object = {}) => ({
  model,
  modelVersion: 'v1',
  resources: { cpuMillicores: 1000, memoryMiB: 1024 },
  scaling,
  ...extra,
});

const running = (base: string, name: string) =>
  until(`${name} Running`, async () => {
    const s = await api(base, 'GET', `/api/v1/services/${name}`);
    return s.status === 'Running' && s.versions.every((v: any) => v.readyInstances === v.desiredInstances && v.desiredInstances > 0);
  });

async function setUp(base: string): Promise<string> {
  await importModel(base, 'relu', { 'model.onnx': tinyOnnx('Relu') });
  await importModel(base, 'abs', { 'model.onnx': tinyOnnx('Abs') });
  const tpl = path.join(ROOT, 'templates/onnx/classify');
  await importModel(base, 'classify', {
    'modeldock.json': fs.readFileSync(path.join(tpl, 'modeldock.json')),
    'model.onnx': fs.readFileSync(path.join(FIXTURES, 'squeezenet1.1-fp16.onnx')),
    'labels.txt': fs.readFileSync(path.join(FIXTURES, 'imagenet_synset.txt')),
  });
  await api(base, 'POST', '/api/v1/services', { name: 'relu', auth: true, version: version('relu', { mode: 'manual', instances: 2 }) });
  await api(base, 'POST', '/api/v1/services', {
    name: 'abs',
    version: version('abs', { mode: 'auto', minInstances: 1, maxInstances: 3, metric: 'qps-per-instance', target: 25 }),
  });
  await api(base, 'POST', '/api/v1/services', { name: 'classify', version: version('classify', { mode: 'manual', instances: 1 }) });
  const token = (await api(base, 'POST', '/api/v1/services/relu/tokens', { name: 'soak' })).token as string;
  await Promise.all(['relu', 'abs', 'classify'].map((s) => running(base, s)));
  return token;
}

/** One call of a kind; answers '' when it was answered as expected, else what went wrong. */
function caller(base: string, token: string) {
  const tensor = (v: number) => JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [-v, 0, v / 2, v] }] });
  const cat = JSON.stringify({ images: [fs.readFileSync(path.join(FIXTURES, 'cat-kserve.jpg')).toString('base64')] });
  const post = async (url: string, body: string, headers: Record<string, string> = {}) => {
    const r = await request(`${base}${url}`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: r.statusCode, text: await r.body.text() };
  };
  return async (kind: Kind, i: number): Promise<string> => {
    try {
      if (kind === 'relu' || kind === 'abs') {
        const r = await post(`/v2/models/${kind}/infer`, tensor(i % 7), kind === 'relu' ? { authorization: `Bearer ${token}` } : {});
        const want = kind === 'relu' ? 0 : i % 7;
        return r.status === 200 && JSON.parse(r.text).outputs[0].data[0] === want ? '' : `${kind}: ${r.status} ${r.text.slice(0, 200)}`;
      }
      if (kind === 'classify') {
        const r = await post('/classify/v1/models/m:predict', cat);
        const top = r.status === 200 ? (JSON.parse(r.text).predictions[0].index as number) : -1;
        return top >= 281 && top <= 285 ? '' : `classify: ${r.status} ${r.text.slice(0, 200)}`;
      }
      // deliberate bad input, in turn: malformed JSON, a wrong shape, a missing token
      const bad = [
        () => post('/v2/models/abs/infer', '{"inputs":'),
        () => post('/v2/models/abs/infer', tensor(1).replace('[1,4]', '[3,3]')),
        () => post('/v2/models/relu/infer', tensor(1)),
      ][i % 3]!;
      const r = await bad();
      return r.status >= 400 && r.status < 500 && JSON.parse(r.text).error?.code ? '' : `bad input answered ${r.status} ${r.text.slice(0, 200)}`;
    } catch (e) {
      return `${kind}: ${(e as Error).message}`;
    }
  };
}

/** Mixed traffic: 40% relu, 40% abs, 15% classify, 5% bad input. */
const kindOf = (i: number): Kind => {
  const m = i % 20;
  return m < 8 ? 'relu' : m < 16 ? 'abs' : m < 19 ? 'classify' : 'bad';
};

async function drive(base: string, token: string, seconds: number, midway: { at: number; run: () => Promise<void>; name: string }[], up: Up) {
  const call = caller(base, token);
  const tallies: Record<Kind, Tally> = { relu: blank(), abs: blank(), classify: blank(), bad: blank() };
  const t0 = Date.now();
  const end = t0 + seconds * 1000;
  // 120 s: past the first major GC (near 80 s here), whose peak would flatter the end
  const warmEnd = t0 + Math.min(120, seconds * 0.2) * 1000;
  let next = 0;
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < end) {
      const i = next++;
      const kind = kindOf(i);
      const err = await call(kind, i);
      const t = tallies[kind];
      t.calls++;
      if (err) {
        t.errors++;
        if (t.firstErrors.length < 5) t.firstErrors.push(`${((Date.now() - t0) / 1000).toFixed(1)} s ${err}`);
      }
    }
  });
  const events: string[] = [];
  const steps = (async () => {
    for (const m of midway) {
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + m.at * seconds * 1000 - Date.now())));
      const s = Date.now();
      await m.run();
      events.push(`${((s - t0) / 1000).toFixed(0)} s: ${m.name} (done in ${((Date.now() - s) / 1000).toFixed(1)} s)`);
    }
  })();
  // the platform's RSS and V8 heap every 20 s: a leak climbs to the end, a warming heap levels off
  const timeline: { s: number; rssMiB: number; heapMiB: number; externalMiB: number }[] = [];
  const sampler = setInterval(
    () => void platformHeap(base).then((h) => timeline.push({ s: Math.round((Date.now() - t0) / 1000), rssMiB: Math.round(platformRss(up.pid).mib), ...h })),
    20_000,
  );
  // memory: the mean over a window right after warm-up and over the last one of the run;
  // 90 s spans a whole cycle of the platform's heap (it swings ~40 MiB between major GCs)
  const window = Math.min(90_000, seconds * 150);
  await new Promise((r) => setTimeout(r, warmEnd - Date.now()));
  const start = await rssWindow(() => ({ platform: platformRss(up.pid), ...instanceRss(up.dataDir) }), window);
  await new Promise((r) => setTimeout(r, Math.max(0, end - window - Date.now())));
  const last = await rssWindow(() => ({ platform: platformRss(up.pid), ...instanceRss(up.dataDir) }), window);
  await Promise.all([...workers, steps]);
  clearInterval(sampler);
  return { tallies, events, start, last, timeline, seconds: (Date.now() - t0) / 1000 };
}

/** The platform's V8 heap in use and its external memory (Buffers …), MiB, from its /metrics. */
async function platformHeap(base: string): Promise<{ heapMiB: number; externalMiB: number }> {
  const r = await request(`${base}/metrics`, { dispatcher: agent });
  const text = await r.body.text();
  const mib = (name: string) => {
    const m = new RegExp(`^modeldock_platform_${name} (\\S+)$`, 'm').exec(text);
    return m ? Math.round(Number(m[1]) / 2 ** 20) : -1;
  };
  return { heapMiB: mib('nodejs_heap_size_used_bytes'), externalMiB: mib('nodejs_external_memory_bytes') };
}

const blank = (): Tally => ({ calls: 0, errors: 0, firstErrors: [] });

function report(r: Awaited<ReturnType<typeof drive>>, instancesAtEnd: Record<string, number>) {
  const rows = Object.keys(r.start).map((group) => {
    const a = r.start[group]!;
    const b = r.last[group] ?? a;
    return { group, startMiB: a.mib, endMiB: b.mib, processes: `${a.count} → ${b.count}`, growth: (b.mib - a.mib) / a.mib };
  });
  const errors = r.tallies.relu.errors + r.tallies.abs.errors + r.tallies.classify.errors;
  const badWrong = r.tallies.bad.errors;
  const calls = Object.values(r.tallies).reduce((n, t) => n + t.calls, 0);
  const grew = rows.filter((x) => x.growth >= GROWTH_LIMIT);
  const pass = errors === 0 && badWrong === 0 && grew.length === 0;
  const lines = [
    `soak: ${r.seconds.toFixed(0)} s, ${CONCURRENCY} concurrent, ${calls} calls (${(calls / r.seconds).toFixed(0)}/s) on ${os.cpus().length} cores`,
    `calls: ${(['relu', 'abs', 'classify', 'bad'] as Kind[]).map((k) => `${k} ${r.tallies[k].calls}`).join(', ')}`,
    `errors: ${errors} (bad-input calls answered other than 4xx JSON: ${badWrong})`,
    ...Object.values(r.tallies).flatMap((t) => t.firstErrors.map((e) => `  ${e}`)),
    `during: ${r.events.join('; ')}`,
    `instances at the end: ${JSON.stringify(instancesAtEnd)}`,
    `platform RSS / V8 heap used / external every 20 s (MiB): ${r.timeline.map((x) => `${x.rssMiB}/${x.heapMiB}/${x.externalMiB}`).join(' ')}`,
    '',
    '| process (mean RSS per process) | after warm-up | end | processes | growth |',
    '|---|---|---|---|---|',
    ...rows.map((x) => `| ${x.group} | ${x.startMiB.toFixed(1)} MiB | ${x.endMiB.toFixed(1)} MiB | ${x.processes} | ${(x.growth * 100).toFixed(1)}% |`),
    '',
    `${pass ? 'PASS' : 'FAIL'}: ${errors} errors, memory growth ${grew.length ? `over ${GROWTH_LIMIT * 100}% in ${grew.map((g) => g.group).join(', ')}` : `under ${GROWTH_LIMIT * 100}% everywhere`}`,
  ];
  return { pass, text: lines.join('\n'), json: { ...r, rows, errors, badWrong, calls, pass, date: new Date().toISOString() } };
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-soak-'));
  const up = await startUp(dataDir);
  let code = 1;
  try {
    console.log(`soak: platform ${up.url} (pid ${up.pid}), data dir ${dataDir}, ${SECONDS} s`);
    const token = await setUp(up.url);
    console.log('soak: 3 services Running; traffic starts');
    const r = await drive(
      up.url,
      token,
      SECONDS,
      [
        {
          at: 1 / 3,
          name: 'scale classify 1 → 2',
          run: async () => {
            await api(up.url, 'POST', '/api/v1/services/classify/actions', { action: 'scale', instances: 2 });
            await running(up.url, 'classify');
          },
        },
        {
          at: 1 / 2,
          name: 'rolling update of relu (new env)',
          run: async () => {
            await api(up.url, 'PUT', '/api/v1/services/relu/versions/1', version('relu', { mode: 'manual', instances: 2 }, { env: { SOAK_ROLLED: '1' } }));
            await until(
              'relu rolled',
              async () =>
                (await api(up.url, 'GET', '/api/v1/services/relu')).status === 'Running' &&
                instanceRss(dataDir, 'SOAK_ROLLED=1')['instances relu']?.count === 2,
            );
          },
        },
      ],
      up,
    );
    const atEnd = Object.fromEntries(Object.entries(instanceRss(dataDir)).map(([k, v]) => [k, v.count]));
    const out = report(r, atEnd);
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, 'result.json'), JSON.stringify(out.json, null, 2));
    fs.writeFileSync(path.join(OUT, 'result.md'), `${out.text}\n`);
    console.log(out.text);
    code = out.pass ? 0 : 1;
  } finally {
    await up.stop();
    await agent.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(code);
}

void main().catch((e) => {
  console.error(`soak: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
