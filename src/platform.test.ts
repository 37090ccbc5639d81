import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { startPlatform } from './platform.js';

describe('exposure', () => {
  it('refuses to listen beyond loopback without an admin token; with one, /api needs it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-expose-'));
    const config = (extra: object) => loadConfig({ env: {}, overrides: { dataDir, host: '0.0.0.0', port: 0, logLevel: 'silent', ...extra } });
    await expect(startPlatform(config({}))).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without an admin token: set MODELDOCK_ADMIN_TOKEN/);
    expect(fs.existsSync(path.join(dataDir, 'modeldock.db'))).toBe(false);
    const p = await startPlatform(config({ adminToken: 'open-sesame' }));
    try {
      expect((await fetch(`${p.url}/api/v1/models`)).status).toBe(401);
      expect((await fetch(`${p.url}/api/v1/models`, { headers: { authorization: 'Bearer open-sesame' } })).status).toBe(200);
    } finally {
      await p.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
