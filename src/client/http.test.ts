/** The SDK's transport against a real HTTP server: errors as ModeldockError, timeouts, the token, queries, streamed bodies. */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModeldockError } from './errors.js';
import { HttpClient } from './http.js';

let server: http.Server;
let base: string;
const seen: { url?: string; auth?: string; length?: string; body?: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => (body += b.toString()));
    req.on('end', () => {
      seen.push({ url: req.url, auth: req.headers.authorization, length: req.headers['content-length'], body });
      if (req.url?.startsWith('/slow')) return; // never answers
      if (req.url === '/missing')
        return res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'MODEL_NOT_FOUND', message: 'no model "x"', details: { name: 'x' } } }));
      if (req.url === '/v2/x')
        return res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'no ready instance', code: 'NO_READY_INSTANCE' }));
      if (req.url === '/html') return res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
      if (req.url === '/notjson') return res.writeHead(200).end('hello');
      if (req.url === '/empty') return res.writeHead(204).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const failure = async (p: Promise<unknown>): Promise<ModeldockError> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModeldockError);
  return e as ModeldockError;
};

describe('HttpClient', () => {
  it('turns both error shapes into ModeldockError with code and status, and anything else into HTTP_<status>', async () => {
    const c = new HttpClient({ baseUrl: base });
    expect(await failure(c.json('GET', '/missing'))).toMatchObject({ code: 'MODEL_NOT_FOUND', status: 404, message: 'no model "x"', details: { name: 'x' } });
    expect(await failure(c.json('GET', '/v2/x'))).toMatchObject({ code: 'NO_READY_INSTANCE', status: 503 });
    expect(await failure(c.json('GET', '/html'))).toMatchObject({ code: 'HTTP_502', status: 502 });
    expect(await failure(c.json('GET', '/notjson'))).toMatchObject({ code: 'INVALID_RESPONSE', status: 200 });
    expect(await c.json('DELETE', '/empty')).toBeUndefined();
  });

  it('gives up after timeoutMs with TIMEOUT, and says UNREACHABLE when nothing listens', async () => {
    const started = Date.now();
    expect(await failure(new HttpClient({ baseUrl: base, timeoutMs: 200 }).json('GET', '/slow'))).toMatchObject({ code: 'TIMEOUT', status: 0 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await failure(new HttpClient({ baseUrl: base }).json('GET', '/slow', { timeoutMs: 100 }))).toMatchObject({ code: 'TIMEOUT' });
    const closed = await new Promise<number>((r) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => r(port));
      });
    });
    expect(await failure(new HttpClient({ baseUrl: `http://127.0.0.1:${closed}` }).json('GET', '/'))).toMatchObject({ code: 'UNREACHABLE', status: 0 });
  });

  it('sends the token (read on each call), the query with repeated keys, and a streamed body with its length', async () => {
    let token = 'a';
    const c = new HttpClient({ baseUrl: `${base}/`, token: () => token });
    await c.json('GET', '/q', { query: { tag: ['k=v', 'x=y'], limit: 5, none: undefined, flag: true } });
    token = 'b';
    async function* chunks() {
      yield new TextEncoder().encode('hello ');
      yield new TextEncoder().encode('world');
    }
    await c.json('POST', '/up', { body: { data: chunks(), length: 11, contentType: 'text/plain' } });
    expect(seen.slice(-2)).toEqual([
      { url: '/q?tag=k%3Dv&tag=x%3Dy&limit=5&flag=true', auth: 'Bearer a', length: undefined, body: '' },
      { url: '/up', auth: 'Bearer b', length: '11', body: 'hello world' },
    ]);
  });
});
