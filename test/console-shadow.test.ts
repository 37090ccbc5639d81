/**
 * Shadow traffic in the console (docs/shadow.md), in Debian's chromium: the service page's
 * Shadow traffic tab starts a shadow on version 2, shows what the gateway counted (fed to
 * the platform's real directory as the gateway feeds it), refuses the version holding all
 * traffic with the API's code, stops it; the same tab in 中文. Control plane only
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
  rig = await consoleRig('shadow');
  ({ p, api } = rig);
  await rig.upload('tiny', { filename: 'model.onnx', data: tinyReluOnnx() }, { format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu' });
  await api('POST', '/api/v1/services', { name: 'shade', version });
  await api('POST', '/api/v1/services/shade/versions', version);
  ({ browser: b, page } = await rig.openConsole());
}, 120_000);

afterAll(async () => {
  await rig?.close();
});

describe('console: shadow traffic', () => {
  it('starts a shadow, shows its counts, refuses the version with all traffic, stops it; in English and 中文', async () => {
    await page.goto('/services/shade?tab=shadow');
    await page.getByTestId('shadow-off').waitFor();
    await page.getByLabel('Shadow version').selectOption('2');
    await page.getByLabel('Share of calls (%)').fill('50');
    await page.getByRole('button', { name: 'Start shadow' }).click();
    await page.getByText('Version 2, 50% of calls').waitFor();
    expect((await api<Service>('GET', '/api/v1/services/shade')).shadow).toMatchObject({ version: 2, percent: 50 });

    // what the gateway reports for copies to version 2, through the platform's own directory
    const v2 = (await api<Service>('GET', '/api/v1/services/shade')).versions[1]!.id;
    for (const [event, ms] of [
      ['sent', undefined],
      ['sent', undefined],
      ['sent', undefined],
      ['match', 4],
      ['mismatch', 6],
      ['error', 9],
    ] as const)
      p.directory.observeShadow('shade', v2, event, ms);
    await page.getByTestId('shadow-agreement').getByText('1 match, 1 mismatch, 0 not compared (50%)').waitFor();
    expect(await page.getByTestId('shadow-mirrored').textContent()).toBe('3 (0 in flight), 0 skipped, 0 dropped');
    expect(await page.getByTestId('shadow-errors').textContent()).toBe('1 5xx, 0 timeouts, 0 unreachable');
    await b.shot('service-shadow');

    await page.getByLabel('Shadow version').selectOption('1');
    await page.getByRole('button', { name: 'Save shadow' }).click();
    await page.getByRole('alert').getByText('INVALID_SHADOW').waitFor();
    expect((await api<Service>('GET', '/api/v1/services/shade')).shadow?.version).toBe(2);

    await page.getByRole('button', { name: '简体中文' }).click();
    await page.getByRole('tab', { name: '影子流量' }).waitFor();
    await page.getByText('版本 2，50% 的调用').waitFor();
    expect(await page.getByTestId('shadow-agreement').textContent()).toBe('一致 1，不一致 1，未比较 0 (50%)');
    await page.getByRole('button', { name: '停止影子流量' }).click();
    await page.getByText('未开启影子流量。').waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByTestId('shadow-off').getByText('No shadow traffic.').waitFor();
    expect((await api<Service>('GET', '/api/v1/services/shade')).shadow).toBeUndefined();
  }, 90_000);
});
