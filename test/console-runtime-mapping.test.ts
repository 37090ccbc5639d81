/**
 * The console's version page in Debian's chromium shows a version imported under a TI-ONE
 * runtime name: the runtime it runs on, the name it was imported as, and how one maps onto
 * the other.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import { openConsole, type ConsoleBrowser } from './support/browser.js';
import { multipart } from './support/multipart.js';
import { eventually } from './support/platform.js';

let p: Platform;
let b: ConsoleBrowser;

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-console-runtime-'));
  p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent' } }));
  for (const [model, runtime] of [
    ['ported', 'torch1.9.0-py38-cu111'],
    ['native', 'torch1.13-py311-cpu'],
  ]) {
    const mp = multipart([
      { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'custom', runtime, createModel: true }) },
      { name: 'f', filename: 'model_service.py', data: Buffer.from('import tiinfer\n') },
    ]);
    await fetch(`${p.url}/api/v1/models/${model}/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
    await eventually(
      async () => ((await (await fetch(`${p.url}/api/v1/models/${model}/versions/v1`)).json()) as { status: string }).status === 'ready',
      30_000,
      `${model} v1 ready`,
    );
  }
  b = await openConsole(p.url);
}, 120_000);

afterAll(async () => {
  await b?.close();
  await p?.close();
});

describe('console: the version page', () => {
  it('shows the TI-ONE runtime a version was imported as and what it runs on', async () => {
    const { page } = b;
    await page.goto('/models/ported/versions/v1');
    const note = page.getByTestId('runtime-mapping');
    await note.waitFor();
    const dd = await note.locator('xpath=..').innerText();
    expect(dd).toMatch(/^torch1\.13-py311-cpu/);
    expect(await note.innerText()).toMatch(
      /Imported as runtime torch1\.9\.0-py38-cu111: TI-ONE runtime "torch1\.9\.0-py38-cu111" runs here on torch1\.13-py311-cpu.*CUDA is not used/,
    );
    await b.shot('version-runtime-mapping');
    await page.goto('/models/native/versions/v1');
    await page.getByText('torch1.13-py311-cpu').first().waitFor();
    expect(await page.getByTestId('runtime-mapping').count()).toBe(0);
  });
});
