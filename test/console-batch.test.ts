/**
 * The console's Batch jobs page in Debian's chromium: a job created from a model version
 * and an input path in the form, followed to its end on its page (progress 3 / 3, the
 * error row counted), its outputs listed to open; a form error shown at its field; the
 * same pages in 中文.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import { openConsole, type ConsoleBrowser } from './support/browser.js';
import { eventually } from './support/platform.js';

let p: Platform;
let b: ConsoleBrowser;

const HANDLER = `export default class M {
  constructor(dir, ctx) { this.ctx = ctx; }
  predict(b) { if (typeof b.a !== 'number') throw this.ctx.badInput('a is not a number'); return { double: 2 * b.a }; }
}`;

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-console-batch-'));
  p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent' } }), { reconcilePeriodMs: 200 });
  await p.blobs.put('pkgs/doubler/model_service.js', Buffer.from(HANDLER));
  await p.blobs.put('data/numbers.csv', Buffer.from('a\n1\n2\nnot-a-number\n'));
  const res = await fetch(`${p.url}/api/v1/models/doubler/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source: { type: 'storage', path: 'pkgs/doubler' }, format: 'custom', runtime: 'node20-handler', createModel: true }),
  });
  expect(res.status).toBe(202);
  await eventually(
    async () => ((await (await fetch(`${p.url}/api/v1/models/doubler/versions/v1`)).json()) as { status: string }).status === 'ready',
    30_000,
    'doubler v1 ready',
  );
  b = await openConsole(p.url);
}, 120_000);

afterAll(async () => {
  await b?.close();
  await p?.close();
});

describe('console: batch jobs', () => {
  it('creates a job from a model version and an input path, follows it to its end and lists its outputs, in EN and 中文', async () => {
    const { page } = b;
    await page.goto('/batch-jobs');
    await page.getByRole('link', { name: 'Batch jobs' }).first().waitFor();
    await page.getByText('No batch jobs yet.', { exact: false }).waitFor();
    await page.getByRole('link', { name: 'New batch job' }).click();
    await page.getByLabel('Job name').fill('numbers');
    await page.getByLabel('Model', { exact: true }).selectOption('doubler');
    await page.getByLabel('Input path').fill('data/missing.csv');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('.field-error').getByText('not found').waitFor();
    await page.getByLabel('Input path').fill('data/numbers.csv');
    await page.getByLabel('Error share that fails the job').fill('0.5');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL('**/batch-jobs/numbers');
    await page.locator('[data-state="Succeeded"]').first().waitFor({ timeout: 60_000 });
    const progress = page.getByTestId('batch-progress');
    await eventually(async () => /3 \/ 3 \(100%\).*1 failed/.test(await progress.innerText()), 10_000, 'progress 3 / 3');
    const outputs = page.getByRole('list', { name: 'Outputs' });
    await outputs.getByText('summary.json').waitFor();
    expect(await outputs.innerText()).toMatch(/results\/part-00001\.jsonl/);
    await b.shot('batch-job-succeeded');
    await page.goto('/batch-jobs');
    await page.locator('[data-batch-job="numbers"]').getByText('doubler:v1').waitFor();

    await page.evaluate("localStorage.setItem('modeldock.lang', 'zh')");
    await page.goto('/batch-jobs/numbers');
    await page
      .getByRole('heading', { name: /numbers/ })
      .getByText('成功')
      .waitFor();
    await page.getByRole('link', { name: '批量预测' }).first().waitFor();
    await page.getByText('失败 1 个', { exact: false }).waitFor();
    await b.shot('batch-job-succeeded-zh');
    await page.evaluate("localStorage.setItem('modeldock.lang', 'en')");
  }, 90_000);
});
