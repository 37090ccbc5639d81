/**
 * The contract every InstanceBackend passes: instances start, become Ready with a URL
 * that answers, stop when asked, come back after a crash, and give up with a reason
 * when the model cannot load.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/platform.js';
import type { InstanceBackend, InstanceLogLine, InstanceTemplate } from './backend.js';

export interface BackendFixture {
  backend: InstanceBackend;
  /** a blob key holding a model that loads */
  goodModelKey: string;
  /** a blob key holding a model that fails to load */
  badModelKey: string;
  runtime: string;
  /** kills the instance's process the hard way (SIGKILL or the backend's equivalent) */
  crash(instanceId: string): Promise<void>;
  close(): Promise<void>;
}

let n = 0;
const template = (f: BackendFixture, modelKey: string): InstanceTemplate => ({
  instanceId: `contract-${process.pid}-${++n}`,
  serviceName: 'contract',
  versionId: 'v1',
  specHash: 'h1',
  modelKey,
  runtime: f.runtime,
  env: {},
  resources: { cpuMillicores: 1000, memoryMiB: 1024 },
  startupTimeoutMs: 60_000,
  readiness: { path: '/v2/health/ready', periodMs: 500, timeoutMs: 1000, failureThreshold: 3 },
});

export function describeBackend(name: string, make: () => Promise<BackendFixture>): void {
  describe(`InstanceBackend contract: ${name}`, () => {
    it('starts an instance that becomes Ready with a URL that answers, and stops it', async () => {
      const f = await make();
      try {
        const t = template(f, f.goodModelKey);
        await f.backend.start(t);
        const ready = await eventually(() => f.backend.list().find((i) => i.instanceId === t.instanceId && i.phase === 'Ready'), 60_000, 'Ready');
        expect(ready).toMatchObject({ serviceName: 'contract', versionId: 'v1', specHash: 'h1', restarts: 0 });
        expect((await fetch(`${ready.url}/v2/health/ready`)).status).toBe(200);
        await f.backend.stop(t.instanceId, 5_000);
        expect(f.backend.list().find((i) => i.instanceId === t.instanceId)).toBeUndefined();
        await expect(fetch(`${ready.url}/v2/health/live`)).rejects.toThrow();
      } finally {
        await f.close();
      }
    });

    it("hands the instance's output to onLog, as lines of that instance", async () => {
      const f = await make();
      try {
        const lines: InstanceLogLine[] = [];
        f.backend.onLog((l) => lines.push(l));
        // a model that cannot load: the instance says why on its output, then exits
        const t = template(f, f.badModelKey);
        await f.backend.start(t);
        const mine = await eventually(() => lines.find((l) => l.instanceId === t.instanceId && /load/i.test(l.line)), 60_000, 'the load failure in the log');
        expect(mine).toMatchObject({ service: 'contract' });
        expect(Number.isNaN(Date.parse(mine.ts))).toBe(false);
      } finally {
        await f.close();
      }
    });

    it('restarts an instance that crashed, counting the restart and keeping the exit reason', async () => {
      const f = await make();
      try {
        const t = template(f, f.goodModelKey);
        await f.backend.start(t);
        await eventually(() => f.backend.list().find((i) => i.instanceId === t.instanceId && i.phase === 'Ready'), 60_000, 'Ready');
        await f.crash(t.instanceId);
        const back = await eventually(
          () => f.backend.list().find((i) => i.instanceId === t.instanceId && i.phase === 'Ready' && i.restarts === 1),
          60_000,
          'Ready again',
        );
        expect(back.lastExitReason).toMatch(/SIGKILL|killed/);
      } finally {
        await f.close();
      }
    });

    it('gives up on a model that cannot load, with the reason', async () => {
      const f = await make();
      try {
        const t = template(f, f.badModelKey);
        await f.backend.start(t);
        const failed = await eventually(() => f.backend.list().find((i) => i.instanceId === t.instanceId && i.failed), 60_000, 'failed');
        expect(failed.failed).toMatch(/load/i);
      } finally {
        await f.close();
      }
    });
  });
}
