/**
 * What the console tests of one service page set up alike: a platform on a free port with
 * a fast reconciler, JSON calls to its API, a model version uploaded and waited for, and a
 * Chromium page on the console. Each test file brings its own services and clicks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { startPlatform, type Platform, type PlatformOptions } from '../../src/platform.js';
import { openConsole, type ConsoleBrowser } from './browser.js';
import { multipart } from './multipart.js';
import { eventually } from './platform.js';

export interface ConsoleRig {
  p: Platform;
  /** a JSON call to the platform's API, answered as parsed JSON */
  api<T>(method: string, url: string, body?: object): Promise<T>;
  /** uploads one file as a new version of `model` (created with the first) and waits until it is ready */
  upload(model: string, file: { filename: string; data: Buffer }, spec: { format: string; runtime: string }): Promise<void>;
  openConsole(): Promise<{ browser: ConsoleBrowser; page: Page }>;
  close(): Promise<void>;
}

export async function consoleRig(name: string, opts: PlatformOptions = {}): Promise<ConsoleRig> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `modeldock-console-${name}-`));
  const p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent' } }), { reconcilePeriodMs: 200, ...opts });
  let browser: ConsoleBrowser | undefined;
  const api = async <T>(method: string, url: string, body?: object): Promise<T> => {
    const res = await fetch(`${p.url}${url}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    return (await res.json()) as T;
  };
  const versions = new Map<string, number>();
  return {
    p,
    api,
    async upload(model, file, spec) {
      const n = (versions.get(model) ?? 0) + 1;
      versions.set(model, n);
      const mp = multipart([
        { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, ...spec, createModel: n === 1 }) },
        { name: 'f', filename: file.filename, data: file.data },
      ]);
      await fetch(`${p.url}/api/v1/models/${model}/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
      await eventually(
        async () => (await api<{ status: string }>('GET', `/api/v1/models/${model}/versions/v${n}`)).status === 'ready',
        30_000,
        `${model} v${n} ready`,
      );
    },
    async openConsole() {
      browser = await openConsole(p.url);
      return { browser, page: browser.page };
    },
    async close() {
      await browser?.close();
      await p.close();
    },
  };
}
