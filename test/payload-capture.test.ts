/**
 * Payload capture end to end (issue 18 §2, docs/capture.md): a real platform, real
 * `modeldock instance` processes of a Node handler that answers 200, 400 or 500 as asked,
 * calls through the gateway with a service token.
 * - captures hold request and answer bodies, status, latency, version and instance, for
 *   2xx and for 4xx/5xx alike; a body over maxBodyBytes is cut and marked;
 * - no authorization header or token is in any capture file;
 * - percent 0 captures none, 100 all, and a change applies live, no instance replaced;
 * - a store that refuses the writes drops and counts the captures; every call still answers;
 * - browse filters (version, status, time), pages with a cursor, and downloads the files;
 *   the answers match the OpenAPI document;
 * - the CLI (the real binary) does the same: capture on/off, captures, capture-files, capture-download.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import type { CaptureFile, CapturePage } from '../src/contracts/capture.js';
import type { Instance, Service } from '../src/contracts/services.js';
import { cli, cliJson, tmpDir } from './cli-harness.js';
import { call } from './gateway-harness.js';
import { eventually } from './support/platform.js';
import { multipart } from './support/multipart.js';
import { openApiOf } from './support/openapi.js';

let p: Platform;
let doc: Awaited<ReturnType<typeof openApiOf>>;
let token = '';
let failToken = '';

const api = async <T = Service>(method: 'GET' | 'POST' | 'PUT', url: string, body?: object): Promise<{ status: number; body: T; text: string }> => {
  const res = await fetch(`${p.url}${url}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : text) as T, text };
};
/** GET an API route, checked against the OpenAPI document. */
const documented = async <T>(url: string, route: string): Promise<{ status: number; body: T }> => {
  const r = await api<T>('GET', url);
  doc.expectDocumented('GET', route, { statusCode: r.status, body: r.text });
  return r;
};

/** 400 with {bad}, 500 with {fail}, else echoes; `pad` makes the answer that long. */
const HANDLER = `export default class Model {
  constructor(dir, ctx) { this.ctx = ctx; }
  async load() {}
  async preprocess(body) { return body; }
  async predict(input) {
    if (input.bad) throw this.ctx.badInput('x must be a number');
    if (input.fail) throw new Error('the model broke');
    return { echo: input, pad: 'p'.repeat(input.pad ?? 0) };
  }
  async postprocess(out) { return out; }
}
`;

const version = (extra: object = {}) => ({
  model: 'echo',
  modelVersion: 'v1',
  resources: { cpuMillicores: 500, memoryMiB: 256 },
  scaling: { mode: 'manual', instances: 1 },
  ...extra,
});
const running = (name: string) =>
  eventually(
    async () => {
      const s = (await api('GET', `/api/v1/services/${name}`)).body;
      if (s.status === 'Failed') throw new Error(`service failed: ${s.reason}`);
      return s.status === 'Running' && s.versions.every((v) => v.readyInstances === 1) ? s : null;
    },
    60_000,
    `${name} running`,
  );
const predict = (name: string, body: object, auth = true) =>
  call(`${p.url}/${name}/v1/models/m:predict`, { body: JSON.stringify(body), headers: auth ? { authorization: `Bearer ${token}` } : {} });
const captures = async (name: string, query = '') => {
  await p.capture.flush();
  return (await documented<CapturePage>(`/api/v1/services/${name}/captures${query}`, '/api/v1/services/:name/captures')).body;
};
/** Every capture file's text straight from the blob folder, and after it every body decoded (they are stored base64). */
const allCaptureText = () => {
  const root = p.blobs.localPath!('captures');
  if (!fs.existsSync(root)) return '';
  const raw = (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(root, f)).isFile())
    .map((f) => fs.readFileSync(path.join(root, f), 'utf8'))
    .join('');
  const bodies = raw
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      const r = JSON.parse(l) as { request: { body: string }; response: { body: string } };
      return [r.request.body, r.response.body].map((b) => Buffer.from(b, 'base64').toString('utf8'));
    });
  return `${raw}\n${bodies.join('\n')}`;
};
/** Waits until the gateway's route of `name` captures (or not), after a change. */
const routeCaptures = (name: string, percent: number | undefined) =>
  eventually(() => p.directory.route(name)?.versions[0]?.capture?.percent === percent, 10_000, `${name}'s route with capture ${percent}`);
const metric = async (line: RegExp) => {
  const text = await (await fetch(`${p.url}/metrics`)).text();
  return Number(
    text
      .split('\n')
      .find((l) => line.test(l))
      ?.split(' ')
      .pop() ?? 0,
  );
};

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-capture-'));
  p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent' } }), { reconcilePeriodMs: 200, capture: { rollMs: 500 } });
  doc = await openApiOf(p.app);
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'custom', runtime: 'node20-handler', createModel: true }) },
    { name: 'f', filename: 'model_service.mjs', data: Buffer.from(HANDLER) },
  ]);
  expect((await fetch(`${p.url}/api/v1/models/echo/versions`, { method: 'POST', headers: mp.headers, body: mp.payload })).status).toBe(202);
  await eventually(async () => (await api<{ status: string }>('GET', '/api/v1/models/echo/versions/v1')).body.status === 'ready');
  expect((await api('POST', '/api/v1/services', { name: 'cap', auth: true, version: version({ capture: { percent: 100, maxBodyBytes: 200 } }) })).status).toBe(
    202,
  );
  expect((await api('POST', '/api/v1/services', { name: 'capfail', auth: true, version: version({ capture: { percent: 100 } }) })).status).toBe(202);
  token = (await api<{ token: string }>('POST', '/api/v1/services/cap/tokens', { name: 't' })).body.token;
  failToken = (await api<{ token: string }>('POST', '/api/v1/services/capfail/tokens', { name: 't' })).body.token;
  await running('cap');
  await running('capfail');
}, 120_000);

afterAll(async () => {
  await p?.close();
});

describe('payload capture', () => {
  it('captures 2xx, 4xx and 5xx calls with both bodies, status, latency, version and instance; long bodies cut and marked', async () => {
    expect((await predict('cap', { x: 1 })).status).toBe(200);
    expect((await predict('cap', { bad: true })).status).toBe(400);
    expect((await predict('cap', { fail: true })).status).toBe(500);
    expect((await predict('cap', { x: 2, pad: 1000 })).status).toBe(200);
    const infer = await call(`${p.url}/v2/models/cap/infer?trace=1`, {
      body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [3] }] }),
      headers: { authorization: token },
    });
    expect(infer.status).toBe(200);

    const page = await captures('cap');
    const instance = (await api<{ items: Instance[] }>('GET', '/api/v1/services/cap/instances')).body.items[0]!;
    const v1 = (await api('GET', '/api/v1/services/cap')).body.versions[0]!;
    expect(page.items.map((i) => i.status)).toEqual([200, 200, 500, 400, 200]); // newest first
    for (const i of page.items) {
      expect(i).toMatchObject({ service: 'cap', version: 1, versionId: v1.id, instance: instance.id, method: 'POST' });
      expect(i.latencyMs).toBeGreaterThan(0);
      expect(Math.abs(Date.parse(i.ts) - Date.now())).toBeLessThan(60_000);
      expect(i.file).toMatch(/^1\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/\d{8}T\d{9}Z-.+-\d+\.jsonl$/);
    }
    const [inferred, padded, failed, bad, ok] = page.items;
    expect(ok).toMatchObject({ op: 'predict', path: '/cap/v1/models/m:predict', request: { encoding: 'utf8', body: '{"x":1}', size: 7 } });
    expect(JSON.parse(ok!.response.body)).toMatchObject({ echo: { x: 1 } });
    expect(bad).toMatchObject({ status: 400, errorCode: 'INVALID_INPUT' });
    expect(bad!.response.body).toContain('x must be a number');
    expect(failed!.status).toBe(500);
    expect(failed!.response.body).toContain('error');
    expect(padded!.response).toMatchObject({ truncated: true, encoding: 'utf8' });
    expect(padded!.response.size).toBeGreaterThan(1000);
    expect(Buffer.byteLength(padded!.response.body)).toBe(200);
    expect(padded!.request.truncated).toBeUndefined();
    expect(inferred).toMatchObject({ op: 'infer', path: '/v2/models/cap/infer' });
  });

  it('never writes an authorization header or a token into a capture file', async () => {
    expect((await predict('cap', { secret: 'none' })).status).toBe(200);
    expect((await predict('cap', { x: 1 }, false)).status).toBe(401); // refused before a version: not captured
    await p.capture.flush();
    const text = allCaptureText();
    expect(text).toContain('{"secret":"none"}');
    expect(text).not.toContain(token);
    expect(text).not.toContain(failToken);
    expect(text.toLowerCase()).not.toContain('authorization');
    expect(text.toLowerCase()).not.toContain('bearer');
    expect((await captures('cap')).items.some((i) => i.status === 401)).toBe(false);
  });

  it('captures none at 0%, every call at 100%, about half at 50%: changed live, no instance replaced', async () => {
    const before = (await api<{ items: Instance[] }>('GET', '/api/v1/services/cap/instances')).body.items.map((i) => i.id);
    const count = async () => {
      let n = 0;
      let cursor = '';
      for (;;) {
        const pg = await captures('cap', `?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
        n += pg.items.length;
        if (!pg.nextCursor) return n;
        cursor = pg.nextCursor;
      }
    };
    const calls = async (n: number) => {
      for (let i = 0; i < n; i++) expect((await predict('cap', { i })).status).toBe(200);
    };
    const put = await api('PUT', '/api/v1/services/cap/versions/1/capture', { percent: 0 });
    expect(put.status).toBe(200);
    doc.expectDocumented('PUT', '/api/v1/services/:name/versions/:version/capture', { statusCode: put.status, body: put.text });
    expect(put.body.versions[0]!.spec.capture).toEqual({ percent: 0 });
    await routeCaptures('cap', undefined);
    const n0 = await count();
    await calls(20);
    expect(await count()).toBe(n0);

    expect((await api('PUT', '/api/v1/services/cap/versions/v1/capture', { percent: 100, maxBodyBytes: 200 })).status).toBe(200);
    await routeCaptures('cap', 100);
    await calls(20);
    expect(await count()).toBe(n0 + 20);

    expect((await api('PUT', '/api/v1/services/cap/versions/1/capture', { percent: 50, maxBodyBytes: 200 })).status).toBe(200);
    await routeCaptures('cap', 50);
    await calls(200);
    const half = (await count()) - n0 - 20;
    expect(half).toBeGreaterThan(50); // binomial(200, 0.5): 50 and 150 are 7 standard deviations out
    expect(half).toBeLessThan(150);

    const after = (await api<{ items: Instance[] }>('GET', '/api/v1/services/cap/instances')).body.items.map((i) => i.id);
    expect(after).toEqual(before);
    const events = (await api<{ items: { reason: string; message: string }[] }>('GET', '/api/v1/services/cap/events')).body.items;
    expect(events.find((e) => e.reason === 'CaptureChanged')?.message).toContain('50%');
    // back to all, for the tests after
    expect((await api('PUT', '/api/v1/services/cap/versions/1/capture', { percent: 100, maxBodyBytes: 200 })).status).toBe(200);
    await routeCaptures('cap', 100);
  });

  it('refuses a bad capture setting and names the field', async () => {
    for (const bad of [{ percent: 101 }, { percent: -1 }, { percent: 10, maxBodyBytes: -5 }, {}, { percent: 10, headers: true }]) {
      expect((await api('PUT', '/api/v1/services/cap/versions/1/capture', bad)).status).toBe(400);
    }
    expect((await api<{ error: { code: string } }>('PUT', '/api/v1/services/cap/versions/9/capture', { percent: 10 })).body.error.code).toBe(
      'VERSION_NOT_FOUND',
    );
    expect((await api<{ error: { code: string } }>('PUT', '/api/v1/services/nope/versions/1/capture', { percent: 10 })).status).toBe(404);
  });

  it('drops and counts the captures a failing store refuses, and every call still answers; they resume once it works', async () => {
    // a file where the service's capture folder goes: every capture write under it fails
    const blocker = p.blobs.localPath!('captures/capfail');
    fs.mkdirSync(path.dirname(blocker), { recursive: true });
    fs.writeFileSync(blocker, 'not a folder');
    const auth = { authorization: `Bearer ${failToken}` };
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await call(`${p.url}/capfail/v1/models/m:predict`, { body: JSON.stringify({ i }), headers: auth })).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    await p.capture.flush();
    expect(await metric(/^modeldock_capture_dropped_total\{.*service="capfail".*reason="store_error"/)).toBe(30);
    expect(await metric(/^modeldock_captured_calls_total\{service="capfail"/)).toBe(0);

    fs.rmSync(blocker);
    expect((await call(`${p.url}/capfail/v1/models/m:predict`, { body: '{"after":1}', headers: auth })).status).toBe(200);
    await p.capture.flush();
    expect(await metric(/^modeldock_captured_calls_total\{service="capfail"/)).toBe(1);
    expect((await captures('capfail')).items.map((i) => i.request.body)).toEqual(['{"after":1}']);
    expect(await metric(/^modeldock_capture_written_bytes_total\{service="cap",/)).toBeGreaterThan(0);
  });

  it('filters by status, version and time, pages with a cursor, and downloads the files', async () => {
    for (const body of [{ bad: 1 }, { fail: 1 }, { bad: 2 }]) await predict('cap', body);
    expect((await captures('cap', '?status=5xx')).items.every((i) => i.status >= 500)).toBe(true);
    expect((await captures('cap', '?status=400')).items.slice(0, 2).map((i) => i.request.body)).toEqual(['{"bad":2}', '{"bad":1}']);
    expect((await captures('cap', '?status=error&limit=3')).items.map((i) => i.status)).toEqual([400, 500, 400]);
    expect((await captures('cap', '?version=2')).items).toEqual([]);
    expect((await captures('cap', `?since=${new Date(Date.now() + 3_600_000).toISOString()}`)).items).toEqual([]);
    expect((await captures('cap', '?since=1h&status=500')).items.length).toBeGreaterThan(0);
    expect((await captures('cap', '?until=2020-01-01T00:00:00Z')).items).toEqual([]);

    // pages of 7 walk through every record once
    const all = (await captures('cap', '?limit=500')).items;
    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const pg = await captures('cap', `?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      walked.push(...pg.items.map((i) => `${i.ts} ${i.request.body}`));
      cursor = pg.nextCursor;
    } while (cursor);
    expect(walked).toEqual(all.map((i) => `${i.ts} ${i.request.body}`));

    const files = (await documented<{ items: CaptureFile[] }>('/api/v1/services/cap/capture-files', '/api/v1/services/:name/capture-files')).body.items;
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => f.version === 1)).toBe(true);
    const dl = await fetch(`${p.url}/api/v1/services/cap/capture-files/${files[0]!.file}`);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await dl.text()).trim().split('\n');
    expect(lines.length).toBe(all.filter((i) => i.file === files[0]!.file).length);
    expect(JSON.parse(lines[0]!)).toMatchObject({ service: 'cap', version: 1 });

    for (const [q, code] of [
      ['?status=6xx', 400],
      ['?cursor=nope', 400],
      ['?since=yesterday', 400],
    ] as const)
      expect((await api('GET', `/api/v1/services/cap/captures${q}`)).status).toBe(code);
    for (const bad of ['1/2020/01/01/00/20200101T000000000Z-x-1.jsonl', '..%2F..%2Fmodels%2Fx', 'x.jsonl']) {
      const r = await api<{ error: { code: string } }>('GET', `/api/v1/services/cap/capture-files/${bad}`);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('CAPTURE_FILE_NOT_FOUND');
    }
    expect((await api('GET', '/api/v1/services/nope/captures')).status).toBe(404);
  });

  it('works from the CLI: capture --percent/--off, captures with filters, capture-files and capture-download', async () => {
    const off = await cliJson<Service>(p.url, ['services', 'capture', 'cap', '--version', '1', '--off']);
    expect(off.versions[0]!.spec.capture).toEqual({ percent: 0 });
    const on = await cli(p.url, ['services', 'capture', 'cap', '--version', 'v1', '--percent', '100', '--max-body-bytes', '200']);
    expect(on.code).toBe(0);
    expect((await api('GET', '/api/v1/services/cap')).body.versions[0]!.spec.capture).toEqual({ percent: 100, maxBodyBytes: 200 });
    expect((await cli(p.url, ['services', 'capture', 'cap', '--version', '1'])).code).not.toBe(0);
    expect((await cli(p.url, ['services', 'capture', 'cap', '--version', '1', '--percent', '150'])).code).not.toBe(0);
    await routeCaptures('cap', 100);
    expect((await predict('cap', { fail: 'cli' })).status).toBe(500);
    await p.capture.flush();

    const page = await cliJson<CapturePage>(p.url, [
      'services',
      'captures',
      'cap',
      '--status',
      '5xx',
      '--version',
      '1',
      '--since',
      '1h',
      '--limit',
      '1',
      '-o',
      'json',
    ]);
    expect(page.items.map((i) => [i.status, i.request.body])).toEqual([[500, '{"fail":"cli"}']]);
    const table = await cli(p.url, ['services', 'captures', 'cap', '--status', '500', '--limit', '1']);
    expect(table.stdout).toMatch(/TIME\s+VERSION\s+STATUS/);
    expect(table.stdout).toContain('{"fail":"cli"}');

    const files = await cliJson<{ items: CaptureFile[] }>(p.url, ['services', 'capture-files', 'cap']);
    const file = page.items[0]!.file;
    expect(files.items.map((f) => f.file)).toContain(file);
    const out = path.join(tmpDir('capture-dl'), 'c.jsonl');
    expect((await cli(p.url, ['services', 'capture-download', 'cap', file, '--out', out])).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toContain(Buffer.from('{"fail":"cli"}').toString('base64'));
  });
});
