/**
 * Payload capture in the console (issue 18 §2), in Debian's chromium, on a real Node
 * handler instance: the service page's Payload capture tab starts capture for a version,
 * the calls made show in its table (status, bodies) and filter by status, a call's file
 * downloads, Stop turns capture off; the tab in 中文 too.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
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
const HANDLER = `export default class Model {
  async predict(input) { if (input.fail) throw new Error('broke'); return { echo: input }; }
}
`;
const predict = (body: object) => call(`${p.url}/capcon/v1/models/m:predict`, { body: JSON.stringify(body) });

beforeAll(async () => {
  rig = await consoleRig('captures');
  ({ p, api } = rig);
  await rig.upload('echo', { filename: 'model_service.mjs', data: Buffer.from(HANDLER) }, { format: 'custom', runtime: 'node20-handler' });
  await api('POST', '/api/v1/services', {
    name: 'capcon',
    version: { model: 'echo', modelVersion: 'v1', resources: { cpuMillicores: 500, memoryMiB: 256 }, scaling: { mode: 'manual', instances: 1 } },
  });
  await eventually(async () => (await api<Service>('GET', '/api/v1/services/capcon')).versions[0]!.readyInstances === 1, 60_000, 'capcon ready');
  ({ browser: b, page } = await rig.openConsole());
}, 120_000);

afterAll(async () => {
  await rig?.close();
});

describe('console: payload capture', () => {
  it('starts capture, shows and filters the captured calls, downloads a file, stops capture; in 中文 too', async () => {
    await page.goto('/services/capcon?tab=captures');
    const panel = page.getByTestId('service-captures');
    await panel.getByTestId('capture-settings').getByText('Version 1: capture off').waitFor();
    await panel.getByLabel('Share of calls (%)').fill('100');
    await panel.getByRole('button', { name: 'Start capture' }).click();
    await panel.getByTestId('capture-settings').getByText('Version 1: capturing 100% of calls').waitFor();
    expect((await api<Service>('GET', '/api/v1/services/capcon')).versions[0]!.spec.capture).toEqual({ percent: 100 });

    await eventually(() => p.directory.route('capcon')?.versions[0]?.capture?.percent === 100, 10_000, 'the route captures');
    expect((await predict({ hello: 'console' })).status).toBe(200);
    expect((await predict({ fail: true })).status).toBe(500);
    await p.capture.flush();
    await panel.getByRole('button', { name: 'Refresh' }).click();
    const table = page.getByRole('table', { name: 'Captured calls' });
    await table.getByText('{"hello":"console"}').first().waitFor();
    expect(await table.locator('tbody tr').count()).toBe(2);

    await panel.getByLabel('Status').selectOption('5xx');
    await eventually(
      async () => (await table.locator('tbody tr').count()) === 1 && (await table.locator('tbody tr').first().textContent())?.includes('500'),
      10_000,
      'only the 500 row',
    );
    await table.locator('summary').getByText('{"fail":true}').click();
    await table.locator('pre').getByText('{"fail":true}').waitFor();
    const [dl] = await Promise.all([page.waitForEvent('download'), table.getByRole('button', { name: 'Download' }).first().click()]);
    expect(dl.suggestedFilename()).toMatch(/\.jsonl$/);
    const saved = await dl.path();
    expect(fs.readFileSync(saved!, 'utf8').trim().split('\n').length).toBe(2);
    await b.shot('service-captures');

    await page.getByRole('button', { name: '简体中文' }).click();
    await page.getByRole('tab', { name: '负载采集' }).waitFor();
    await panel.getByTestId('capture-settings').getByText('版本 1: 采集 100% 的调用').waitFor();
    await page.getByRole('button', { name: 'English' }).click();

    await panel.getByRole('button', { name: 'Stop capture' }).click();
    await panel.getByTestId('capture-settings').getByText('Version 1: capture off').waitFor();
    expect((await api<Service>('GET', '/api/v1/services/capcon')).versions[0]!.spec.capture?.percent).toBe(0);
  });
});
