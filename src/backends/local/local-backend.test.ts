import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tinyReluOnnx } from '../../../test/gateway-model.js';
import { eventually } from '../../../test/support/platform.js';
import { describeBackend } from '../backend.contract.js';
import { LocalBackend } from './local-backend.js';

describeBackend('local processes', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'md-backend-'));
  fs.mkdirSync(path.join(root, 'good'));
  fs.writeFileSync(path.join(root, 'good', 'model.onnx'), tinyReluOnnx());
  fs.mkdirSync(path.join(root, 'bad'));
  fs.writeFileSync(path.join(root, 'bad', 'model.onnx'), 'this is not an onnx model');
  const backend = new LocalBackend({ blobPath: (key) => path.join(root, key), backoffMs: () => 100 });
  return {
    backend,
    goodModelKey: 'good',
    badModelKey: 'bad',
    runtime: 'onnxruntime1.30-node20-cpu',
    async crash(id) {
      process.kill(backend.list().find((i) => i.instanceId === id)!.pid!, 'SIGKILL');
    },
    async close() {
      await backend.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
});

describe('local backend probes', () => {
  it('restarts an instance whose liveness probe keeps failing, saying why', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'md-backend-'));
    fs.mkdirSync(path.join(root, 'good'));
    fs.writeFileSync(path.join(root, 'good', 'model.onnx'), tinyReluOnnx());
    const backend = new LocalBackend({ blobPath: (key) => path.join(root, key), backoffMs: () => 100 });
    try {
      await backend.start({
        instanceId: 'live-1',
        serviceName: 'probe',
        versionId: 'v1',
        specHash: 'h',
        modelKey: 'good',
        runtime: 'onnxruntime1.30-node20-cpu',
        env: {},
        resources: { cpuMillicores: 1000, memoryMiB: 1024 },
        startupTimeoutMs: 60_000,
        readiness: { path: '/v2/health/ready', periodMs: 200, timeoutMs: 1000, failureThreshold: 3 },
        liveness: { path: '/no-such-path', periodMs: 200, timeoutMs: 1000, failureThreshold: 2 },
      });
      const restarted = await eventually(() => backend.list().find((i) => i.restarts >= 1), 60_000, 'a restart');
      expect(restarted.lastExitReason).toMatch(/liveness probe \/no-such-path failed 2 times/);
    } finally {
      await backend.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('local backend: a process the OS refuses', () => {
  it('fails the instance with the reason when the spawn itself is refused, and keeps serving others', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'md-backend-'));
    fs.mkdirSync(path.join(root, 'good'));
    fs.writeFileSync(path.join(root, 'good', 'model.onnx'), tinyReluOnnx());
    const backend = new LocalBackend({ blobPath: (key) => path.join(root, key), backoffMs: () => 100 });
    const template = (instanceId: string, env: Record<string, string>) => ({
      instanceId,
      serviceName: 'refused',
      versionId: 'v1',
      specHash: 'h',
      modelKey: 'good',
      runtime: 'onnxruntime1.30-node20-cpu',
      env,
      resources: { cpuMillicores: 1000, memoryMiB: 1024 },
      startupTimeoutMs: 60_000,
      readiness: { path: '/v2/health/ready', periodMs: 200, timeoutMs: 1000, failureThreshold: 3 },
    });
    try {
      // Node refuses a NUL byte; Linux (execve: E2BIG) refuses one string over 128 KiB.
      const cases: [string, Record<string, string>, RegExp][] = [
        ['nul', { BAD: 'a\u0000b' }, /could not start the instance process: .*null bytes/i],
        ['e2big', { BIG: 'x'.repeat(200 * 1024) }, /could not start the instance process: .*E2BIG/],
      ];
      for (const [id, env, reason] of cases) {
        await backend.start(template(id, env));
        const failed = await eventually(() => backend.list().find((i) => i.instanceId === id && i.failed), 10_000, `${id} failed`);
        expect([id, failed.phase, failed.failed]).toEqual([id, 'Exited', expect.stringMatching(reason)]);
        expect(failed.pid).toBeUndefined();
      }
      await backend.start(template('fine', { GOOD: 'yes' }));
      await eventually(() => backend.list().find((i) => i.instanceId === 'fine' && i.phase === 'Ready'), 60_000, 'a good instance Ready');
      for (const id of ['nul', 'e2big', 'fine']) await backend.stop(id, 1_000);
      expect(backend.list()).toEqual([]);
    } finally {
      await backend.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
