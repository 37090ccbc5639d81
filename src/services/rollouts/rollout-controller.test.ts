/**
 * The rollout controller's reconcile step on a real store (SQLite and PostgreSQL) with a fake clock and
 * running totals fed by hand (the seam the gateway's series fill in the platform):
 * idempotent passes, step timing, a breach setting the weights back, a cut-short pass
 * redone, and promotion retiring the baseline.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RolloutSpec, RolloutStatus } from '../../contracts/rollouts.js';
import { createLogger } from '../../log.js';
import { openDb, type Db } from '../../store/db/connect.js';
import { ServicesRepo, type VersionRow } from '../services-repo.js';
import { RolloutController } from './rollout-controller.js';
import { DEFAULT_GUARDRAILS } from './rollout-plan.js';
import { RolloutsRepo } from './rollouts-repo.js';
import { RolloutWindow, type Totals, type TotalsSource } from './rollout-window.js';
import { freshPgDatabase } from '../../../test/support/pg.js';

const BOUNDS = [0.01, 0.1, 1];
/** Running totals per version, as the gateway's call series would hold them. */
class Counts implements TotalsSource {
  readonly latencyBoundsS = BOUNDS;
  private readonly by = new Map<string, Totals>();
  add(version: number, calls: number, errors: number, bucket = 0): void {
    const t = this.versionTotals('s', String(version));
    t.calls += calls;
    t.errors += errors;
    t.buckets[bucket]! += calls;
    this.by.set(String(version), t);
  }
  versionTotals(_s: string, v: string): Totals {
    const t = this.by.get(v) ?? { calls: 0, errors: 0, buckets: [0, 0, 0, 0] };
    return { calls: t.calls, errors: t.errors, buckets: [...t.buckets] };
  }
}

let db: Db;
let dropPg: (() => Promise<void>) | undefined;
let services: ServicesRepo;
let rollouts: RolloutsRepo;
let counts: Counts;
let now: number;
let kicks: number;
let controller: RolloutController;
let versions: VersionRow[];

const T0 = Date.parse('2026-01-01T00:00:00Z');
const spec: RolloutSpec = {
  target: 2,
  policy: { type: 'linear', stepWeight: 50, stepMs: 10_000 },
  guardrails: { ...DEFAULT_GUARDRAILS, minCalls: 10, windowMs: 60_000 },
  paused: false,
  promote: false,
  abort: false,
};
const status = async (): Promise<RolloutStatus> => JSON.parse((await rollouts.current(versions[0]!.service_id))!.status) as RolloutStatus;
const weights = async () => (await services.versions(versions[0]!.service_id)).map((v) => [v.seq, v.weight]);

const STORES = {
  sqlite: async () => openDb(`sqlite:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-rollout-ctl-')), 'db.sqlite')}`),
  postgres: async () => {
    const pg = await freshPgDatabase('rollout');
    dropPg = pg.drop;
    return openDb(pg.url);
  },
};

describe.each(['sqlite', 'postgres'] as const)('RolloutController on %s', (store) => {
  beforeEach(async () => {
    db = await STORES[store]();
    services = new ServicesRepo(db.kysely);
    rollouts = new RolloutsRepo(db.kysely);
    const v = { modelName: 'm', modelVersion: 1, runtime: 'node20-handler', spec: {}, desiredInstances: 1 };
    const s = await services.create({ name: 's', description: '', tags: {}, billingMode: 'postpaid', auth: false }, { ...v, weight: 100 });
    await services.addVersion(s.id, { ...v, weight: 0 });
    versions = await services.versions(s.id);
    for (const x of versions) await services.setVersionStatus(x.id, 'Running', null, 1);
    await rollouts.create({
      serviceId: s.id,
      serviceName: 's',
      targetVersionId: versions[1]!.id,
      baseline: { id: versions[0]!.id, seq: 1, weight: 100 },
      spec,
      status: { phase: 'Pending', step: 0, stepStartedAt: null, weights: { target: 0, baseline: 100 }, message: '' },
    });
    counts = new Counts();
    now = T0;
    kicks = 0;
    controller = new RolloutController({
      rollouts,
      services,
      window: new RolloutWindow(counts),
      log: createLogger('silent'),
      now: () => now,
      routed: () => 1,
      kick: () => kicks++,
    });
  });
  afterEach(async () => {
    await db.close();
    await dropPg?.();
    dropPg = undefined;
  });

  it('starts the first step once, then passes change nothing until the step is baked', async () => {
    await controller.pass();
    expect([(await status()).phase, await weights(), kicks]).toEqual([
      'Progressing',
      [
        [1, 50],
        [2, 50],
      ],
      1,
    ]);
    const before = await status();
    now += 1_000;
    await controller.pass();
    await controller.pass();
    expect(kicks).toBe(1);
    expect((await status()).stepStartedAt).toBe(before.stepStartedAt);
    counts.add(1, 20, 0);
    counts.add(2, 20, 0);
    now += 9_000;
    await controller.pass();
    expect([(await status()).step, await weights()]).toEqual([
      1,
      [
        [1, 0],
        [2, 100],
      ],
    ]);
  });

  it('rolls back on a breach and writes the figures; a finished rollout is left alone', async () => {
    await controller.pass();
    now += 1_000;
    await controller.pass(); // the window's first sample
    counts.add(1, 50, 0);
    counts.add(2, 20, 3);
    now += 1_000;
    await controller.pass();
    const st = await status();
    expect([st.phase, st.breach?.guardrail, st.figures?.target.errors, st.figures?.baseline.calls, await weights()]).toEqual([
      'RolledBack',
      'errorRate',
      3,
      50,
      [
        [1, 100],
        [2, 0],
      ],
    ]);
    expect((await rollouts.active()).length).toBe(0);
    // someone sets weights afterwards: the controller no longer touches them
    await services.setWeights([{ id: versions[1]!.id, weight: 30 }]);
    await controller.pass();
    expect(await weights()).toEqual([
      [1, 100],
      [2, 30],
    ]);
  });

  it('redoes the effects of a pass cut short before its status was written', async () => {
    await controller.pass();
    // as if the platform died after the weights but before the status: the status is Pending again
    const row = (await rollouts.active())[0]!;
    await rollouts.setStatus(row.id, { phase: 'Pending', step: 0, stepStartedAt: null, weights: { target: 0, baseline: 100 }, message: '' }, false);
    await controller.pass();
    expect([(await status()).phase, await weights()]).toEqual([
      'Progressing',
      [
        [1, 50],
        [2, 50],
      ],
    ]);
  });

  it('promotes after the last step and retires the baseline', async () => {
    await controller.pass();
    for (const at of [10_000, 20_000]) {
      counts.add(1, 20, 0);
      counts.add(2, 20, 0);
      now = T0 + at;
      await controller.pass();
    }
    expect([(await status()).phase, await weights()]).toEqual(['Promoted', [[2, 100]]]);
  });

  it('keeps one active rollout per service (the unique index)', async () => {
    const s = versions[0]!;
    const again = rollouts.create({
      serviceId: s.service_id,
      serviceName: 's',
      targetVersionId: versions[1]!.id,
      baseline: { id: s.id, seq: 1, weight: 100 },
      spec,
      status: { phase: 'Pending', step: 0, stepStartedAt: null, weights: { target: 0, baseline: 100 }, message: '' },
    });
    await expect(again).rejects.toMatchObject({ code: 'ROLLOUT_IN_PROGRESS' });
    await controller.pass();
    await rollouts.setSpec((await rollouts.active())[0]!.id, { ...spec, abort: true });
    await controller.pass();
    expect((await status()).phase).toBe('Aborted');
    await rollouts.create({
      serviceId: s.service_id,
      serviceName: 's',
      targetVersionId: versions[1]!.id,
      baseline: { id: s.id, seq: 1, weight: 100 },
      spec,
      status: { phase: 'Pending', step: 0, stepStartedAt: null, weights: { target: 0, baseline: 100 }, message: '' },
    });
    expect((await rollouts.active()).length).toBe(1);
  });
});
