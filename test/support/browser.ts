/**
 * For console tests: Debian's /usr/bin/chromium driven by playwright-core (one browser per
 * test file), a fresh profile, and screenshots under test-artifacts/screenshots/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.MODELDOCK_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve('test-artifacts/screenshots');

export interface ConsoleBrowser {
  context: BrowserContext;
  page: Page;
  /** saves test-artifacts/screenshots/<name>.png (the whole page) */
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openConsole(baseURL: string, opts: { width?: number; height?: number; lang?: 'en' | 'zh' } = {}): Promise<ConsoleBrowser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup.sh (it installs Debian's chromium)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
    baseURL,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    locale: opts.lang === 'zh' ? 'zh-CN' : 'en-US',
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    context,
    page,
    async shot(name) {
      const file = path.join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
      if (errors.length) throw new Error(`uncaught errors in the console: ${errors.join('; ')}`);
    },
  };
}
