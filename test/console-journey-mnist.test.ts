/**
 * Journey 1 of DESIGN.md §1 clicked through the web console in Debian's chromium, from an
 * empty data dir: a training task `mnist_train` from the built-in mnist-pytorch example,
 * followed live to Succeeded → "Import as model" → model mnist_train v1 (source task) →
 * the pytorch/mnist template's inference script and config uploaded into v1 (templates
 * downloaded from the console) → service mnist-pytorch-infer → Running → the online test
 * reads a held-out photo of a 7 and of a 2.
 */
import path from 'node:path';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { mnistSplit } from '../src/tasks/datasets/mnist.js';
import { startPlatform, tmpDir, type RunningPlatform } from './cli-harness.js';
import { openConsole, type ConsoleBrowser } from './support/browser.js';

// browser-side predicates (page.waitForFunction) see the page's document; the console's CSP forbids string eval
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

let platform: RunningPlatform;
let b: ConsoleBrowser;
let page: Page;
let work: string;

beforeAll(async () => {
  platform = await startPlatform();
  b = await openConsole(platform.url);
  page = b.page;
  work = tmpDir('console-journey1');
}, 120_000);

afterAll(async () => {
  await b?.close();
  await platform?.stop();
});

const state = (s: string) => `h1 [data-state="${s}"]`;

/** Waits for a locator; on a timeout, says what the API and the page showed meanwhile. */
async function waitOrExplain(what: ReturnType<Page['locator']>, timeout: number, api: string): Promise<void> {
  try {
    await what.waitFor({ timeout });
  } catch (e) {
    await b.shot('failure-journey1');
    const seen = await fetch(`${platform.url}${api}`)
      .then((r) => r.text())
      .catch((x: unknown) => String(x));
    // the run's state and reason too, so a rare failure says whether the run stalled, failed or was cut off
    const task = await fetch(`${platform.url}/api/v1/tasks/mnist_train`)
      .then((r) => r.text())
      .catch((x: unknown) => String(x));
    throw new Error(`${(e as Error).message}\n${api} answered: ${seen.slice(0, 3000)}\n/api/v1/tasks/mnist_train answered: ${task.slice(0, 2000)}`);
  }
}

/** Held-out digit d as a dark-on-light 200×200 JPEG (a photo of paper), saved under work/. */
async function digitPhoto(d: number): Promise<string> {
  const { heldout } = mnistSplit();
  const i = heldout.labels.indexOf(d);
  const px = Buffer.from(heldout.images.subarray(i * 784, (i + 1) * 784)).map((v) => 255 - v);
  const file = path.join(work, `digit-${d}.jpg`);
  await sharp(Buffer.from(px), { raw: { width: 28, height: 28, channels: 1 } })
    .resize(200, 200, { kernel: 'cubic' })
    .jpeg({ quality: 90 })
    .toFile(file);
  return file;
}

describe('console: journey 1 in the browser', () => {
  it('mnist task → import as model → upload template code → service → online test reads the digits', async () => {
    // 1. the training task from the built-in example, followed live
    await page.goto('/tasks');
    await page.getByText('No training tasks yet').waitFor();
    await page.getByRole('link', { name: 'New task' }).click();
    await page.waitForFunction(() => document.querySelector('input.code')?.value === 'python train.py');
    await page.getByLabel('Task name', { exact: true }).fill('mnist_train');
    await page.locator('option[value="torch1.13-py311-cpu"]').waitFor({ state: 'attached' });
    expect(await page.getByLabel('Runtime environment', { exact: true }).inputValue()).toBe('torch1.13-py311-cpu');
    expect(await page.getByLabel('Inputs', { exact: true }).inputValue()).toMatch(/^mnist=datasets\/mnist/);
    await b.shot('task-create');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.waitForURL('**/tasks/mnist_train');
    await waitOrExplain(page.getByTestId('task-logs').getByText(/epoch 1\/\d+: loss/), 240_000, '/api/v1/tasks/mnist_train/logs');
    await waitOrExplain(page.locator(state('Succeeded')), 240_000, '/api/v1/tasks/mnist_train');
    await page.getByText('The run has ended; this is its whole log.').waitFor();
    await page.getByRole('list', { name: 'Outputs' }).getByText('model.pt').waitFor();
    expect(await page.getByTestId('task-metrics').textContent()).toMatch(/"accuracy"/);
    await b.shot('task-detail');

    // 2. import the run's output as model mnist_train v1
    await page.getByRole('button', { name: 'Import as model' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByLabel('Model name', { exact: true }).inputValue()).toBe('mnist_train');
    expect(await dialog.getByRole('combobox', { name: 'Training task' }).inputValue()).toBe('mnist_train');
    await dialog.getByLabel('Model format', { exact: true }).selectOption('torchscript');
    await dialog.locator('option[value="torch1.13-py311-cpu"]').waitFor({ state: 'attached' });
    await dialog.getByLabel('Runtime environment', { exact: true }).selectOption('torch1.13-py311-cpu');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await page.waitForURL('**/models/mnist_train/versions/v1');
    await page.locator(state('ready')).waitFor({ timeout: 60_000 });

    // 3. the template's inference script and config, uploaded into v1 with a progress bar
    await page.goto('/models');
    await page.getByRole('button', { name: 'Download inference code template' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download all templates (zip)' }).click()]);
    const zip = path.join(work, 'templates.zip');
    await download.saveAs(zip);
    execFileSync('unzip', ['-q', zip, '-d', path.join(work, 'tpl')]);
    const tpl = path.join(work, 'tpl', 'pytorch', 'mnist');
    expect(fs.existsSync(path.join(tpl, 'model_service.py'))).toBe(true);
    await page.goto('/models/mnist_train/versions/v1');
    await page.getByTestId('pick-files').setInputFiles([path.join(tpl, 'model_service.py'), path.join(tpl, 'config.json')]);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByText('Uploaded 2 files.').waitFor();
    for (const f of ['config.json', 'metrics.json', 'model.pt', 'model_service.py']) await page.getByRole('cell', { name: f, exact: true }).waitFor();
    await b.shot('model-version-files');

    // 4. the service
    await page.getByRole('link', { name: 'Deploy as online service' }).click();
    await page.waitForURL('**/services/new?**');
    await page.getByLabel('Service name', { exact: true }).fill('mnist-pytorch-infer');
    await page.waitForFunction(() => document.querySelectorAll('select')[1]?.value === 'v1');
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.waitForURL('**/services/mnist-pytorch-infer');
    await page.locator(state('Running')).waitFor({ timeout: 180_000 });

    // 5. the online test
    await page.getByRole('link', { name: 'Call', exact: true }).click();
    for (const digit of [7, 2]) {
      const before = await page
        .getByTestId('answer-time')
        .textContent()
        .catch(() => null);
      await page.getByTestId('pick-image').setInputFiles(await digitPhoto(digit));
      await page.waitForFunction(() => document.querySelector('textarea.code')?.value.includes('data:image/jpeg;base64,'));
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.waitForFunction(
        (prev) =>
          document.querySelector('[data-testid="answer-time"]')?.textContent !== prev &&
          !document.querySelector('.answer')?.closest('.card')?.querySelector('button.primary[disabled]'),
        before,
      );
      expect(await page.getByTestId('answer-status').textContent()).toMatch(/^200/);
      const answer = JSON.parse((await page.getByTestId('answer-body').textContent()) ?? '{}') as { predictions: { digit: number }[] };
      expect(answer.predictions[0]!.digit).toBe(digit);
    }
    await b.shot('call-mnist');
  }, 540_000);
});
