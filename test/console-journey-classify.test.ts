/**
 * Journey 2 of DESIGN.md §1 clicked through the web console in Debian's chromium, from an
 * empty data dir: download the inference code templates from the model repository page,
 * take pytorch/classify, add the fixture weights and labels, put the folder in object
 * storage, import it as model `classify` v1 from storage in the import dialog, deploy
 * service `classify` from the version page, and on its call page pick a photo of a cat, a
 * butterfly and a dog: each comes back with its ImageNet class as the most confident.
 * Then, in the same browser: auth on → the call page shows 401 without a token and 200
 * with one it creates; API validation messages next to the fields; a failed service's reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { cli, startPlatform, tmpDir, type RunningPlatform } from './cli-harness.js';
import { openConsole, type ConsoleBrowser } from './support/browser.js';
import { eventually } from './support/platform.js';

const FIXTURES = new URL('../examples/fixtures/', import.meta.url);
const fixture = (name: string) => new URL(name, FIXTURES).pathname;
const PHOTOS: [string, number, number][] = [
  ['cat-jetson.jpg', 281, 285],
  ['butterfly-monarch-in-may.jpg', 321, 326],
  ['dog-winml.jpg', 151, 268],
];

// browser-side predicates (page.waitForFunction) see the page's document; the console's CSP forbids string eval
declare const document: any, window: any; // eslint-disable-line @typescript-eslint/no-explicit-any

let platform: RunningPlatform;
let b: ConsoleBrowser;
let page: Page;
let work: string;

beforeAll(async () => {
  platform = await startPlatform();
  b = await openConsole(platform.url);
  page = b.page;
  work = tmpDir('console-journey2');
}, 120_000);

afterAll(async () => {
  await b?.close();
  await platform?.stop();
});

const state = (s: string) => `h1 [data-state="${s}"]`;

/** Picks an image on the call page, sends it, and answers the status and the parsed body. */
async function sendImage(file: string): Promise<{ status: string; body: { predictions: { index: number; label: string }[] } }> {
  const before = await page
    .getByTestId('answer-time')
    .textContent()
    .catch(() => null);
  await page.getByTestId('pick-image').setInputFiles(file);
  await page.waitForFunction(() => document.querySelector('textarea.code')?.value.includes('data:image/jpeg;base64,'));
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.waitForFunction((prev) => {
    const el = document.querySelector('[data-testid="answer-time"]');
    return el && el.textContent !== prev && !document.querySelector('.answer')?.closest('.card')?.querySelector('button.primary[disabled]');
  }, before);
  const status = (await page.getByTestId('answer-status').textContent()) ?? '';
  return { status, body: JSON.parse((await page.getByTestId('answer-body').textContent()) ?? '{}') };
}

describe('console: journey 2 in the browser', () => {
  it('templates → storage → import → deploy → online test reads cat, butterfly and dog', async () => {
    await page.goto('/');
    await page.waitForURL('**/models');
    await page.getByText('No models yet').waitFor();
    await b.shot('models-empty');

    // the inference code templates, downloaded from the console
    await page.getByRole('button', { name: 'Download inference code template' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download all templates (zip)' }).click()]);
    const zip = path.join(work, 'templates.zip');
    await download.saveAs(zip);
    await page.getByRole('button', { name: 'Close' }).click();
    execFileSync('unzip', ['-q', zip, '-d', path.join(work, 'tpl')]);
    const dir = path.join(work, 'tpl', 'pytorch', 'classify');
    fs.copyFileSync(fixture('pytorch-classify/mobilenet_quantized.pt'), path.join(dir, 'model.pt'));
    fs.copyFileSync(fixture('imagenet_synset.txt'), path.join(dir, 'labels.txt'));
    // the object store is filled outside the console (TI-ONE users put it in COS)
    expect((await cli(platform.url, ['storage', 'put', dir, 'cos/classify'])).code).toBe(0);

    // import from storage in the TI-ONE style dialog
    await page.getByRole('button', { name: 'Import model' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Model name', { exact: true }).fill('classify');
    await dialog.getByLabel('Tags', { exact: true }).fill('journey=2, source=templates');
    await dialog.getByRole('radio', { name: 'Object storage' }).check();
    await dialog.getByLabel('Storage path', { exact: true }).fill('cos/classify');
    await dialog.getByLabel('Model format', { exact: true }).selectOption('pytorch');
    await dialog.locator('option[value="torch1.13-py311-cpu"]').waitFor({ state: 'attached' });
    await dialog.getByLabel('Runtime environment', { exact: true }).selectOption('torch1.13-py311-cpu');
    await b.shot('model-import-dialog');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await page.waitForURL('**/models/classify/versions/v1');
    await page.locator(state('ready')).waitFor({ timeout: 60_000 });
    await page.getByRole('cell', { name: 'model_service.py' }).waitFor();
    await b.shot('model-version');

    // deploy from the version page
    await page.getByRole('link', { name: 'Deploy as online service' }).click();
    await page.waitForURL('**/services/new?**');
    expect(await page.getByLabel('Service name', { exact: true }).inputValue()).toBe('classify');
    await page.waitForFunction(() => document.querySelectorAll('select')[1]?.value === 'v1');
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.waitForURL('**/services/classify');
    await page.locator(state('Running')).waitFor({ timeout: 180_000 });
    await page.getByRole('tab', { name: 'Instances' }).click();
    await page.getByRole('cell', { name: 'Ready', exact: true }).waitFor();
    await page.getByRole('tab', { name: 'Versions' }).click();
    await b.shot('service-detail');

    // the call page: API info and the online test
    await page.getByRole('link', { name: 'Call', exact: true }).click();
    await page.waitForURL('**/services/classify/call');
    expect(await page.getByTestId('call-url').textContent()).toBe(`${platform.url}/classify/v1/models/m:predict`);
    for (const [photo, lo, hi] of PHOTOS) {
      const { status, body } = await sendImage(fixture(photo));
      expect(status).toMatch(/^200/);
      const top = body.predictions[0]!;
      expect([photo, top.index >= lo && top.index <= hi, top.label]).toEqual([photo, true, expect.any(String)]);
    }
    expect(await page.getByTestId('answer-time').textContent()).toMatch(/^\d+ ms$/);
    await b.shot('call-online-test');

    await page.getByRole('link', { name: 'Online services' }).first().click();
    await page.locator('tr[data-service="classify"] [data-state="Running"]').waitFor();
    await b.shot('services-list');
  }, 300_000);

  it('service detail: logs show the calls, monitoring charts them, events tell the story', async () => {
    await page.goto('/services/classify?tab=logs');
    await page.getByTestId('service-logs').getByText('POST /classify/v1/models/m:predict 200').first().waitFor();
    await b.shot('service-logs');
    await page.getByRole('tab', { name: 'Monitoring' }).click();
    await page.getByRole('img', { name: 'Requests per second' }).waitFor();
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(4);
    await b.shot('service-monitoring');
    await page.getByRole('tab', { name: 'Events' }).click();
    await page.getByRole('table', { name: 'Events' }).getByRole('row').nth(1).waitFor();
  });
});

describe('console: auth, validation and failures', () => {
  it('the call page shows 401 without a token, and 200 with a token it creates', async () => {
    await page.goto('/services/new?model=classify&version=v1');
    await page.getByLabel('Service name', { exact: true }).fill('classify-secure');
    await page.getByLabel('Require a token to call (authentication)').check();
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.waitForURL('**/services/classify-secure');
    await page.getByRole('link', { name: 'Call', exact: true }).click();
    await page.getByText('Token required: Authorization: Bearer <token>').waitFor();
    expect(await page.getByText('Authorization: Bearer <token>', { exact: true }).count()).toBe(1);

    // no token: the gateway answers 401 before anything reaches the model
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByTestId('answer-status').waitFor();
    expect(await page.getByTestId('answer-status').textContent()).toMatch(/^401/);
    expect(JSON.parse((await page.getByTestId('answer-body').textContent()) ?? '{}')).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    await b.shot('call-401');

    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('new-token').textContent()) ?? '';
    expect(token.length).toBeGreaterThan(16);
    expect(await page.getByLabel('Token', { exact: true }).inputValue()).toBe(token);
    await page.goto('/services/classify-secure');
    await page.locator(state('Running')).waitFor({ timeout: 180_000 });
    await page.goto('/services/classify-secure/call');
    await page.getByLabel('Token', { exact: true }).fill(token);
    const { status, body } = await sendImage(fixture('cat-jetson.jpg'));
    expect(status).toMatch(/^200/);
    expect(body.predictions[0]!.index).toBeGreaterThanOrEqual(281);
  }, 240_000);

  it('forms show the API messages next to their fields', async () => {
    await page.goto('/services/new?model=classify&version=v1');
    const nameField = page.locator('.field', { has: page.getByLabel('Service name', { exact: true }) });
    await page.getByLabel('Service name', { exact: true }).fill('not a name!');
    await page.getByRole('button', { name: 'Create service' }).click();
    await nameField.locator('.field-error').waitFor();
    expect(await nameField.locator('.field-error').textContent()).toContain('1–60 characters');
    expect(await page.getByRole('alert').filter({ hasText: 'INVALID_NAME' }).count()).toBe(1);

    await page.getByLabel('Service name', { exact: true }).fill('good-name');
    await page.getByLabel('Memory (MiB)', { exact: true }).fill('lots');
    await page.getByRole('button', { name: 'Create service' }).click();
    const memField = page.locator('.field', { has: page.getByLabel('Memory (MiB)', { exact: true }) });
    await memField.locator('.field-error').waitFor();
    expect(await memField.locator('.field-error').textContent()).toMatch(/integer/);
    expect(await nameField.locator('.field-error').count()).toBe(0);
    await b.shot('service-create-validation');

    await page.goto('/models');
    await page.getByRole('button', { name: 'Import model' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Model name', { exact: true }).fill('classify2');
    await dialog.getByRole('radio', { name: 'Object storage' }).check();
    await dialog.getByLabel('Storage path', { exact: true }).fill('cos/nothing-here');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    const pathField = dialog.locator('.field', { has: page.getByLabel('Storage path', { exact: true }) });
    await pathField.locator('.field-error').waitFor();
    expect(await pathField.locator('.field-error').textContent()).toContain('cos/nothing-here');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  }, 60_000);

  it('a failed service shows its reason', async () => {
    // an ONNX "model" that is not one: the instance cannot load it
    const form = new FormData();
    form.append('spec', JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true }));
    form.append('file', new Blob([Buffer.from('not an onnx model')]), 'model.onnx');
    const imported = await fetch(`${platform.url}/api/v1/models/broken/versions`, { method: 'POST', body: form });
    expect(imported.status).toBe(202);
    await eventually(
      async () => ((await (await fetch(`${platform.url}/api/v1/models/broken/versions/v1`)).json()) as { status: string }).status === 'ready',
      30_000,
      'broken v1 ready',
    );
    const version = { model: 'broken', modelVersion: 'v1', resources: { cpuMillicores: 500, memoryMiB: 512 }, scaling: { mode: 'manual', instances: 1 } };
    const created = await fetch(`${platform.url}/api/v1/services`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'broken', version }),
    });
    expect(created.status).toBe(202);

    await page.goto('/services');
    await page.locator('tr[data-service="broken"] [data-state="Failed"]').waitFor({ timeout: 120_000 });
    await page.getByRole('link', { name: 'broken', exact: true }).click();
    await page.locator(state('Failed')).waitFor();
    const reason = (await page.getByTestId('service-reason').textContent()) ?? '';
    const api = (await (await fetch(`${platform.url}/api/v1/services/broken`)).json()) as { reason: string };
    expect(api.reason.length).toBeGreaterThan(0);
    expect(reason).toContain(api.reason.slice(0, 40));
    await b.shot('service-failed');
  }, 150_000);

  it('stop asks first, then the state changes without a reload', async () => {
    await page.goto('/services/classify-secure');
    await page.locator(state('Running')).waitFor();
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Stop service' });
    await confirm.getByText('calls answer 503').waitFor();
    await confirm.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.locator(state('Stopped')).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Resume', exact: true }).waitFor();
  }, 90_000);
});

describe('console: language, narrow window, keyboard', () => {
  it('switches to 简体中文 and back', async () => {
    await page.goto('/services');
    await page.getByRole('button', { name: '简体中文' }).click();
    await page.getByRole('link', { name: '在线服务' }).waitFor();
    await page.locator('tr[data-service="classify"]').getByText('运行中').waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await b.shot('services-list-zh');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('link', { name: 'Online services' }).waitFor();
  });

  it('is readable on a narrow window: no page-wide horizontal scroll', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    for (const url of ['/models', '/models/classify/versions/v1', '/services', '/services/classify', '/services/classify/call', '/services/new', '/tasks']) {
      await page.goto(url);
      await page.locator('h1').first().waitFor();
      const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      expect([url, scroll <= width + 1]).toEqual([url, true]);
    }
    await page.goto('/services/classify/call');
    await page.getByTestId('call-url').waitFor();
    await b.shot('call-narrow');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('is keyboard reachable: tab to a dialog, Escape closes it', async () => {
    await page.goto('/models');
    await page.getByRole('cell', { name: 'classify', exact: true }).waitFor();
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.textContent === 'Import model');
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Import model' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Import model' }).waitFor({ state: 'hidden' });
  });
});
