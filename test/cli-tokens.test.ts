/**
 * `modeldock services tokens` against a real `modeldock up`: a token with a per-day limit,
 * two calls through the gateway to a service with auth on (the tiny ONNX model), and
 * `tokens list` showing each limit with the calls used against it, as a table, `-o wide`,
 * `-o json` and `-o yaml`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TokenInfo, TokenWithValue } from '../src/contracts/service-ops.js';
import type { Service } from '../src/contracts/services.js';
import { cli, cliJson, startPlatform, type RunningPlatform } from './cli-harness.js';
import { tinyInferBody, tinyModelDir } from './gateway-model.js';
import { eventually } from './support/platform.js';

let platform: RunningPlatform;

beforeAll(async () => {
  platform = await startPlatform();
  const imp = await cli(platform.url, ['models', 'import', 'tiny', '--dir', tinyModelDir(), '--format', 'onnx', '--runtime', 'onnxruntime1.30-node20-cpu']);
  expect([imp.code, imp.stderr]).toEqual([0, expect.any(String)]);
  const flags = ['--model', 'tiny', '--model-version', 'v1', '--cpu', '500', '--memory', '256', '--instances', '1', '--auth'];
  expect((await cli(platform.url, ['services', 'create', 'guarded', ...flags])).code).toBe(0);
  await eventually(
    async () => (await cliJson<Service>(platform.url, ['services', 'show', 'guarded'])).versions.every((v) => v.readyInstances === 1),
    60_000,
    'guarded ready',
  );
}, 120_000);

afterAll(async () => {
  if (platform) expect(await platform.stop()).toBe(0);
});

const infer = (token: string) =>
  fetch(`${platform.url}/v2/models/guarded/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: tinyInferBody(),
  }).then((r) => r.status);

/** The table's rows as header → cell, by the row's NAME. */
function tableRows(stdout: string): Map<string, Record<string, string>> {
  const [head, ...lines] = stdout.trimEnd().split('\n');
  const headers = head!.trim().split(/\s{2,}/);
  return new Map(
    lines.map((line) => {
      const cells = line.trim().split(/\s{2,}/);
      const row = Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? '']));
      return [row.NAME!, row];
    }),
  );
}

describe('modeldock services tokens list', () => {
  it('shows each limit with the calls used against it; - where there is no limit', async () => {
    const daily = await cliJson<TokenWithValue>(platform.url, ['services', 'tokens', 'create', 'guarded', '--name', 'daily', '--per-day', '5']);
    const open = await cliJson<TokenWithValue>(platform.url, ['services', 'tokens', 'create', 'guarded', '--name', 'open']);
    expect(daily.limits).toEqual({ perDay: 5 });
    for (let i = 0; i < 2; i++) expect(await infer(daily.token)).toBe(200);
    expect(await infer(open.token)).toBe(200);

    // counts reach the store every 500 ms: wait for the two calls to show
    const rows = await eventually(
      async () => {
        const r = await cli(platform.url, ['services', 'tokens', 'list', 'guarded']);
        expect([r.code, r.stderr]).toEqual([0, '']);
        const t = tableRows(r.stdout);
        return t.get('daily')?.['USED/DAY'] === '2' ? t : null;
      },
      10_000,
      'daily to show 2 used today',
    );
    expect(rows.get('daily')).toMatchObject({ 'PER MIN': '-', 'USED/MIN': '-', 'PER DAY': '5', 'USED/DAY': '2', ENABLED: 'yes' });
    expect(rows.get('open')).toMatchObject({ 'PER MIN': '-', 'USED/MIN': '-', 'PER DAY': '-', 'USED/DAY': '-' });
    expect(Object.keys(rows.get('daily')!)).not.toContain('CREATED');

    const wideRows = tableRows((await cli(platform.url, ['services', 'tokens', 'list', 'guarded', '-o', 'wide'])).stdout);
    expect(wideRows.get('daily')).toMatchObject({ 'PER DAY': '5', 'USED/DAY': '2', CREATED: daily.createdAt });

    const json = await cliJson<{ items: TokenInfo[] }>(platform.url, ['services', 'tokens', 'list', 'guarded', '-o', 'json']);
    expect(json.items.find((t) => t.name === 'daily')).toMatchObject({ limits: { perDay: 5 }, usage: { day: 2, minute: expect.any(Number) } });
    const yaml = parse((await cli(platform.url, ['services', 'tokens', 'list', 'guarded', '-o', 'yaml'])).stdout) as { items: TokenInfo[] };
    expect(yaml.items.find((t) => t.name === 'daily')?.usage?.day).toBe(2);
    expect(JSON.stringify(json)).not.toContain(daily.token);
  }, 60_000);
});
