/**
 * The Python SDK (python/modeldock, standard library only) driving both journeys of
 * DESIGN.md §1 against a real platform: test/sdk-python/journeys.py run with Debian's
 * /usr/bin/python3 asserts as it goes (folder import with progress, a call token, the cat
 * photo by TI-ONE predict, the ONNX classifier over OIP v2 binary FP16 tensors, scale and
 * weights, the MNIST task followed through its logs, digits read back) and prints a summary.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import { mnistSplit } from '../src/tasks/datasets/mnist.js';

const ROOT = new URL('..', import.meta.url).pathname;
let p: Platform;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-sdk-py-'));
  p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir: path.join(work, 'data'), port: 0, logLevel: 'silent' } }));
  // held-out digits as dark-on-light 200×200 JPEGs (photos of paper), for the MNIST journey
  const { heldout } = mnistSplit();
  for (const d of [7, 2]) {
    const i = heldout.labels.indexOf(d);
    const px = Buffer.from(heldout.images.subarray(i * 784, (i + 1) * 784)).map((v) => 255 - v);
    await sharp(Buffer.from(px), { raw: { width: 28, height: 28, channels: 1 } })
      .resize(200, 200, { kernel: 'cubic' })
      .jpeg({ quality: 90 })
      .toFile(path.join(work, `digit-${d}.jpg`));
  }
}, 120_000);

afterAll(async () => {
  await p?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

function python(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [path.join(ROOT, 'test/sdk-python/journeys.py'), p.url, path.join(ROOT, 'examples/fixtures'), work, ...args], {
      env: { ...process.env, PYTHONPATH: path.join(ROOT, 'python'), PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the Python SDK against a running platform', () => {
  it('journey 2: pytorch/classify by folder upload and a token, the ONNX classifier over OIP v2 binary tensors, scale and weights', async () => {
    const r = await python(['classify', 'classify_onnx_binary']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const summary = JSON.parse(r.stdout) as { cat: string; tokenUsedToday: number; oipBinaryTop: number; readyAfterScale: number; accessLogged: boolean };
    expect(summary.cat).toMatch(/cat/i);
    expect(summary).toMatchObject({ tokenUsedToday: 1, readyAfterScale: 2, accessLogged: true });
    expect(summary.oipBinaryTop).toBeGreaterThanOrEqual(281);
    expect(summary.oipBinaryTop).toBeLessThanOrEqual(285);
  }, 600_000);

  it('journey 1: the MNIST task followed through its logs, imported from the task, served, digits read', async () => {
    const r = await python(['mnist']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const summary = JSON.parse(r.stdout) as { trainedAccuracy: number; digits: Record<string, number> };
    expect(summary.trainedAccuracy).toBeGreaterThanOrEqual(0.95); // 2 epochs (the CLI journey trains the full 4)
    expect(summary.digits).toEqual({ '7': 7, '2': 2 });
  }, 900_000);

  it('answers a refused call with ModeldockError carrying the stable code and status, and an unreachable platform as UNREACHABLE', async () => {
    const script = [
      'import sys, json',
      'from modeldock import Client, ModeldockError',
      'out = []',
      'for url, call in ((sys.argv[1], lambda c: c.models.get("nope")), ("http://127.0.0.1:9", lambda c: c.health())):',
      '    try:',
      '        call(Client(url, timeout=5))',
      '    except ModeldockError as e:',
      '        out.append([e.code, e.status])',
      'print(json.dumps(out))',
    ].join('\n');
    const r = await new Promise<string>((resolve, reject) => {
      const child = spawn('/usr/bin/python3', ['-c', script, p.url], {
        env: { ...process.env, PYTHONPATH: path.join(ROOT, 'python') },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
    expect(JSON.parse(r)).toEqual([
      ['MODEL_NOT_FOUND', 404],
      ['UNREACHABLE', 0],
    ]);
  });
});
