/**
 * The platform process SIGKILLed mid-work, then restarted on the same data dir (issue #8):
 *   round 1 — mid-import (a 256 MiB storage import copying), mid-upload (a multipart body
 *             half sent) and mid-deploy (a service just created);
 *   round 2 — mid-rolling update, under load.
 * After each restart: every model version is complete (its stored bytes match the recorded
 * sha256) or absent, no upload leftovers, every service converges to its desired state,
 * no instance process of the killed platform is left, tokens and weights are as they were.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call, load } from './gateway-harness.js';
import { tinyInferBody, tinyReluOnnx } from './gateway-model.js';
import { eventually } from './support/platform.js';
import { api, importFiles, running, tinyVersion, type Json } from './support/reliability.js';
import { instanceProcesses, spawnUp, type UpProcess } from './support/up.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-kill-'));
const children: ChildProcess[] = [];
const BIG_MIB = 256;

async function up(): Promise<UpProcess> {
  const p = await spawnUp(dataDir);
  children.push(p.child);
  return p;
}

async function kill(p: UpProcess): Promise<void> {
  const gone = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGKILL');
  await gone;
}

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const i of instanceProcesses(dataDir)) process.kill(i.pid, 'SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Every version of every model: ready with each file's bytes matching its sha256, or failed/absent — never importing for ever. */
async function versionsWhole(base: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const m of (await api(base, 'GET', '/api/v1/models')).body.items as Json[]) {
    for (const v of (await api(base, 'GET', `/api/v1/models/${m.name}/versions`)).body.items as Json[]) {
      const full = await eventually(
        async () => {
          const x = (await api(base, 'GET', `/api/v1/models/${m.name}/versions/${v.version}`)).body;
          return x.status !== 'importing' ? x : null;
        },
        60_000,
        `${m.name} ${v.version} to finish importing`,
      );
      out[`${m.name}/${v.version}`] = full.status;
      if (full.status !== 'ready') continue;
      for (const f of full.files as { path: string; sha256: string; size: number }[]) {
        const file = path.join(dataDir, 'blobs', full.storagePath ?? full.storage_path ?? '', f.path);
        const bytes = await fetch(`${base}/api/v1/models/${m.name}/versions/${v.version}/files/${f.path}`);
        expect(bytes.status, `${m.name} ${v.version} ${f.path}`).toBe(200);
        const h = createHash('sha256')
          .update(Buffer.from(await bytes.arrayBuffer()))
          .digest('hex');
        expect(h).toBe(f.sha256);
        if (fs.existsSync(file)) expect(sha(file)).toBe(f.sha256);
      }
    }
  }
  return out;
}

/** Sends the head of a multipart upload and about 8 MiB of its file, then holds the connection open. */
function halfUpload(base: string): void {
  const boundary = 'XkillX';
  const req = http.request(`${base}/api/v1/models/halfway/versions`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  req.on('error', () => undefined);
  const spec = JSON.stringify({ source: { type: 'upload' }, format: 'custom', runtime: 'node20-handler', createModel: true });
  req.write(
    `--${boundary}\r\nContent-Disposition: form-data; name="spec"\r\n\r\n${spec}\r\n--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="w.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  for (let i = 0; i < 8; i++) req.write(Buffer.alloc(1 << 20, i));
}

const noOrphans = (survivor: UpProcess) =>
  eventually(() => instanceProcesses(dataDir).every((i) => i.parent === survivor.child.pid), 30_000, 'only instances of the running platform');

describe('the platform killed mid-work', () => {
  let token = '';

  it('round 1: mid-import, mid-upload and mid-deploy — restarted, nothing half-written, services converge', { timeout: 240_000 }, async () => {
    const first = await up();
    await importFiles(first.url, 'tiny', { 'model.onnx': tinyReluOnnx() });
    await api(first.url, 'POST', '/api/v1/services', { name: 'keep', auth: true, version: tinyVersion({ scaling: { mode: 'manual', instances: 2 } }) });
    token = (await api(first.url, 'POST', '/api/v1/services/keep/tokens', { name: 't' })).body.token;
    await running(first.url, 'keep');
    // a big object to import from storage: the copy takes a while
    const put = await fetch(`${first.url}/api/v1/storage/incoming/big/weights.bin`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(BIG_MIB << 20, 7),
    });
    expect(put.status).toBeLessThan(300);
    const before = instanceProcesses(dataDir);
    expect(before).toHaveLength(2);

    halfUpload(first.url);
    const imp = await api(first.url, 'POST', '/api/v1/models/big/versions', {
      source: { type: 'storage', path: 'incoming/big' },
      format: 'custom',
      runtime: 'node20-handler',
      createModel: true,
    });
    expect(imp.status).toBe(202);
    const deploy = await api(first.url, 'POST', '/api/v1/services', { name: 'fresh', version: tinyVersion({ scaling: { mode: 'manual', instances: 2 } }) });
    expect(deploy.status).toBe(202);
    await eventually(() => fs.readdirSync(path.join(dataDir, 'staging')).some((d) => d.startsWith('tmp-')), 10_000, 'the upload to reach staging');
    const mid = (await api(first.url, 'GET', '/api/v1/models/big/versions/v1')).body.status;
    await kill(first);
    await eventually(() => instanceProcesses(dataDir).length === 0, 30_000, "the killed platform's instances to exit").catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(instanceProcesses(dataDir))}`);
    });

    const second = await up();
    try {
      const statuses = await versionsWhole(second.url);
      expect(statuses['tiny/v1']).toBe('ready');
      expect(statuses['big/v1']).toBe('ready'); // resumed: complete, with the right bytes
      expect(statuses['halfway/v1']).toBeUndefined(); // the cut-off upload left no version
      expect(fs.readdirSync(path.join(dataDir, 'staging')).filter((d) => d.startsWith('tmp-'))).toEqual([]);
      await Promise.all([running(second.url, 'keep'), running(second.url, 'fresh')]);
      await noOrphans(second);
      expect(instanceProcesses(dataDir)).toHaveLength(4);
      const r = await call(`${second.url}/v2/models/keep/infer`, { body: tinyInferBody(), headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(200);
      expect((await call(`${second.url}/v2/models/keep/infer`, { body: tinyInferBody() })).status).toBe(401);
      expect(['importing', 'ready']).toContain(mid);
    } finally {
      await kill(second);
    }
  });

  it('round 2: mid-rolling update under load — restarted, the update completes, weights and tokens kept', { timeout: 240_000 }, async () => {
    const third = await up();
    await running(third.url, 'keep');
    await api(third.url, 'POST', '/api/v1/services/keep/versions', tinyVersion());
    await api(third.url, 'PUT', '/api/v1/services/keep/weights', {
      weights: [
        { version: 1, weight: 80 },
        { version: 2, weight: 20 },
      ],
    });
    await running(third.url, 'keep');
    const old = new Set(instanceProcesses(dataDir).map((i) => i.pid));
    let stop = false;
    let served = 0;
    const calls = load(
      1_000_000,
      2,
      async () => {
        const status = (await call(`${third.url}/v2/models/keep/infer`, { body: tinyInferBody(), headers: { authorization: `Bearer ${token}` } })).status;
        if (status === 200) served++;
        return status;
      },
      () => stop,
    );
    await eventually(() => served >= 20, 30_000, 'the load to be served');
    const put = await api(
      third.url,
      'PUT',
      '/api/v1/services/keep/versions/1',
      tinyVersion({ scaling: { mode: 'manual', instances: 2 }, env: { ROLLED: '1' } }),
    );
    expect(put.status).toBeLessThan(300);
    // kill once the update is under way: a new-spec instance started beside the old ones
    await eventually(() => instanceProcesses(dataDir).some((i) => !old.has(i.pid)), 30_000, 'the rolling update to start an instance');
    await kill(third);
    stop = true;
    const before = await calls;
    expect(before.filter((s) => s === 200).length).toBeGreaterThanOrEqual(20);

    const fourth = await up();
    try {
      const s = await running(fourth.url, 'keep');
      expect(s.versions.map((v: Json) => [v.weight, v.desiredInstances])).toEqual([
        [80, 2],
        [20, 1],
      ]);
      // the update went on: both instances of version 1 run with its new env
      const rolled = instanceProcesses(dataDir).filter((i) => fs.readFileSync(`/proc/${i.pid}/environ`, 'utf8').split('\0').includes('ROLLED=1'));
      expect(rolled).toHaveLength(2);
      await noOrphans(fourth);
      expect(instanceProcesses(dataDir)).toHaveLength(2 + 1 + 2); // keep v1 ×2, keep v2 ×1, fresh ×2
      const after = await load(
        200,
        4,
        async () => (await call(`${fourth.url}/v2/models/keep/infer`, { body: tinyInferBody(), headers: { authorization: `Bearer ${token}` } })).status,
      );
      expect(after.filter((x) => x !== 200)).toEqual([]);
      await versionsWhole(fourth.url);
    } finally {
      await kill(fourth);
    }
  });
});
