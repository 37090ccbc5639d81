/**
 * Changing a service in the console (issue 17), in Debian's chromium: the versions panel
 * removes a version (the one holding all traffic is refused with the API's code in the
 * dialog; once another version has a weight it goes); Edit changes description, tags and
 * auth; a scheduled version shows its rule in force and next firing. Control plane only
 * (versions at 0 instances), so no instance process starts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Service } from '../src/contracts/services.js';
import type { Platform } from '../src/platform.js';
import { tinyReluOnnx } from './gateway-model.js';
import type { ConsoleBrowser } from './support/browser.js';
import { consoleRig, type ConsoleRig } from './support/console-rig.js';
import { eventually } from './support/platform.js';

let p: Platform;
let rig: ConsoleRig;
let b: ConsoleBrowser;
let page: Page;

let api: ConsoleRig['api'];
const version = { model: 'tiny', modelVersion: 'v1', resources: { cpuMillicores: 500, memoryMiB: 256 }, scaling: { mode: 'manual', instances: 0 } };

beforeAll(async () => {
  rig = await consoleRig('versions');
  ({ p, api } = rig);
  await rig.upload('tiny', { filename: 'model.onnx', data: tinyReluOnnx() }, { format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu' });
  await api('POST', '/api/v1/services', { name: 'twov', description: 'before', tags: { team: 'ml', old: 'x' }, version });
  await api('POST', '/api/v1/services/twov/versions', version);
  ({ browser: b, page } = await rig.openConsole());
}, 120_000);

afterAll(async () => {
  await rig?.close();
});

describe('console: removing a service version', () => {
  it('refuses the version with all traffic in the dialog, then removes it once another has weight', async () => {
    await page.goto('/services/twov?tab=versions');
    const table = page.getByRole('table', { name: 'Versions' });
    await table.getByRole('button', { name: 'Remove version 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove version 1' });
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await dialog.getByRole('alert').getByText('VERSION_HOLDS_ALL_TRAFFIC').waitFor();
    await b.shot('service-remove-version-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await api<Service>('GET', '/api/v1/services/twov')).versions.length).toBe(2);

    await table.getByLabel('Traffic weight of version 2').fill('100');
    await page.getByRole('button', { name: 'Save weights' }).click();
    await eventually(async () => (await api<Service>('GET', '/api/v1/services/twov')).versions[1]!.weight === 100, 10_000, 'weights saved');
    await table.getByRole('button', { name: 'Remove version 1' }).click();
    await page.getByRole('dialog', { name: 'Remove version 1' }).getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await table.getByRole('button', { name: 'Remove version 1' }).waitFor({ state: 'detached' });
    expect((await api<Service>('GET', '/api/v1/services/twov')).versions.map((v) => v.seq)).toEqual([2]);
    // the only version left has no remove button
    expect(await table.getByRole('button', { name: /^Remove version/ }).count()).toBe(0);
  }, 60_000);

  it('Edit changes description, tags and auth with a merge patch', async () => {
    await page.goto('/services/twov');
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit service' });
    await dialog.getByLabel('Description').fill('after');
    await dialog.getByLabel('Tags').fill('team=ops, stage=test');
    await dialog.getByLabel('Require a token to call (authentication)').check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const after = await api<Service>('GET', '/api/v1/services/twov');
    expect([after.description, after.tags, after.auth]).toEqual(['after', { team: 'ops', stage: 'test' }, true]);
    await page.getByText('Token required').waitFor();
    await page.getByText('stage=test').waitFor();
    await b.shot('service-edit');
  }, 60_000);

  it('a scheduled version shows the rule in force and the next firing', async () => {
    const schedules = [
      { cron: '0 9 * * 1-5', timeZone: 'Asia/Shanghai', minInstances: 0 },
      { cron: '0 20 * * *', timeZone: 'Asia/Shanghai', minInstances: 0 },
    ];
    const s = await api<Service>('POST', '/api/v1/services', {
      name: 'timed',
      version: { ...version, scaling: { mode: 'auto', minInstances: 0, maxInstances: 2, metric: 'concurrency', target: 4 }, schedules },
    });
    await page.goto('/services/timed?tab=versions');
    await page.getByTestId('schedule-next-1').waitFor();
    expect(await page.getByTestId('schedule-next-1').textContent()).toBe(
      `next: 0–2 at ${await page.evaluate((at) => new Date(at).toLocaleString(), s.versions[0]!.schedule!.next!.at)}`,
    );
    expect(await page.getByTestId('schedule-active-1').textContent()).toMatch(/^scheduled: 0–2 since /);
  }, 60_000);
});
