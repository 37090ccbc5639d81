/**
 * Progressive rollouts end to end (docs/rollout.md): a real platform, real `modeldock
 * instance` processes of Node handler versions, live calls through the gateway while the
 * rollout controller moves traffic and judges the guardrails on the gateway's own figures.
 * - a version that answers 500 on odd inputs is rolled back within the window, and the
 *   calls that failed stay within the guardrail's budget (minCalls, plus one check);
 * - a version that sleeps in predict trips the p99 guardrail;
 * - a good version is promoted, its baseline retired, with no failed call;
 * - a platform restart mid-rollout resumes the rollout from the store at its step.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as pace } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import type { Service, ServiceEvent } from '../src/contracts/services.js';
import type { Rollout } from '../src/contracts/rollouts.js';
import { call } from './gateway-harness.js';
import { cli } from './cli-harness.js';
import { eventually } from './support/platform.js';
import { openApiOf } from './support/openapi.js';
import { multipart } from './support/multipart.js';

let p: Platform;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-rollout-'));
const start = () =>
  startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent' } }), { reconcilePeriodMs: 200, rolloutCheckMs: 200 });

const api = async <T = Rollout>(method: 'GET' | 'POST' | 'PUT', url: string, body?: object): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${p.url}${url}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as T };
};

/** Node handlers: 1 and 4 good, 2 fails on odd inputs, 3 sleeps 300 ms in predict. */
const HANDLERS: Record<number, string> = {
  1: 'return { served: 1 };',
  2: "if (input.x % 2 === 1) throw new Error('odd input'); return { served: 2 };",
  3: 'await new Promise((r) => setTimeout(r, 300)); return { served: 3 };',
  4: 'return { served: 4 };',
};
const handler = (body: string) => `export default class Model {
  async load() {}
  async preprocess(body) { return body; }
  async predict(input) { ${body} }
  async postprocess(out) { return out; }
}
`;

const version = (modelVersion: string) => ({
  model: 'ro',
  modelVersion,
  resources: { cpuMillicores: 500, memoryMiB: 256 },
  scaling: { mode: 'manual', instances: 1 },
});

const running = (name: string) =>
  eventually(
    async () => {
      const s = (await api<Service>('GET', `/api/v1/services/${name}`)).body;
      return s.status === 'Running' && s.versions.every((v) => v.readyInstances === v.desiredInstances) ? s : null;
    },
    30_000,
    `${name} Running`,
  );

const rolloutOf = (name: string) => api('GET', `/api/v1/services/${name}/rollout`).then((r) => r.body);
const phase = (name: string, want: string) =>
  eventually(
    async () => {
      const r = await rolloutOf(name);
      if (['Promoted', 'RolledBack', 'Aborted'].includes(r.status.phase) && r.status.phase !== want)
        throw new Error(`rollout ended ${r.status.phase}: ${r.status.message}`);
      return r.status.phase === want ? r : null;
    },
    30_000,
    `rollout of ${name} ${want}`,
  );

interface Answer {
  x: number;
  status: number;
  served?: number;
}

/**
 * Live calls by two callers, each pacing its calls 10 ms apart, until stopped. Inputs are
 * random: the balancer's weighted round robin is regular, so inputs 0, 1, 2, … could send
 * every odd one to the same version.
 */
function traffic(name: string) {
  const answers: Answer[] = [];
  let stopped = false;
  const caller = async () => {
    while (!stopped) {
      const n = Math.floor(Math.random() * 1_000_000);
      const r = await call(`${p.url}/${name}/v1/models/m:predict`, { body: JSON.stringify({ x: n }) }).catch(() => ({ status: -1, json: () => ({}) }));
      answers.push({ x: n, status: r.status, ...(r.status === 200 ? { served: (r.json() as { served: number }).served } : {}) });
      await pace(10);
    }
  };
  const done = Promise.all([caller(), caller()]);
  return {
    answers,
    async stop() {
      stopped = true;
      await done;
      return answers;
    },
  };
}

beforeAll(async () => {
  p = await start();
  for (const n of [1, 2, 3, 4]) {
    const mp = multipart([
      { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'custom', runtime: 'node20-handler', createModel: n === 1 }) },
      { name: 'f', filename: 'model_service.mjs', data: Buffer.from(handler(HANDLERS[n]!)) },
    ]);
    const r = await fetch(`${p.url}/api/v1/models/ro/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
    expect(r.status).toBe(202);
    await eventually(async () => (await api<{ status: string }>('GET', `/api/v1/models/ro/versions/v${n}`)).body.status === 'ready', 30_000, `model v${n}`);
  }
}, 60_000);

afterAll(async () => {
  await p?.close();
});

describe('progressive rollouts', () => {
  it('rolls a version that answers 500 on some inputs back within the window; failed calls stay within the budget', async () => {
    await api('POST', '/api/v1/services', { name: 'bad', version: version('v1') });
    await running('bad');
    const t = traffic('bad');
    const minCalls = 10;
    const started = await api('POST', '/api/v1/services/bad/rollout', {
      version: version('v2'),
      policy: { type: 'canary', weight: 30, bakeMs: 60_000 },
      guardrails: { windowMs: 10_000, minCalls },
    });
    expect([started.status, started.body.status.phase, started.body.spec.target, started.body.baseline]).toEqual([
      202,
      'Pending',
      2,
      { version: 1, weight: 100 },
    ]);
    try {
      const r = await phase('bad', 'RolledBack');
      // the answer, with its figures and breach, is the one the OpenAPI document gives
      (await openApiOf(p.app)).expectDocumented('GET', '/api/v1/services/:name/rollout', { statusCode: 200, body: JSON.stringify(r) });
      expect(r.status.breach?.guardrail).toBe('errorRate');
      expect(r.status.figures!.target.errors).toBeGreaterThan(0);
      expect(r.status.figures!.baseline.errors).toBe(0);
      expect(r.status.weights).toEqual({ target: 0, baseline: 100 });
      // within the window: the canary step never ended
      expect(Date.parse(r.status.finishedAt!) - Date.parse(r.status.stepStartedAt!)).toBeLessThan(10_000);
      // after the rollback every call is served by version 1 again
      const after = t.answers.length;
      await eventually(() => t.answers.length > after + 30, 10_000, 'calls after the rollback');
      await eventually(() => t.answers.slice(-20).every((a) => a.served === 1), 10_000, 'version 1 serving alone');
    } finally {
      await t.stop();
    }
    const failed = t.answers.filter((a) => a.status !== 200);
    expect(failed.length).toBeGreaterThan(0);
    // the guardrail's budget: the target is judged at minCalls calls, and the check after that rolls back
    expect(failed.length).toBeLessThanOrEqual(minCalls + 10);
    expect(failed.every((a) => a.x % 2 === 1 && a.status === 500)).toBe(true);
    // the target is kept for inspection, at weight 0; the reason is an event
    const s = (await api<Service>('GET', '/api/v1/services/bad')).body;
    expect(s.versions.map((v) => [v.seq, v.weight])).toEqual([
      [1, 100],
      [2, 0],
    ]);
    const events = (await api<{ items: ServiceEvent[] }>('GET', '/api/v1/services/bad/events')).body.items;
    expect(events.find((e) => e.reason === 'RolloutRolledBack')?.message).toMatch(/version 2 rolled back: error rate/);
    // the CLI's live view of a rollback ends at once, exiting 1, with the figures that tripped it
    const watched = await cli(p.url, ['services', 'rollout', 'status', 'bad', '--watch']);
    expect([watched.code, watched.stdout]).toEqual([1, expect.stringMatching(/phase:\s+RolledBack[\s\S]*breach:\s+errorRate[\s\S]*^new\s+2\s+\d+\s+[1-9]/m)]);
    // a finished rollout takes no hand controls
    const late = await api<{ error: { code: string } }>('POST', '/api/v1/services/bad/rollout/actions', { action: 'promote' });
    expect([late.status, late.body.error.code]).toEqual([409, 'ROLLOUT_FINISHED']);
  });

  it('trips the p99 guardrail on a version that sleeps in predict', async () => {
    await api('POST', '/api/v1/services', { name: 'slow', version: version('v1') });
    await running('slow');
    const t = traffic('slow');
    try {
      await api('POST', '/api/v1/services/slow/rollout', {
        version: version('v3'),
        policy: { type: 'canary', weight: 50, bakeMs: 60_000 },
        guardrails: { windowMs: 10_000, minCalls: 5, p99: { minCalls: 10 } },
      });
      const r = await phase('slow', 'RolledBack');
      expect(r.status.breach?.guardrail).toBe('p99');
      expect(r.status.figures!.target.p99Ms).toBeGreaterThan(250);
      expect(r.status.figures!.target.p99Ms!).toBeGreaterThan(r.status.breach!.threshold!);
      expect(r.status.message).toMatch(/rolled back: p99/);
    } finally {
      await t.stop();
    }
    expect(t.answers.filter((a) => a.status !== 200)).toEqual([]);
  });

  it('promotes a good version step by step and retires the old one, failing no call', async () => {
    await api('POST', '/api/v1/services', { name: 'good', version: version('v1') });
    await running('good');
    const t = traffic('good');
    try {
      // started, paused and resumed with the CLI (the real binary)
      const started = await cli(p.url, [
        'services',
        'rollout',
        'start',
        'good',
        '--model',
        'ro',
        '--model-version',
        'v4',
        '--cpu',
        '500',
        '--memory',
        '256',
        '--policy',
        'linear',
        '--step-weight',
        '50',
        '--step',
        '1500ms',
        '--window',
        '5s',
        '--min-calls',
        '5',
        '--paused',
        '-o',
        'json',
      ]);
      expect(started.code).toBe(0);
      const r = JSON.parse(started.stdout) as Rollout;
      expect([r.steps.map((s) => s.weight), r.spec.paused, r.spec.guardrails.windowMs]).toEqual([[50, 100], true, 5_000]);
      await phase('good', 'Paused');
      expect((await rolloutOf('good')).status.weights).toEqual({ target: 0, baseline: 100 });
      expect((await cli(p.url, ['services', 'rollout', 'resume', 'good'])).stdout).toMatch(/resume requested/);
      // one rollout at a time
      const again = await api<{ error: { code: string } }>('POST', '/api/v1/services/good/rollout', {
        target: 2,
        policy: { type: 'all-at-once', bakeMs: 1_000 },
      });
      expect([again.status, again.body.error.code]).toEqual([409, 'ROLLOUT_IN_PROGRESS']);
      // the live view redraws until the rollout finishes, then exits
      const watched = await cli(p.url, ['services', 'rollout', 'status', 'good', '--watch', '--every', '200ms', '-o', 'json']);
      const views = watched.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Rollout);
      expect([watched.code, views.at(-1)!.status.phase]).toEqual([0, 'Promoted']);
      const done = await rolloutOf('good');
      expect(done.steps.map((s) => s.state)).toEqual(['done', 'done']);
      const table = (await cli(p.url, ['services', 'rollout', 'status', 'good'])).stdout;
      expect(table).toMatch(/phase:\s+Promoted/);
      expect(table).toMatch(/^new\s+2\s+\d+\s+0\s+0%/m);
      expect(done.status.figures!.target.calls).toBeGreaterThanOrEqual(5);
      await eventually(
        async () => {
          const s = (await api<Service>('GET', '/api/v1/services/good')).body;
          return s.versions.length === 1 && s.versions[0]!.seq === 2 && s.versions[0]!.weight === 100;
        },
        10_000,
        'version 1 retired',
      );
      const after = t.answers.length;
      await eventually(() => t.answers.length > after + 20 && t.answers.slice(-10).every((a) => a.served === 4), 10_000, 'version 2 serving alone');
    } finally {
      await t.stop();
    }
    expect(t.answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(new Set(t.answers.map((a) => a.served))).toEqual(new Set([1, 4]));
  });

  it('resumes a rollout after a platform restart, at the step it had reached', async () => {
    await api('POST', '/api/v1/services', { name: 'resume', version: version('v1') });
    await running('resume');
    let t = traffic('resume');
    // the error-rate guardrail is what counts here: right after the restart both versions' first calls are cold (p99 is tested above)
    await api('POST', '/api/v1/services/resume/rollout', {
      version: version('v4'),
      policy: { type: 'linear', stepWeight: 50, stepMs: 1_000 },
      guardrails: { windowMs: 5_000, minCalls: 3, p99: { toleranceMs: 5_000 } },
    });
    await eventually(async () => (await rolloutOf('resume')).status.step >= 1, 20_000, 'step 2 (100 %) reached');
    await t.stop();
    await p.close();
    p = await start();
    const back = await rolloutOf('resume');
    expect(back.status.step).toBeGreaterThanOrEqual(1);
    expect(['Progressing', 'Promoted']).toContain(back.status.phase);
    t = traffic('resume');
    try {
      const done = await phase('resume', 'Promoted');
      expect(done.steps.map((s) => s.weight)).toEqual([50, 100]);
      const s = (await api<Service>('GET', '/api/v1/services/resume')).body;
      expect(s.versions.map((v) => [v.seq, v.weight])).toEqual([[2, 100]]);
    } finally {
      await t.stop();
    }
  });
});
