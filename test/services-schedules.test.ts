/**
 * Scheduled scaling with the real clock (issue 17 §3): a version auto-scaled between 0 and
 * 2 with two rules on the seconds of the current minute — one raising the minimum to 1 a
 * few seconds from now, one dropping it to 0 half a minute later. The real reconciler starts
 * an instance (a real Node handler process) when the first fires, and stops it when the
 * second does, the version taking no calls at all.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import type { Service } from '../src/contracts/services.js';
import { eventually } from './support/platform.js';
import { multipart } from './support/multipart.js';

let p: Platform;
const api = async <T = Service>(method: string, url: string, body?: object): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${p.url}${url}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as T };
};

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-schedules-'));
  p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent' } }), { reconcilePeriodMs: 200 });
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'custom', runtime: 'node20-handler', createModel: true }) },
    { name: 'f', filename: 'model_service.mjs', data: Buffer.from('export default class M { async predict() { return { ok: true }; } }\n') },
  ]);
  await fetch(`${p.url}/api/v1/models/h/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
  await eventually(async () => (await api<{ status: string }>('GET', '/api/v1/models/h/versions/v1')).body.status === 'ready');
});

afterAll(async () => {
  await p?.close();
});

describe('scheduled scaling, real clock', () => {
  it('starts an instance when a rule raises the minimum, and stops it when the next rule drops it', async () => {
    const s = new Date().getUTCSeconds();
    // margins for a busy machine: 8 s to create the service, 30 s for the instance to start
    const up = (s + 8) % 60;
    const down = (s + 38) % 60;
    const schedules = [
      { cron: `${up} * * * * *`, minInstances: 1 },
      { cron: `${down} * * * * *`, minInstances: 0 },
    ];
    const created = await api('POST', '/api/v1/services', {
      name: 'timed',
      version: {
        model: 'h',
        modelVersion: 'v1',
        resources: { cpuMillicores: 500, memoryMiB: 256 },
        scaling: { mode: 'auto', minInstances: 0, maxInstances: 2, metric: 'concurrency', target: 4, idleToZeroMs: 1000, scaleDownStabilizationMs: 0 },
        schedules,
      },
    });
    expect(created.status).toBe(202);
    const before = created.body.versions[0]!;
    // the rule in force is the "down" one (it fired last, ~45 s ago); the next firing is "up"
    expect([before.schedule?.active?.rule, before.schedule?.next?.rule, new Date(before.schedule!.next!.at).getUTCSeconds()]).toEqual([2, 1, up]);
    expect(before.desiredInstances).toBe(0);
    const upAt = Date.parse(before.schedule!.next!.at);

    const ready = await eventually(
      async () => {
        const v = (await api('GET', '/api/v1/services/timed')).body.versions[0]!;
        return v.readyInstances === 1 ? v : null;
      },
      40_000,
      'an instance started by the schedule',
    );
    expect(Date.now()).toBeGreaterThanOrEqual(upAt);
    expect(ready.schedule?.active).toMatchObject({ rule: 1, firedAt: new Date(upAt).toISOString(), minInstances: 1 });
    expect(ready.schedule?.next?.rule).toBe(2);

    await eventually(
      async () => (await api<{ items: unknown[] }>('GET', '/api/v1/services/timed/instances')).body.items.length === 0,
      40_000,
      'the instance stopped by the schedule',
    );
    const after = (await api('GET', '/api/v1/services/timed')).body.versions[0]!;
    expect(after.schedule?.active?.rule).toBe(2);
    const events = (await api<{ items: { reason: string }[] }>('GET', '/api/v1/services/timed/events')).body.items.map((e) => e.reason);
    expect(events).toEqual(expect.arrayContaining(['ScheduleApplied', 'Scheduled', 'Stopping']));
    const applied = (await api<{ items: { reason: string; message: string }[] }>('GET', '/api/v1/services/timed/events')).body.items
      .filter((e) => e.reason === 'ScheduleApplied')
      .map((e) => e.message);
    expect(applied).toEqual(
      expect.arrayContaining([`schedule rule 1 (${up} * * * * *, UTC) sets 1–2 instances`, `schedule rule 2 (${down} * * * * *, UTC) sets 0–2 instances`]),
    );
  }, 90_000);
});
