/**
 * The console's rollout panel (docs/rollout.md), in Debian's chromium, on real Node
 * handler instances: a rollout started from the form onto a version that answers 500 on
 * odd inputs, under live calls, is rolled back; the panel shows the decision, the guardrail
 * that tripped and both versions' calls, errors, error rate and p99 side by side, in
 * English and 中文.
 */
import { setTimeout as pace } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Rollout } from '../src/contracts/rollouts.js';
import type { Service } from '../src/contracts/services.js';
import type { Platform } from '../src/platform.js';
import { call } from './gateway-harness.js';
import type { ConsoleBrowser } from './support/browser.js';
import { consoleRig, type ConsoleRig } from './support/console-rig.js';
import { eventually } from './support/platform.js';

let p: Platform;
let rig: ConsoleRig;
let b: ConsoleBrowser;
let page: Page;

let api: ConsoleRig['api'];
const handler = (body: string) => `export default class Model {
  async load() {}
  async preprocess(body) { return body; }
  async predict(input) { ${body} }
  async postprocess(out) { return out; }
}
`;
const version = (modelVersion: string, weight?: number) => ({
  model: 'panel',
  modelVersion,
  resources: { cpuMillicores: 500, memoryMiB: 256 },
  scaling: { mode: 'manual', instances: 1 },
  ...(weight === undefined ? {} : { weight }),
});

beforeAll(async () => {
  rig = await consoleRig('rollout', { rolloutCheckMs: 200 });
  ({ p, api } = rig);
  for (const body of ['return { served: 1 };', "if (input.x % 2 === 1) throw new Error('odd input'); return { served: 2 };"]) {
    await rig.upload('panel', { filename: 'model_service.mjs', data: Buffer.from(handler(body)) }, { format: 'custom', runtime: 'node20-handler' });
  }
  await api('POST', '/api/v1/services', { name: 'roll', version: version('v1') });
  await api('POST', '/api/v1/services/roll/versions', version('v2', 0));
  await eventually(
    async () => {
      const s = await api<Service>('GET', '/api/v1/services/roll');
      return s.status === 'Running' && s.versions.every((v) => v.readyInstances === 1);
    },
    30_000,
    'both versions ready',
  );
  ({ browser: b, page } = await rig.openConsole());
}, 120_000);

afterAll(async () => {
  await rig?.close();
});

describe('console: the rollout panel', () => {
  it('starts a rollout from the form and shows its rollback with both versions side by side', async () => {
    await page.goto('/services/roll?tab=rollout');
    await page.getByTestId('rollout-none').waitFor();
    const form = page.getByRole('form', { name: 'Start a rollout' });
    await form.getByLabel('Canary share (%)').fill('50');
    await form.getByLabel('Baking time (s)').fill('60');
    await form.getByLabel('Calls before judging').fill('10');
    // live calls while the rollout runs (paced; random inputs: the balancer alternates 50/50, so 0, 1, 2, … would send every odd one to version 1)
    let stop = false;
    const calls = (async () => {
      while (!stop) {
        await call(`${p.url}/roll/v1/models/m:predict`, { body: JSON.stringify({ x: Math.floor(Math.random() * 1000) }) });
        await pace(10);
      }
    })();
    try {
      await form.getByRole('button', { name: 'Start rollout' }).click();
      await page
        .getByTestId('rollout-phase')
        .locator('[data-state="RolledBack"]')
        .waitFor({ timeout: 30_000 })
        .catch(async (e) => {
          throw new Error(`${(e as Error).message}; the API says ${JSON.stringify(await api('GET', '/api/v1/services/roll/rollout'))}`);
        });
    } finally {
      stop = true;
      await calls;
    }
    await expect(page.getByTestId('rollout-breach').textContent()).resolves.toBe('Error rate');
    await expect(page.getByTestId('rollout-decision').textContent()).resolves.toMatch(/rolled back: error rate/);
    const r = await api<Rollout>('GET', '/api/v1/services/roll/rollout');
    const newRow = page.getByTestId('rollout-figures-new');
    await expect(newRow.locator('th').textContent()).resolves.toBe('New version 2');
    await expect(newRow.locator('td').nth(1).textContent()).resolves.toBe(String(r.status.figures!.target.errors));
    await expect(page.getByTestId('rollout-figures-old').locator('td').nth(2).textContent()).resolves.toBe('0%');
    // finished: no hand controls, and the form is back to start another
    expect(await page.getByRole('button', { name: 'Promote now' }).count()).toBe(0);
    await page.getByRole('table', { name: 'Steps' }).getByText('stopped here').waitFor();
    await page.getByRole('form', { name: 'Start a rollout' }).waitFor();
    await b.shot('service-rollout-rolled-back');

    await page.evaluate("localStorage.setItem('modeldock.lang', 'zh')");
    await page.reload();
    await page.getByTestId('rollout-phase').getByText('已回滚').waitFor();
    await expect(page.getByTestId('rollout-breach').textContent()).resolves.toBe('错误率');
    await page.getByRole('table', { name: '护栏指标' }).getByText('新版本 2').waitFor();
    await b.shot('service-rollout-rolled-back-zh');
    await page.evaluate("localStorage.setItem('modeldock.lang', 'en')");
  }, 90_000);
});
