/**
 * Rollouts over REST, control plane only (versions at 0 instances, so a rollout waits in
 * Pending): validation and error codes, one rollout at a time, the hand controls acted on
 * by the controller, a new version added by the start. What reaches instances is in
 * test/rollout.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPlaceholder, eventually, testPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { openApiOf } from '../../../test/support/openapi.js';

let p: TestPlatform;
let documented: Awaited<ReturnType<typeof openApiOf>>['expectDocumented'];
const R = '/api/v1/services/:name/rollout';
beforeAll(async () => {
  p = await testPlatform();
  await importPlaceholder(p);
  documented = (await openApiOf(p.app)).expectDocumented;
});
afterAll(async () => {
  await p.close();
});

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  p.app.inject({ method, url, ...(payload !== undefined ? { payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } } : {}) });
const version = (extra: object = {}) => ({
  model: 'm',
  modelVersion: 'v1',
  resources: { cpuMillicores: 1000, memoryMiB: 1024 },
  scaling: { mode: 'manual', instances: 0 },
  ...extra,
});
const canary = { type: 'canary', weight: 10, bakeMs: 60_000 };
const err = async (r: Promise<{ statusCode: number; json: () => { error: { code: string; message: string } } }>) => {
  const x = await r;
  return [x.statusCode, x.json().error.code];
};
const rollout = async (name: string) => (await call('GET', `/api/v1/services/${name}/rollout`)).json();

describe('rollouts over REST', () => {
  it('answers stable codes for a missing service or rollout and for bad bodies', async () => {
    expect(await err(call('GET', '/api/v1/services/nope/rollout'))).toEqual([404, 'SERVICE_NOT_FOUND']);
    await call('POST', '/api/v1/services', { name: 'ro', version: version() });
    await call('POST', '/api/v1/services/ro/versions', version());
    expect(await err(call('GET', '/api/v1/services/ro/rollout'))).toEqual([404, 'ROLLOUT_NOT_FOUND']);
    expect(await err(call('POST', '/api/v1/services/ro/rollout/actions', { action: 'pause' }))).toEqual([404, 'ROLLOUT_NOT_FOUND']);
    expect(await err(call('POST', '/api/v1/services/ro/rollout', { target: 2 }))).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await err(call('POST', '/api/v1/services/ro/rollout', { target: 2, policy: { type: 'blue-green' } }))).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await err(call('POST', '/api/v1/services/ro/rollout', { target: 2, policy: { ...canary, weight: 0 } }))).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await err(call('POST', '/api/v1/services/ro/rollout', { policy: canary }))).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await err(call('POST', '/api/v1/services/ro/rollout', { target: 2, version: version(), policy: canary }))).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await err(call('POST', '/api/v1/services/ro/rollout', { target: 9, policy: canary }))).toEqual([404, 'VERSION_NOT_FOUND']);
    expect(await err(call('POST', '/api/v1/services/ro/rollout', { target: 1, policy: canary }))).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await err(call('POST', '/api/v1/services/ro/rollout/actions', { action: 'later' }))).toEqual([400, 'INVALID_ARGUMENT']);
  });

  it('refuses a rollout while two versions take traffic', async () => {
    await call('POST', '/api/v1/services', { name: 'two', version: version() });
    await call('POST', '/api/v1/services/two/versions', version({ weight: 50 }));
    await call('POST', '/api/v1/services/two/versions', version());
    const r = await call('POST', '/api/v1/services/two/rollout', { target: 3, policy: canary });
    expect([r.statusCode, r.json().error.code, r.json().error.details.serving]).toEqual([
      400,
      'INVALID_ARGUMENT',
      [
        { version: 1, weight: 100 },
        { version: 2, weight: 50 },
      ],
    ]);
  });

  it('starts one rollout at a time; the hand controls are acted on by the controller', async () => {
    const r = await call('POST', '/api/v1/services/ro/rollout', {
      target: 'v2',
      policy: { type: 'linear', stepWeight: 30, stepMs: 1_000 },
      guardrails: { minCalls: 5 },
    });
    expect(r.statusCode).toBe(202);
    documented('POST', R, r);
    documented('POST', R, await call('POST', '/api/v1/services/ro/rollout', { target: 2, policy: canary }));
    documented('GET', R, await call('GET', '/api/v1/services/ro/rollout'));
    const body = r.json();
    expect([
      body.status.phase,
      body.spec.target,
      body.baseline,
      body.steps.map((s: { weight: number }) => s.weight),
      body.spec.guardrails.minCalls,
      body.spec.guardrails.windowMs,
    ]).toEqual(['Pending', 2, { version: 1, weight: 100 }, [30, 60, 90, 100], 5, 30_000]);
    expect(await err(call('POST', '/api/v1/services/ro/rollout', { target: 2, policy: canary }))).toEqual([409, 'ROLLOUT_IN_PROGRESS']);
    // the rollout owns the weights while it runs
    expect(await err(call('PUT', '/api/v1/services/ro/weights', { weights: [{ version: 2, weight: 50 }] }))).toEqual([409, 'ROLLOUT_IN_PROGRESS']);
    // version 2 never gets a ready instance (0 instances): the rollout waits, holding the baseline
    await eventually(async () => /waiting for version 2 to be ready/.test((await rollout('ro')).status.message), 10_000, 'Pending with its reason');
    const paused = await call('POST', '/api/v1/services/ro/rollout/actions', { action: 'pause' });
    documented('POST', `${R}/actions`, paused);
    expect(paused.json().spec.paused).toBe(true);
    await eventually(async () => (await rollout('ro')).status.phase === 'Paused', 10_000, 'Paused');
    await call('POST', '/api/v1/services/ro/rollout/actions', { action: 'resume' });
    await eventually(async () => (await rollout('ro')).status.phase === 'Pending', 10_000, 'Pending again');
    await call('POST', '/api/v1/services/ro/rollout/actions', { action: 'abort' });
    const aborted = await eventually(
      async () => {
        const x = await rollout('ro');
        return x.status.phase === 'Aborted' ? x : null;
      },
      10_000,
      'Aborted',
    );
    expect([aborted.status.weights, aborted.steps[0].state]).toEqual([{ target: 0, baseline: 100 }, 'waiting']);
    expect(await err(call('POST', '/api/v1/services/ro/rollout/actions', { action: 'resume' }))).toEqual([409, 'ROLLOUT_FINISHED']);
    documented('POST', `${R}/actions`, await call('POST', '/api/v1/services/ro/rollout/actions', { action: 'resume' }));
    documented('GET', R, await call('GET', '/api/v1/services/ro/rollout'));
    const events = (await call('GET', '/api/v1/services/ro/events')).json().items.map((e: { reason: string }) => e.reason);
    expect(events).toEqual(expect.arrayContaining(['RolloutStarted', 'RolloutAction', 'RolloutAborted']));
  });

  it('adds a new version at weight 0 when started with one, and promotes it by hand', async () => {
    const r = await call('POST', '/api/v1/services/ro/rollout', { version: version(), policy: { type: 'all-at-once', bakeMs: 1_000 } });
    expect([r.statusCode, r.json().spec.target]).toEqual([202, 3]);
    expect((await call('GET', '/api/v1/services/ro')).json().versions.map((v: { seq: number; weight: number }) => [v.seq, v.weight])).toEqual([
      [1, 100],
      [2, 0],
      [3, 0],
    ]);
    await call('POST', '/api/v1/services/ro/rollout/actions', { action: 'promote' });
    await eventually(async () => (await rollout('ro')).status.phase === 'Promoted', 10_000, 'Promoted');
    // the baseline is retired; the target takes all traffic
    await eventually(
      async () =>
        JSON.stringify((await call('GET', '/api/v1/services/ro')).json().versions.map((v: { seq: number; weight: number }) => [v.seq, v.weight])) ===
        '[[2,0],[3,100]]',
      10_000,
      'version 1 retired',
    );
  });

  it('goes with its service', async () => {
    expect((await call('DELETE', '/api/v1/services/ro')).statusCode).toBe(202);
    await eventually(async () => (await call('GET', '/api/v1/services/ro')).statusCode === 404, 10_000, 'service deleted');
    expect(await p.db.kysely.selectFrom('rollouts').selectAll().execute()).toEqual([]);
  });
});
