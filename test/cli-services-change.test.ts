/**
 * Changing a service from the CLI: `services update` (description, tags, auth, shadow traffic),
 * `services remove-version`, `call --version` (the x-modeldock-version header) and
 * `--schedule` (scheduled scaling, with the next firing shown), against
 * a real `modeldock up` with two Node handler model versions that answer differently.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../src/contracts/services.js';
import { cli, cliJson, startPlatform, tmpDir, writeTree, type RunningPlatform } from './cli-harness.js';
import { eventually } from './support/platform.js';

let platform: RunningPlatform;

const handler = (n: number) => `export default class Model {
  async load() {}
  async preprocess(body) { return body; }
  async predict() { return { served: ${n} }; }
  async postprocess(out) { return out; }
}
`;

beforeAll(async () => {
  platform = await startPlatform();
  const work = tmpDir('cli-services-change');
  for (const n of [1, 2]) {
    const dir = path.join(work, `v${n}`);
    writeTree(dir, { 'model_service.mjs': handler(n) });
    const r = await cli(platform.url, ['models', 'import', 'which', '--dir', dir, '--format', 'custom', '--runtime', 'node20-handler']);
    expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
  }
  const flags = ['--model', 'which', '--cpu', '500', '--memory', '256', '--instances', '1'];
  expect((await cli(platform.url, ['services', 'create', 'chg', ...flags, '--model-version', 'v1', '--description', 'first', '--tag', 'team=ml'])).code).toBe(
    0,
  );
  expect((await cli(platform.url, ['services', 'add-version', 'chg', ...flags, '--model-version', 'v2'])).code).toBe(0);
  await eventually(
    async () => (await cliJson<Service>(platform.url, ['services', 'show', 'chg'])).versions.every((v) => v.readyInstances === 1),
    60_000,
    'both versions ready',
  );
});

afterAll(async () => {
  if (platform) expect(await platform.stop()).toBe(0);
});

describe('modeldock services update / remove-version, call --version', () => {
  it('update merges tags, sets or clears the description and turns auth on and off', async () => {
    const a = await cliJson<Service>(platform.url, ['services', 'update', 'chg', '--description', 'second', '--tag', 'stage=test', '--auth']);
    expect(a).toMatchObject({ description: 'second', tags: { team: 'ml', stage: 'test' }, auth: true });
    const b = await cliJson<Service>(platform.url, ['services', 'update', 'chg', '--untag', 'team', '--clear-description', '--no-auth']);
    expect(b).toMatchObject({ description: '', tags: { stage: 'test' }, auth: false });
    const table = await cli(platform.url, ['services', 'update', 'chg', '--clear-tags']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^tags:\s+-$/m);
    const none = await cli(platform.url, ['services', 'update', 'chg']);
    expect([none.code, none.stderr]).toEqual([2, expect.stringMatching(/^error: INVALID_ARGUMENT: nothing to change/)]);
    const bad = await cli(platform.url, ['services', 'update', 'chg', '--description', 'x'.repeat(2001)]);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/^error: INVALID_ARGUMENT: /)]);
  });

  it('call --version reaches that version whatever the weights; an unknown one fails with its code', async () => {
    for (const v of ['1', '2']) expect(JSON.parse((await cli(platform.url, ['call', 'chg', '{}', '--version', v])).stdout)).toEqual({ served: Number(v) });
    expect(JSON.parse((await cli(platform.url, ['call', 'chg', '{}'])).stdout)).toEqual({ served: 1 });
    const unknown = await cli(platform.url, ['call', 'chg', '{}', '--version', '9']);
    expect([unknown.code, unknown.stderr]).toEqual([3, expect.stringMatching(/^error: SERVICE_VERSION_NOT_FOUND: /)]);
  });

  it('update --shadow-version/--shadow-percent copies calls to version 2; get shows the counts; --no-shadow turns it off', async () => {
    const on = await cliJson<Service>(platform.url, ['services', 'update', 'chg', '--shadow-version', '2', '--shadow-percent', '100']);
    expect(on.shadow).toMatchObject({ version: 2, percent: 100, stats: { mirrored: 0 } });
    // version 2 answers {served: 2}, the primary {served: 1}: every copy disagrees
    await eventually(
      async () => {
        expect(JSON.parse((await cli(platform.url, ['call', 'chg', '{}'])).stdout)).toEqual({ served: 1 });
        return (await cliJson<Service>(platform.url, ['services', 'get', 'chg'])).shadow!.stats.compared.mismatch > 0;
      },
      20_000,
      'a copy to disagree',
    );
    const shown = await cli(platform.url, ['services', 'get', 'chg']);
    expect(shown.stdout).toMatch(/^shadow:\s+version 2, 100% of calls copied/m);
    expect(shown.stdout).toMatch(/^compared:\s+0 match, [1-9][0-9]* mismatch, 0 uncompared$/m);
    expect(shown.stdout).toMatch(/^latency:\s+p50 [0-9.]+ ms, p99 [0-9.]+ ms \(last [1-9][0-9]* answers\)$/m);
    expect((await cliJson<Service>(platform.url, ['services', 'update', 'chg', '--shadow-percent', '50'])).shadow).toMatchObject({ version: 2, percent: 50 });
    const self = await cli(platform.url, ['services', 'update', 'chg', '--shadow-version', '1']);
    expect([self.code, self.stderr]).toEqual([2, expect.stringMatching(/^error: INVALID_SHADOW: /)]);
    const unknown = await cli(platform.url, ['services', 'update', 'chg', '--shadow-version', '7']);
    expect([unknown.code, unknown.stderr]).toEqual([3, expect.stringMatching(/^error: SERVICE_VERSION_NOT_FOUND: /)]);
    const bad = await cli(platform.url, ['services', 'update', 'chg', '--shadow-percent', '150']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/--shadow-percent takes 0 to 100/)]);
    const off = await cliJson<Service>(platform.url, ['services', 'update', 'chg', '--no-shadow']);
    expect(off.shadow).toBeUndefined();
    expect((await cli(platform.url, ['services', 'get', 'chg'])).stdout).not.toMatch(/^shadow:/m);
  });

  it('remove-version refuses the version with all traffic, then removes it once another has weight', async () => {
    const refused = await cli(platform.url, ['services', 'remove-version', 'chg', '1']);
    expect([refused.code, refused.stderr]).toEqual([4, expect.stringMatching(/^error: VERSION_HOLDS_ALL_TRAFFIC: /)]);
    expect((await cli(platform.url, ['services', 'weights', 'chg', '2=100'])).code).toBe(0);
    const removed = await cliJson<Service>(platform.url, ['services', 'remove-version', 'chg', '1']);
    expect(removed.versions.map((v) => [v.seq, v.weight])).toEqual([[2, 100]]);
    const last = await cli(platform.url, ['services', 'remove-version', 'chg', '2']);
    expect([last.code, last.stderr]).toEqual([4, expect.stringMatching(/^error: LAST_SERVICE_VERSION: /)]);
    await eventually(async () => JSON.parse((await cli(platform.url, ['call', 'chg', '{}'])).stdout).served === 2, 20_000, 'version 2 to serve');
  });

  it('--schedule sets scheduled scaling rules in a time zone; show prints the rule in force and the next firing', async () => {
    const rules = ['--schedule', '0 9 * * 1-5 min=1', '--schedule', '0 20 * * * min=0 max=1', '--time-zone', 'Asia/Shanghai'];
    const s = await cliJson<Service>(platform.url, [
      'services',
      'create',
      'timed',
      '--model',
      'which',
      '--model-version',
      'v1',
      '--cpu',
      '500',
      '--memory',
      '256',
      '--auto',
      '--min',
      '0',
      '--max',
      '2',
      ...rules,
      '--no-wait',
    ]);
    expect(s.versions[0]!.spec.schedules).toEqual([
      { cron: '0 9 * * 1-5', timeZone: 'Asia/Shanghai', minInstances: 1 },
      { cron: '0 20 * * *', timeZone: 'Asia/Shanghai', minInstances: 0, maxInstances: 1 },
    ]);
    const next = s.versions[0]!.schedule!.next!;
    const shown = await cli(platform.url, ['services', 'show', 'timed']);
    expect(shown.stdout).toContain(`version 1 next: ${next.minInstances}–${next.maxInstances} instances at ${next.at} (rule ${next.rule})`);
    expect(shown.stdout).toMatch(/^version 1 schedule: \d–\d instances since \S+ \(rule [12]\)$/m);
    const noBounds = await cli(platform.url, ['services', 'add-version', 'timed', '--model', 'which', '--auto', '--schedule', '0 9 * * *']);
    expect([noBounds.code, noBounds.stderr]).toEqual([2, expect.stringMatching(/^error: INVALID_ARGUMENT: --schedule "0 9 \* \* \*" ends with min=N/)]);
    const badCron = await cli(platform.url, ['services', 'add-version', 'timed', '--model', 'which', '--auto', '--schedule', '0 25 * * * min=1']);
    expect([badCron.code, badCron.stderr]).toEqual([2, expect.stringMatching(/^error: INVALID_SCHEDULE: schedules\[0\]\.cron: /)]);
  });
});
