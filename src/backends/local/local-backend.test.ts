import fs from 'node:fs';
import http from 'node:http';
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

/** GET over a Unix socket: [status, body]. */
const getOverSocket = (socketPath: string, p: string) =>
  new Promise<[number, string]>((resolve, reject) => {
    http.get({ socketPath, path: p }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve([res.statusCode!, body]));
    }).on('error', reject);
  });

describe('local backend', () => {
  it('serves each instance on a Unix socket only its user can open as well, gone with the instance', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'md-backend-'));
    fs.mkdirSync(path.join(root, 'good'));
    fs.writeFileSync(path.join(root, 'good', 'model.onnx'), tinyReluOnnx());
    const backend = new LocalBackend({ blobPath: (key) => path.join(root, key), backoffMs: () => 100 });
    try {
      await backend.start({
        instanceId: 'sock-1',
        serviceName: 'relu',
        versionId: 'v1',
        specHash: 'h',
        modelKey: 'good',
        runtime: 'onnxruntime1.30-node20-cpu',
        env: {},
        resources: { cpuMillicores: 1000, memoryMiB: 1024 },
        startupTimeoutMs: 60_000,
        readiness: { path: '/v2/health/ready', periodMs: 200, timeoutMs: 1000, failureThreshold: 3 },
      });
      const ready = await eventually(() => backend.list().find((i) => i.phase === 'Ready'), 60_000, 'Ready');
      const sock = ready.socketPath!;
      expect(sock).toMatch(/sock-1\.sock$/);
      expect(fs.statSync(sock).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(sock)).mode & 0o777).toBe(0o700);
      expect(await getOverSocket(sock, '/v2/models/relu/ready')).toEqual([200, JSON.stringify({ name: 'relu', ready: true })]);
      await backend.stop('sock-1', 5_000);
      expect(fs.existsSync(sock)).toBe(false);
    } finally {
      await backend.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

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
