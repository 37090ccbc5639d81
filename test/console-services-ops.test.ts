/**
 * The console's service operations in Debian's chromium, on a tiny real ONNX model (fast):
 * a service created in the form with dynamic batching charts its mean batch size under
 * concurrent calls; call tokens are created (value shown once), limited (with the calls
 * used shown next to each limit), disabled and enabled from the service page, with the
 * gateway agreeing each time; a bad limit shows
 * the API's message next to its field; resource groups are created, offered with their
 * free capacity by the create form, hold a service, and are deleted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import { call, load } from './gateway-harness.js';
import { tinyInferBody, tinyReluOnnx } from './gateway-model.js';
import { openConsole, type ConsoleBrowser } from './support/browser.js';
import { multipart } from './support/multipart.js';
import { eventually } from './support/platform.js';

let p: Platform;
let b: ConsoleBrowser;
let page: Page;

const state = (s: string) => `h1 [data-state="${s}"]`;
const infer = (name: string, token?: string) =>
  call(`${p.url}/v2/models/${name}/infer`, { body: tinyInferBody([-1, 0, 0.5, 4]), headers: token ? { authorization: `Bearer ${token}` } : {} }).then(
    (r) => r.status,
  );

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-console-ops-'));
  p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent' } }), { reconcilePeriodMs: 200, batchStatsEveryMs: 500 });
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true }) },
    { name: 'f', filename: 'model.onnx', data: tinyReluOnnx() },
  ]);
  await fetch(`${p.url}/api/v1/models/tiny/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
  await eventually(
    async () => ((await (await fetch(`${p.url}/api/v1/models/tiny/versions/v1`)).json()) as { status: string }).status === 'ready',
    30_000,
    'tiny v1 ready',
  );
  b = await openConsole(p.url);
  page = b.page;
}, 120_000);

afterAll(async () => {
  await b?.close();
  await p?.close();
});

describe('console: service operations', () => {
  it('a batching service created in the form charts its mean batch size under concurrent calls', async () => {
    await page.goto('/services/new?model=tiny&version=v1');
    await page.getByLabel('Service name', { exact: true }).fill('batched');
    await page.getByLabel('Require a token to call (authentication)').check();
    await page.getByText('Advanced: batching, environment, log delivery').click();
    await page.getByLabel('Max batch size', { exact: true }).fill('16');
    await page.getByLabel('Max queue delay (ms)', { exact: true }).fill('20');
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.waitForURL('**/services/batched');
    await page.locator(state('Running')).waitFor({ timeout: 60_000 });
    const token = (
      (await (
        await fetch(`${p.url}/api/v1/services/batched/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"load"}' })
      ).json()) as { token: string }
    ).token;

    await page.getByRole('tab', { name: 'Monitoring' }).click();
    const chart = page.locator('figure.chart', { has: page.getByRole('img', { name: 'Batch size (mean rows per batch)' }) });
    await chart.waitFor();
    let stop = false;
    const calls = load(
      1_000_000,
      16,
      () => infer('batched', token),
      () => stop,
    );
    try {
      // the caption shows the newest mean: above one row per batch once calls queue together
      await page.waitForFunction(
        () => {
          const fig = [...document.querySelectorAll('figure.chart')].find(
            (f) => f.querySelector('[role=img]')?.getAttribute('aria-label') === 'Batch size (mean rows per batch)',
          );
          const v = Number(/batch size: ([\d.]+)/.exec(fig?.querySelector('figcaption')?.textContent ?? '')?.[1]);
          return v > 1 && v <= 16;
        },
        undefined,
        { timeout: 45_000 },
      );
    } finally {
      stop = true;
    }
    expect((await calls).every((s) => s === 200)).toBe(true);
    await b.shot('service-monitoring-batch');
  }, 120_000);

  it('a chart has a time axis, a value axis in its unit, and shows the value under the cursor', async () => {
    await page.goto('/services/batched?tab=metrics');
    const chart = page.locator('figure.chart', { has: page.getByRole('img', { name: 'Requests per second' }) });
    await chart.locator('canvas').waitFor();
    // uPlot: one element per axis (x: time, y: req/s) and a legend row per series
    expect(await chart.locator('.u-axis').count()).toBe(2);
    const value = chart.locator('.u-legend .u-series').nth(1).locator('.u-value');
    // the cursor over the newest bucket (the right edge of the plot area) shows its req/s
    const over = chart.locator('.u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    await expect.poll(async () => value.textContent(), { timeout: 15_000 }).toMatch(/^\d+(\.\d+)? req\/s$/);
    // and an older, empty bucket (the left edge) shows 0
    await page.mouse.move(box.x + 2, box.y + box.height / 2);
    await expect.poll(async () => value.textContent(), { timeout: 5_000 }).toBe('0 req/s');
    await b.shot('service-monitoring-hover');
  });

  it('tokens: created with its value shown once, a bad limit refused next to its field, disabled and enabled', async () => {
    await page.goto('/services/batched?tab=tokens');
    await page.getByTestId('token-load').waitFor();
    expect(await page.getByTestId('new-token').count()).toBe(0);

    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create token' });
    await dialog.getByLabel('Token name', { exact: true }).fill('ci');
    await dialog.getByLabel('Requests per minute', { exact: true }).fill('0');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    const perMinute = dialog.locator('.field', { has: page.getByLabel('Requests per minute', { exact: true }) });
    await perMinute.locator('.field-error').waitFor();
    expect(await perMinute.locator('.field-error').textContent()).toMatch(/>= 1/);
    await b.shot('service-token-validation');

    await dialog.getByLabel('Requests per minute', { exact: true }).fill('600');
    await dialog.getByLabel('Requests per day (UTC)', { exact: true }).fill('1000');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    const token = (await page.getByTestId('new-token').textContent()) ?? '';
    expect(token).toMatch(/^md_/);
    await page.getByRole('status').getByRole('button', { name: /Copy/ }).waitFor();
    const row = page.getByTestId('token-ci');
    await row.getByText('600/min').waitFor();
    await row.getByText('enabled', { exact: true }).waitFor();
    expect(await row.textContent()).not.toContain(token);
    await row.getByTestId('limit-day').getByText('0 used').waitFor();
    expect(await infer('batched', token)).toBe(200);
    // the call counts against the limits: the panel (polling every 5 s) shows it next to the day's limit
    await row.getByTestId('limit-day').getByText('1 used').waitFor({ timeout: 15_000 });
    expect(await row.getByTestId('limit-day').textContent()).toBe('1000/day (1 used)');
    await page.getByRole('button', { name: '简体中文' }).click();
    await row.getByTestId('limit-day').getByText('已用 1').waitFor();
    expect(await row.getByTestId('limit-day').textContent()).toBe('1000/天 (已用 1)');
    expect(await row.getByTestId('limit-minute').textContent()).toMatch(/^600\/分钟 \(已用 \d+\)$/);
    await page.getByRole('button', { name: 'English' }).click();
    await row.getByText('enabled', { exact: true }).waitFor();
    await b.shot('service-tokens');

    await row.getByRole('button', { name: 'Disable ci' }).click();
    await row.getByText('disabled', { exact: true }).waitFor();
    await eventually(async () => (await infer('batched', token)) === 401, 10_000, 'the disabled token refused');
    await row.getByRole('button', { name: 'Enable ci' }).click();
    await row.getByText('enabled', { exact: true }).waitFor();
    await eventually(async () => (await infer('batched', token)) === 200, 10_000, 'the enabled token accepted');

    // rotate: a new value, shown once; the old one stops working
    await row.getByRole('button', { name: 'Rotate ci' }).click();
    await page.getByRole('dialog', { name: 'Rotate token' }).getByRole('button', { name: 'Rotate', exact: true }).click();
    await page.waitForFunction((old) => {
      const v = document.querySelector('[data-testid="new-token"]')?.textContent;
      return v && v !== old;
    }, token);
    const rotated = (await page.getByTestId('new-token').textContent()) ?? '';
    expect(await infer('batched', rotated)).toBe(200);
    await eventually(async () => (await infer('batched', token)) === 401, 10_000, 'the old value refused');
  }, 60_000);

  it('resource groups: created with capacity, offered by the create form, hold a service, deleted when empty', async () => {
    await page.goto('/resource-groups');
    await page.getByText('No resource groups yet').waitFor();
    await page.getByRole('button', { name: 'New resource group' }).click();
    const dialog = page.getByRole('dialog', { name: 'New resource group' });
    await dialog.getByLabel('Name', { exact: true }).fill('team-a');
    await dialog.getByLabel('CPU (cores)', { exact: true }).fill('2');
    await dialog.getByLabel('Memory (MiB)', { exact: true }).fill('2048');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.locator('tr[data-group="team-a"]');
    await row.getByText('0 / 2', { exact: true }).waitFor();
    await row.getByText('0 / 2048', { exact: true }).waitFor();

    await page.goto('/services/new?model=tiny&version=v1');
    await page.getByLabel('Service name', { exact: true }).fill('prepaid');
    await page.getByRole('radio', { name: 'Resource group (prepaid)' }).check();
    await page.getByLabel('Resource group', { exact: true }).selectOption('team-a');
    expect(await page.getByLabel('Resource group', { exact: true }).locator('option:checked').textContent()).toBe('team-a (free: 2 cores, 2048 MiB, 0 GPU)');
    await page.getByLabel('CPU (millicores)', { exact: true }).fill('500');
    await page.getByLabel('Memory (MiB)', { exact: true }).fill('512');
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.waitForURL('**/services/prepaid');

    await page.getByRole('link', { name: 'Resource groups' }).click();
    await row.getByText('0.5 / 2', { exact: true }).waitFor();
    await row.getByRole('link', { name: 'prepaid' }).waitFor();
    await b.shot('resource-groups');
    // a group that holds a service cannot be deleted: the API's reason shows in the dialog
    await row.getByRole('button', { name: 'Delete team-a' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete resource group' });
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirm.getByText('RESOURCE_GROUP_IN_USE').waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();

    await fetch(`${p.url}/api/v1/services/prepaid`, { method: 'DELETE' });
    await eventually(async () => (await fetch(`${p.url}/api/v1/services/prepaid`)).status === 404, 30_000, 'prepaid deleted');
    await row.getByRole('button', { name: 'Delete team-a' }).click();
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByText('No resource groups yet').waitFor();
  }, 90_000);

  it('the new pages are readable on a narrow window: no page-wide horizontal scroll', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    try {
      for (const url of ['/resource-groups', '/services/batched?tab=tokens', '/services/batched?tab=metrics']) {
        await page.goto(url);
        await page.locator('h1').first().waitFor();
        await page.locator('table, figure.chart').first().waitFor();
        const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
        expect([url, scroll <= width + 1]).toEqual([url, true]);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});

// browser-side predicates (page.waitForFunction) see the page's document
declare const document: any, window: any; // eslint-disable-line @typescript-eslint/no-explicit-any
