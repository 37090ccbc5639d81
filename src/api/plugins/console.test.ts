import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { consolePluginFor } from './console.js';

let app: FastifyInstance;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-console-'));

beforeAll(async () => {
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not an asset');
  app = await buildApp({ logger: pino({ level: 'silent' }), bodyLimitBytes: 1 << 20, adminToken: 'admin', version: 'test' }, [
    { plugin: consolePluginFor(dir) },
    // a stand-in for the gateway's data plane
    { plugin: async (a) => void a.post('/:service/v1/models/m::predict', async () => ({ predicted: true })) },
  ]);
});

afterAll(async () => {
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('console plugin', () => {
  it('answers / and client routes with index.html and security headers, without the admin token', async () => {
    for (const url of ['/', '/models', '/services/classify', '/services/classify/call', '/tasks/mnist_train', '/resource-groups']) {
      const res = await app.inject({ url });
      expect([url, res.statusCode, res.headers['content-type']]).toEqual([url, 200, 'text/html; charset=utf-8']);
      expect(res.body).toContain('<div id="root">');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets with a long cache, and nothing outside assets/', async () => {
    const js = await app.inject({ url: '/assets/index-abc.js' });
    expect([js.statusCode, js.headers['content-type'], js.body]).toEqual([200, 'text/javascript; charset=utf-8', 'console.log(1)']);
    expect(js.headers['cache-control']).toContain('immutable');
    for (const url of ['/assets/../secret.txt', '/assets/..%2fsecret.txt', '/assets/nope.js']) {
      const res = await app.inject({ url });
      expect([url, res.statusCode, res.json().error.code]).toEqual([url, 404, 'ROUTE_NOT_FOUND']);
    }
  });

  it('never answers for the API or the data plane', async () => {
    const api = await app.inject({ url: '/api/v1/nothing', headers: { authorization: 'Bearer admin' } });
    expect([api.statusCode, api.json().error.code]).toEqual([404, 'ROUTE_NOT_FOUND']);
    expect((await app.inject({ url: '/api/v1/nothing' })).statusCode).toBe(401);
    const predict = await app.inject({ method: 'POST', url: '/services/v1/models/m:predict', payload: {} });
    expect(predict.json()).toEqual({ predicted: true });
    const get = await app.inject({ url: '/services/v1/models/m:predict' });
    expect([get.statusCode, get.headers['content-type']]).toEqual([405, 'application/json; charset=utf-8']);
    expect((await app.inject({ url: '/v2/health/live' })).headers['content-type']).not.toContain('text/html');
  });

  it('says so when the console is not built', async () => {
    const bare = await buildApp({ logger: pino({ level: 'silent' }), bodyLimitBytes: 1 << 20, adminToken: '', version: 'test' }, [
      { plugin: consolePluginFor(path.join(dir, 'missing')) },
    ]);
    const res = await bare.inject({ url: '/' });
    expect([res.statusCode, res.body]).toEqual([503, expect.stringContaining('npm run build')]);
    await bare.close();
  });
});
