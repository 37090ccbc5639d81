/**
 * The object store, storage imports, runtimes, doctor, `up` and the admin token through
 * the CLI. One platform, started with an admin token and an allowed local import root.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion, RuntimeEnv, StorageObject } from '../src/contracts/resources.js';
import type { Check } from '../src/cli/commands/doctor.js';
import { cli, cliJson, closedPort, sha256, startPlatform, tmpDir, writeTree, type RunningPlatform } from './cli-harness.js';

const TOKEN = 'cli-test-admin-token';
const withToken = { env: { MODELDOCK_ADMIN_TOKEN: TOKEN } };

let platform: RunningPlatform;
let work: string;
let importRoot: string;

beforeAll(async () => {
  work = tmpDir('cli-storage');
  importRoot = tmpDir('cli-import-root');
  platform = await startPlatform({ MODELDOCK_ADMIN_TOKEN: TOKEN, MODELDOCK_IMPORT_ROOTS: importRoot });
  writeTree(path.join(work, 'classify'), { 'model.onnx': randomBytes(50_000), 'modeldock.json': '{"labels":"labels.txt"}', 'labels.txt': 'cat\ndog\n' });
  writeTree(path.join(importRoot, 'handler'), { 'model_service.js': 'export default class M {}', 'data/w.bin': randomBytes(1000) });
});

afterAll(async () => {
  if (platform) expect(await platform.stop()).toBe(0);
});

describe('the admin token', () => {
  it('without it the platform answers UNAUTHENTICATED; --token and MODELDOCK_ADMIN_TOKEN both work', async () => {
    const none = await cli(platform.url, ['storage', 'ls']);
    expect(none.code).toBe(5);
    expect(none.stderr).toMatch(/^error: UNAUTHENTICATED: /);
    expect((await cli(platform.url, ['--token', TOKEN, 'storage', 'ls'])).code).toBe(0);
    expect((await cli(platform.url, ['storage', 'ls'], withToken)).code).toBe(0);
  });
});

describe('storage', () => {
  it('puts a folder, lists it, gets an object back byte-identical', async () => {
    const put = await cliJson<{ items: { path: string; sha256: string }[] }>(
      platform.url,
      ['storage', 'put', path.join(work, 'classify'), 'data/classify'],
      withToken,
    );
    expect(put.items.map((i) => i.path).sort()).toEqual(['data/classify/labels.txt', 'data/classify/model.onnx', 'data/classify/modeldock.json']);
    const ls = await cliJson<{ items: StorageObject[] }>(platform.url, ['storage', 'ls', 'data/classify'], withToken);
    expect(ls.items.find((o) => o.path === 'data/classify/model.onnx')?.size).toBe(50_000);
    const out = path.join(work, 'got.onnx');
    const get = await cli(platform.url, ['storage', 'get', 'data/classify/model.onnx', '--out', out], withToken);
    expect(get.code).toBe(0);
    expect(sha256(fs.readFileSync(out))).toBe(sha256(fs.readFileSync(path.join(work, 'classify/model.onnx'))));
  });

  it('puts one file at a path and removes it', async () => {
    expect((await cli(platform.url, ['storage', 'put', path.join(work, 'classify/labels.txt'), 'tmp/one.txt'], withToken)).code).toBe(0);
    expect((await cli(platform.url, ['storage', 'rm', 'tmp/one.txt'], withToken)).code).toBe(0);
    const again = await cli(platform.url, ['storage', 'get', 'tmp/one.txt', '--out', path.join(work, 'x')], withToken);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/^error: OBJECT_NOT_FOUND: /);
    expect(fs.existsSync(path.join(work, 'x'))).toBe(false);
  });

  it('imports from storage with --move move, inferring onnx; the source is gone after', async () => {
    const r = await cli(
      platform.url,
      ['--json', 'models', 'import', 'classify', '--source', 'storage', '--path', 'data/classify', '--move', 'move'],
      withToken,
    );
    expect(r.stderr).toMatch(/inferred format onnx, runtime onnxruntime1\.30-node20-cpu/);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout) as ModelVersion;
    expect(v).toMatchObject({
      model: 'classify',
      version: 'v1',
      status: 'ready',
      format: 'onnx',
      moveMode: 'move',
      source: { type: 'storage', path: 'data/classify' },
      fileCount: 3,
    });
    const left = await cliJson<{ items: StorageObject[] }>(platform.url, ['storage', 'ls', 'data/classify'], withToken);
    expect(left.items).toEqual([]);
  });

  it('imports a local folder under an allowed root (file:///), and refuses one outside it', async () => {
    const ok = await cliJson<ModelVersion>(
      platform.url,
      ['models', 'import', 'handler', '--path', `file://${path.join(importRoot, 'handler')}`, '--format', 'custom', '--runtime', 'node20-handler'],
      withToken,
    );
    expect(ok).toMatchObject({ status: 'ready', fileCount: 2 });
    const outside = await cli(
      platform.url,
      ['models', 'import', 'handler', '--path', `file://${work}`, '--format', 'custom', '--runtime', 'node20-handler'],
      withToken,
    );
    expect(outside.code).toBe(5);
    expect(outside.stderr).toMatch(/^error: LOCAL_PATH_NOT_ALLOWED: /);
  });

  it('rm --recursive removes a folder', async () => {
    await cli(platform.url, ['storage', 'put', path.join(importRoot, 'handler'), 'junk'], withToken);
    expect((await cliJson<{ items: StorageObject[] }>(platform.url, ['storage', 'ls', 'junk'], withToken)).items).toHaveLength(2);
    expect((await cli(platform.url, ['storage', 'rm', 'junk', '--recursive'], withToken)).code).toBe(0);
    expect((await cliJson<{ items: StorageObject[] }>(platform.url, ['storage', 'ls', 'junk'], withToken)).items).toEqual([]);
  });
});

describe('runtimes and doctor', () => {
  it('runtimes lists the catalog with availability', async () => {
    const { items } = await cliJson<{ items: RuntimeEnv[] }>(platform.url, ['runtimes'], withToken);
    expect(items.map((r) => r.id).sort()).toEqual(['node20-handler', 'onnxruntime1.30-node20-cpu', 'torch1.13-py311-cpu']);
    for (const r of items) expect(r.available || Boolean(r.reason)).toBe(true);
    const human = await cli(platform.url, ['runtimes'], withToken);
    expect(human.stdout).toMatch(/^node20-handler\s+node\s+custom,onnx\s+yes\s/m);
  });

  it('doctor reports config and checks, and the server as OK when it answers', async () => {
    const dataDir = path.join(work, 'doctor-data');
    const d = await cliJson<{ config: { dataDir: string; adminToken: string }; checks: Check[] }>(platform.url, ['doctor', '--data-dir', dataDir], withToken);
    expect(d.config.dataDir).toBe(dataDir);
    expect(d.config.adminToken).toBe('(set)');
    const by = Object.fromEntries(d.checks.map((c) => [c.name, c]));
    expect(by.node?.status).toBe('OK');
    expect(by.server?.status).toBe('OK');
    expect(by['data dir']?.status).toBe('OK');
    for (const c of d.checks) if (c.status !== 'OK') expect(c.fix).toBeTruthy();
    expect(Object.keys(by)).toEqual(expect.arrayContaining(['onnxruntime-node', 'sharp', 'python3', 'chromium']));
  });

  it('doctor exits 0 with the server DOWN and says how to start it', async () => {
    const r = await cli(`http://127.0.0.1:${await closedPort()}`, ['doctor']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^effective config$/m);
    expect(r.stdout).toMatch(/DOWN\s+server\s+.*connection refused/);
    expect(r.stdout).toMatch(/fix: start it with `modeldock up`/);
  });

  it('up refuses an invalid config with one line', async () => {
    const r = await cli(undefined, ['up', '--port', '70000', '--data-dir', path.join(work, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: INVALID_CONFIG: invalid configuration: \/port/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('up on a port already taken says so in one line', async () => {
    const port = Number(new URL(platform.url).port);
    const r = await cli(undefined, ['up', '--port', String(port), '--data-dir', path.join(work, 'taken')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: ADDRESS_IN_USE: 127\\.0\\.0\\.1:${port} is already in use`, 'm'));
  });
});
