/** A real platform (SQLite, folder blobs) in a temp data dir, in-process, for API tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { createPlatform } from '../../src/platform.js';
import { multipart } from './multipart.js';

const created: string[] = [];
// Temp data dirs go when the test process ends (a test may reopen one after close()).
process.once('exit', () => {
  for (const d of created) fs.rmSync(d, { recursive: true, force: true });
});

export type TestPlatform = Awaited<ReturnType<typeof createPlatform>> & { dataDir: string };

export async function testPlatform(overrides: Partial<Record<keyof Config, unknown>> = {}): Promise<TestPlatform> {
  const dataDir = (overrides.dataDir as string | undefined) ?? fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-test-'));
  created.push(dataDir);
  const config = loadConfig({ env: {}, overrides: { logLevel: 'silent', ...overrides, dataDir } });
  const p = await createPlatform(config);
  return Object.assign(p, { dataDir });
}

/** Waits until `fn` returns a truthy value (polling), or fails after `timeoutMs`. */
export async function eventually<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Imports model `m` v1 as a placeholder (bytes that only look like an ONNX upload) and waits
 * until it is ready: for control-plane tests whose versions run 0 instances.
 */
export async function importPlaceholder(p: TestPlatform, model = 'm'): Promise<void> {
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true }) },
    { name: 'f', filename: 'model.onnx', data: Buffer.from('not really onnx') },
  ]);
  await p.app.inject({ method: 'POST', url: `/api/v1/models/${model}/versions`, payload: mp.payload, headers: mp.headers });
  await eventually(async () => (await p.app.inject({ url: `/api/v1/models/${model}/versions/v1` })).json().status === 'ready');
}
