/**
 * Gateway behaviour at its edges, against plain HTTP upstreams that misbehave on purpose:
 * every error is JSON with a stable code and the right status; nothing that should not
 * reach an instance does.
 */
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, echo, MemoryDirectory, startGateway, startUpstream, version, type TestGateway, type Upstream } from './gateway-harness.js';
import { eventually } from './support/platform.js';

const opened: { close(): Promise<void> }[] = [];
const track = <T extends { close(): Promise<void> }>(x: T): T => (opened.push(x), x);
afterAll(async () => {
  for (const x of opened.reverse()) await x.close();
});

describe('gateway: routes and errors', () => {
  const dir = new MemoryDirectory();
  let gw: TestGateway;
  let a: Upstream;
  let b: Upstream;

  beforeAll(async () => {
    a = track(await startUpstream(echo('a')));
    b = track(await startUpstream(echo('b')));
    gw = track(await startGateway(dir, { maxBodyBytes: 1024 }));
  });
  afterEach(() => {
    a.hits = 0;
    b.hits = 0;
  });

  it('forwards TI-ONE predict and OIP infer bytes as sent, and the answer as received', async () => {
    dir.set({ name: 'svc', auth: false, stopped: false, versions: [version('v1', 1, 100, [a.url])] });
    const body = '{"images":["x"],  "odd spacing": true}';
    const r = await call(`${gw.url}/svc/v1/models/m:predict`, { body });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ from: 'a', echo: body });
    const oip = await call(`${gw.url}/v2/models/svc/infer`, { body: '{"inputs":[]}' });
    expect(oip.json()).toEqual({ from: 'a', echo: '{"inputs":[]}' });
  });

  it('passes an instance error through with its status', async () => {
    const bad = track(
      await startUpstream((_q, res) =>
        res.writeHead(400, { 'content-type': 'application/json', 'x-modeldock-error-code': 'INVALID_TENSOR' }).end('{"error":"shape","code":"INVALID_TENSOR"}'),
      ),
    );
    dir.set({ name: 'bad', auth: false, stopped: false, versions: [version('v1', 1, 100, [bad.url])] });
    const r = await call(`${gw.url}/v2/models/bad/infer`, { body: '{}' });
    expect(r.status).toBe(400);
    expect([r.json(), r.headers['x-modeldock-error-code']]).toEqual([{ error: 'shape', code: 'INVALID_TENSOR' }, 'INVALID_TENSOR']);
  });

  it('answers 404 SERVICE_NOT_FOUND for an unknown service on every data path', async () => {
    for (const [path, body] of [
      ['/nope/v1/models/m:predict', '{}'],
      ['/v2/models/nope/infer', '{}'],
      ['/v2/models/nope/versions/1/infer', '{}'],
      ['/v2/models/nope', undefined],
      ['/v2/models/nope/ready', undefined],
    ] as const) {
      const r = await call(gw.url + path, { body });
      // the /v2 routes answer the protocol's {"error": "message"}, the code beside it; TI-ONE's route {"error": {code, message}}
      const code = path.startsWith('/v2') ? r.json().code : r.json().error.code;
      expect([path, r.status, code, r.headers['x-modeldock-error-code']]).toEqual([path, 404, 'SERVICE_NOT_FOUND', 'SERVICE_NOT_FOUND']);
      if (path.startsWith('/v2')) expect(r.json().error).toBe('service "nope" does not exist');
    }
  });

  it('routes /versions/{v}/infer to that version only, and 404s an unknown version', async () => {
    dir.set({ name: 'two', auth: false, stopped: false, versions: [version('v1', 1, 100, [a.url]), version('v2', 2, 0, [b.url])] });
    for (let i = 0; i < 5; i++) expect((await call(`${gw.url}/v2/models/two/versions/2/infer`, { body: '{}' })).json().from).toBe('b');
    expect((await call(`${gw.url}/v2/models/two/infer`, { body: '{}' })).json().from).toBe('a');
    const r = await call(`${gw.url}/v2/models/two/versions/9/infer`, { body: '{}' });
    expect([r.status, r.json().code]).toEqual([404, 'SERVICE_VERSION_NOT_FOUND']);
  });

  it('answers 503 UNAVAILABLE with Retry-After when no instance is ready, and when stopped', async () => {
    dir.set({ name: 'empty', auth: false, stopped: false, versions: [version('v1', 1, 100, [])] });
    const r = await call(`${gw.url}/empty/v1/models/m:predict`, { body: '{}' });
    expect([r.status, r.json().error.code]).toEqual([503, 'UNAVAILABLE']);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    expect((await call(`${gw.url}/v2/models/empty/ready`)).status).toBe(503);

    dir.set({ name: 'stopped', auth: false, stopped: true, versions: [version('v1', 1, 100, [a.url])] });
    const s = await call(`${gw.url}/stopped/v1/models/m:predict`, { body: '{}' });
    expect([s.status, s.json().error.code, a.hits]).toEqual([503, 'UNAVAILABLE', 0]);
    expect(s.headers['retry-after']).toBeDefined();
  });

  it('answers 413 for a body over the limit without reaching the instance', async () => {
    dir.set({ name: 'big', auth: false, stopped: false, versions: [version('v1', 1, 100, [a.url])] });
    const r = await call(`${gw.url}/big/v1/models/m:predict`, { body: JSON.stringify({ images: ['x'.repeat(2000)] }) });
    expect([r.status, r.json().error.code, a.hits]).toEqual([413, 'UPLOAD_TOO_LARGE', 0]);
    expect((await call(`${gw.url}/big/v1/models/m:predict`, { body: '{"ok":1}' })).status).toBe(200);
  });

  it('answers health and model readiness', async () => {
    dir.set({ name: 'svc', auth: false, stopped: false, versions: [version('v1', 1, 100, [a.url])] });
    expect((await call(`${gw.url}/v2/health/live`)).json()).toEqual({ live: true });
    expect((await call(`${gw.url}/v2/health/ready`)).json()).toEqual({ ready: true });
    expect((await call(`${gw.url}/v2/models/svc/ready`)).json()).toEqual({ name: 'svc', ready: true });
  });

  it('answers server metadata, per-version readiness and metadata, and KServe v1 model status', async () => {
    dir.set({ name: 'pair', auth: false, stopped: false, versions: [version('v1', 1, 100, [a.url]), version('v2', 2, 0, [])] });
    const server = await call(`${gw.url}/v2`);
    expect(server.json()).toEqual({ name: 'modeldock', version: expect.stringMatching(/^\d+\.\d+\.\d+/), extensions: ['binary_tensor_data'] });
    expect((await call(`${gw.url}/v2/models/pair/versions/1/ready`)).json()).toEqual({ name: 'pair', ready: true });
    const notReady = await call(`${gw.url}/v2/models/pair/versions/2/ready`);
    expect([notReady.status, notReady.json().code, typeof notReady.json().error]).toEqual([503, 'UNAVAILABLE', 'string']);
    const unknown = await call(`${gw.url}/v2/models/pair/versions/7/ready`);
    expect([unknown.status, unknown.json().code]).toEqual([404, 'SERVICE_VERSION_NOT_FOUND']);
    // version 1's metadata comes from its instance (here an echo of the GET)
    const meta = await call(`${gw.url}/v2/models/pair/versions/1`);
    expect([meta.status, meta.json().from]).toEqual([200, 'a']);
    expect((await call(`${gw.url}/v1/models/pair`)).json()).toEqual({ name: 'pair', ready: true });
    const kserve = await call(`${gw.url}/v1/models/pair:predict`, { body: '{"instances":[1]}' });
    expect(kserve.json()).toEqual({ from: 'a', echo: '{"instances":[1]}' });
    // the Fastify fallback of the front door's route (in-process inject) answers the same
    const injected = await gw.app.inject({
      method: 'POST',
      url: '/v1/models/pair:predict',
      payload: '{"instances":[1]}',
      headers: { 'content-type': 'application/json' },
    });
    expect([injected.statusCode, injected.json().from]).toEqual([200, 'a']);
    expect((await gw.app.inject({ method: 'POST', url: '/v1/models/pair:explain', payload: '{}' })).json().error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('writes one access line per call without headers, and reports each call to the directory', async () => {
    dir.set({ name: 'svc', auth: false, stopped: false, versions: [version('v1', 1, 100, [a.url])] });
    const before = gw.access.length;
    const observed = dir.observed.length;
    await call(`${gw.url}/svc/v1/models/m:predict`, { body: '{}', headers: { authorization: 'Bearer secret-in-header' } });
    await call(`${gw.url}/nope/v1/models/m:predict`, { body: '{}' });
    const lines = gw.access.slice(before);
    expect(lines.map((l) => [l.service, l.versionId, l.instanceId, l.status, l.method, l.path])).toEqual([
      ['svc', 'v1', 'v1-i0', 200, 'POST', '/svc/v1/models/m:predict'],
      ['nope', undefined, undefined, 404, 'POST', '/nope/v1/models/m:predict'],
    ]);
    expect(lines[0]!.ms).toBeGreaterThan(0);
    expect(dir.observed.slice(observed)).toEqual([{ service: 'svc', versionId: 'v1', status: 200 }]);
    expect(gw.lines.filter((l) => l.includes('"msg":"call"')).length).toBeGreaterThanOrEqual(2);
    expect(gw.lines.join('\n')).not.toContain('secret-in-header');
  });
});

describe('gateway: timeouts, limits, choice of instance', () => {
  it('answers 504 TIMEOUT when an instance is slower than the request timeout, and keeps serving others', async () => {
    const held: http.ServerResponse[] = [];
    const slow = track(await startUpstream((_q, res) => held.push(res)));
    const fast = track(await startUpstream(echo('fast')));
    const dir = new MemoryDirectory();
    const gw = track(await startGateway(dir, { requestTimeoutMs: 300 }));
    dir.set({ name: 'slow', auth: false, stopped: false, versions: [version('v1', 1, 100, [slow.url])] });
    dir.set({ name: 'fast', auth: false, stopped: false, versions: [version('v1', 1, 100, [fast.url])] });
    const pending = call(`${gw.url}/slow/v1/models/m:predict`, { body: '{}' });
    expect((await call(`${gw.url}/fast/v1/models/m:predict`, { body: '{}' })).status).toBe(200);
    const r = await pending;
    expect([r.status, r.json().error.code]).toEqual([504, 'TIMEOUT']);
    for (const res of held) res.destroy();
  });

  it('answers 429 RATE_LIMITED over the per-instance concurrency limit (× ready instances)', async () => {
    const held: http.ServerResponse[] = [];
    const gate = track(await startUpstream((_q, res) => held.push(res)));
    const dir = new MemoryDirectory();
    const gw = track(await startGateway(dir));
    dir.set({ name: 'lim', auth: false, stopped: false, versions: [version('v1', 1, 100, [gate.url], { limits: { maxConcurrency: 2 } })] });
    const first = [call(`${gw.url}/lim/v1/models/m:predict`, { body: '{}' }), call(`${gw.url}/lim/v1/models/m:predict`, { body: '{}' })];
    await eventually(() => held.length === 2, 5000, 'two calls held at the instance');
    const third = await call(`${gw.url}/lim/v1/models/m:predict`, { body: '{}' });
    expect([third.status, third.json().error.code, gate.hits]).toEqual([429, 'RATE_LIMITED', 2]);
    expect(third.headers['retry-after']).toBe('1');
    for (const res of held.splice(0)) res.end('{}');
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
  });

  it('answers 429 RATE_LIMITED over the per-instance requests/s limit', async () => {
    const up = track(await startUpstream(echo('u')));
    const dir = new MemoryDirectory();
    const gw = track(await startGateway(dir));
    dir.set({ name: 'rps', auth: false, stopped: false, versions: [version('v1', 1, 100, [up.url], { limits: { maxRequestsPerSecond: 5 } })] });
    const t0 = Date.now();
    const statuses = await Promise.all(Array.from({ length: 30 }, () => call(`${gw.url}/rps/v1/models/m:predict`, { body: '{}' }).then((r) => r.status)));
    const seconds = (Date.now() - t0) / 1000;
    const ok = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(ok).toBeGreaterThanOrEqual(5);
    expect(ok).toBeLessThanOrEqual(5 + Math.ceil(seconds * 5) + 1);
    expect(up.hits).toBe(ok);
  });

  it('sends each call to the least-loaded instance', async () => {
    const held: http.ServerResponse[] = [];
    const names: string[] = [];
    const handler = (name: string) => (_q: http.IncomingMessage, res: http.ServerResponse) => {
      names.push(name);
      if (names.length === 1) held.push(res);
      else res.end(JSON.stringify({ from: name }));
    };
    const x = track(await startUpstream(handler('x')));
    const y = track(await startUpstream(handler('y')));
    const dir = new MemoryDirectory();
    const gw = track(await startGateway(dir));
    dir.set({ name: 'll', auth: false, stopped: false, versions: [version('v1', 1, 100, [x.url, y.url])] });
    const busy = call(`${gw.url}/ll/v1/models/m:predict`, { body: '{}' });
    await eventually(() => held.length === 1, 5000, 'first call held');
    const busyName = names[0]!;
    // With one call in flight on one instance, sequential calls all go to the other one
    // (a round-robin would send half of them to the busy one).
    for (let i = 0; i < 10; i++) expect((await call(`${gw.url}/ll/v1/models/m:predict`, { body: '{}' })).json().from).not.toBe(busyName);
    held[0]!.end('{}');
    expect((await busy).status).toBe(200);
    // Idle again: calls spread over both.
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await call(`${gw.url}/ll/v1/models/m:predict`, { body: '{}' })).json().from);
    expect([...seen].sort()).toEqual(['x', 'y']);
  });

  it('retries a call that cannot connect on another instance, so no call fails', async () => {
    const live = track(await startUpstream(echo('live')));
    const dead = track(await startUpstream(echo('dead')));
    await dead.close();
    const dir = new MemoryDirectory();
    const gw = track(await startGateway(dir));
    dir.set({ name: 'r', auth: false, stopped: false, versions: [version('v1', 1, 100, [dead.url, live.url])] });
    const statuses = await Promise.all(Array.from({ length: 40 }, () => call(`${gw.url}/r/v1/models/m:predict`, { body: '{}' }).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(live.hits).toBe(40);
  });

  it('holds a call to a scaled-to-zero version while an instance starts, and 503s when none comes in time', async () => {
    const dir = new MemoryDirectory();
    const gw = track(await startGateway(dir, { wakeTimeoutMs: 3000 }));
    dir.set({ name: 'zero', auth: false, stopped: false, versions: [version('v1', 1, 100, [], { scalesFromZero: true })] });
    dir.onWake = (service, versionId) => {
      // The "instance" starts only once asked for.
      void startUpstream(echo('woken')).then((u) => {
        track(u);
        dir.patch(service, versionId, { targets: [{ instanceId: 'z1', url: u.url }] });
      });
    };
    const r = await call(`${gw.url}/zero/v1/models/m:predict`, { body: '{}' });
    expect([r.status, r.json().from, dir.wakes.length]).toEqual([200, 'woken', 1]);

    const dir2 = new MemoryDirectory();
    const gw2 = track(await startGateway(dir2, { wakeTimeoutMs: 200 }));
    dir2.set({ name: 'cold', auth: false, stopped: false, versions: [version('v1', 1, 100, [], { scalesFromZero: true })] });
    const t0 = Date.now();
    const cold = await call(`${gw2.url}/cold/v1/models/m:predict`, { body: '{}' });
    expect([cold.status, cold.json().error.code, dir2.wakes.length]).toEqual([503, 'UNAVAILABLE', 1]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(cold.headers['retry-after']).toBeDefined();
  });

  it('falls back to a ready version when a scaled-to-zero one does not wake in time', async () => {
    const up = track(await startUpstream(echo('warm')));
    const dir = new MemoryDirectory();
    const gw = track(await startGateway(dir, { wakeTimeoutMs: 100 }));
    dir.set({ name: 'mixed', auth: false, stopped: false, versions: [version('v1', 1, 50, [up.url]), version('v2', 2, 50, [], { scalesFromZero: true })] });
    const statuses = await Promise.all(Array.from({ length: 6 }, () => call(`${gw.url}/mixed/v1/models/m:predict`, { body: '{}' }).then((r) => r.status)));
    expect([statuses, up.hits]).toEqual([[200, 200, 200, 200, 200, 200], 6]);
    expect(dir.wakes.length).toBe(3);
    const named = await call(`${gw.url}/v2/models/mixed/versions/2/infer`, { body: '{}' });
    expect([named.status, named.json().code]).toEqual([503, 'UNAVAILABLE']);
  });
});
