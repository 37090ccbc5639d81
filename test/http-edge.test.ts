/**
 * What the HTTP servers answer to bytes no well-behaved client sends — oversized heads,
 * request-smuggling attempts (Transfer-Encoding with Content-Length, bad chunking), bad
 * methods, URLs and header characters, no Host, odd Expect — sent over raw sockets to real
 * listening servers: the platform's (API, and the gateway's front door on the same server)
 * and an instance's. Every answer is the documented JSON error with a stable code, and the
 * connection is closed after it. Also: the gateway closes the connection after a 413.
 */
import type http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataPlane } from '../src/instance/data-plane.js';
import { DEFAULT_IMAGE_POLICY } from '../src/instance/images/image-policy.js';
import { createInstanceMetrics } from '../src/instance/instance-metrics.js';
import { selectRuntime } from '../src/instance/runtimes/select-runtime.js';
import { createInstanceServer } from '../src/instance/server/instance-server.js';
import { buildApp } from '../src/api/app.js';
import { capturingLogger, echo, MemoryDirectory, startGateway, startUpstream, version, type TestGateway, type Upstream } from './gateway-harness.js';
import { tinyInferBody, tinyModelDir } from './gateway-model.js';
import { parseAnswers, rawExchange } from './support/raw-http.js';
import { eventually } from './support/platform.js';

const opened: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const x of opened.reverse()) await x.close();
});

/** A real instance server (tiny ONNX model) in this process, listening on loopback. */
async function startInstanceServer(): Promise<{ port: number; close(): Promise<void> }> {
  const modelDir = tinyModelDir();
  const runtime = await selectRuntime('onnxruntime1.30-node20-cpu', modelDir, DEFAULT_IMAGE_POLICY);
  await runtime.load({ modelDir, modelName: 'tiny', env: {}, threads: 1, maxBatchSize: 1, log: () => undefined });
  const plane = new DataPlane(runtime, { modelName: 'tiny', maxQueueDelayMs: 0, maxQueue: 16 });
  const server = createInstanceServer({
    plane,
    metrics: createInstanceMetrics(() => 0),
    modelName: 'tiny',
    maxBodyBytes: 1024,
    requestTimeoutMs: 5_000,
    log: () => undefined,
    isReady: () => true,
    isDraining: () => false,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
        void runtime.close();
      }),
  };
}

/** Each is refused before any route sees it. `{path}` is a POST route of the server. */
const HOSTILE: [what: string, status: number, code: string, bytes: string][] = [
  ['headers over the limit', 431, 'HEADERS_TOO_LARGE', `GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
  [
    'many headers over the limit',
    431,
    'HEADERS_TOO_LARGE',
    `GET /v2/health/live HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'b'.repeat(60)}\r\n`).join('')}\r\n`,
  ],
  ['a URL over the limit', 431, 'HEADERS_TOO_LARGE', `GET /${'u'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
  [
    'Transfer-Encoding with Content-Length (CL.TE)',
    400,
    'MALFORMED_REQUEST',
    `POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG`,
  ],
  [
    'Content-Length with Transfer-Encoding (TE.CL)',
    400,
    'MALFORMED_REQUEST',
    `POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n`,
  ],
  [
    'two different Content-Lengths',
    400,
    'MALFORMED_REQUEST',
    `POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}xyz`,
  ],
  [
    'a Content-Length that is not a number',
    400,
    'MALFORMED_REQUEST',
    `POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2x\r\n\r\n{}`,
  ],
  ['a negative Content-Length', 400, 'MALFORMED_REQUEST', `POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}`],
  [
    'Transfer-Encoding not ending in chunked',
    400,
    'MALFORMED_REQUEST',
    `POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
  ],
  [
    'an obfuscated Transfer-Encoding',
    400,
    'MALFORMED_REQUEST',
    `POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding : chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
  ],
  [
    'a chunk size that is not hex',
    400,
    'MALFORMED_REQUEST',
    `POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
  ],
  [
    'a chunk without its CRLF',
    400,
    'MALFORMED_REQUEST',
    `POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n`,
  ],
  ['a control character in a header value', 400, 'MALFORMED_REQUEST', `GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n`],
  ['a NUL in a header value', 400, 'MALFORMED_REQUEST', `GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n`],
  ['a space in a header name', 400, 'MALFORMED_REQUEST', `GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX Bad: y\r\n\r\n`],
  ['a folded header line (obs-fold)', 400, 'MALFORMED_REQUEST', `GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX-A: one\r\n two\r\n\r\n`],
  ['an unknown method', 400, 'MALFORMED_REQUEST', `BREW /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n`],
  ['a method with bad characters', 400, 'MALFORMED_REQUEST', `G@T /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n`],
  ['a control character in the URL', 400, 'MALFORMED_REQUEST', `GET /v2/health/\x7flive HTTP/1.1\r\nHost: x\r\n\r\n`],
  ['an unknown HTTP version', 400, 'MALFORMED_REQUEST', `GET /v2/health/live HTTP/7.3\r\nHost: x\r\n\r\n`],
  ['an HTTP/2 preface', 400, 'MALFORMED_REQUEST', `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`],
  ['not HTTP at all', 400, 'MALFORMED_REQUEST', `\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03 TLS hello\r\n\r\n`],
  ['no Host header', 400, 'MALFORMED_REQUEST', `GET /v2/health/live HTTP/1.1\r\n\r\n`],
  [
    'an Expect other than 100-continue',
    417,
    'EXPECTATION_FAILED',
    `POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\n{}`,
  ],
  ['CONNECT', 405, 'METHOD_NOT_ALLOWED', `CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n`],
];

function refusesEveryHostileRequest(surface: string, port: () => number, path: string): void {
  describe(`${surface}: hostile bytes`, () => {
    it.each(HOSTILE)('%s → %i %s, JSON, and the connection closed', async (_what, status, code, bytes) => {
      const x = await rawExchange(port(), bytes.replaceAll('{path}', path));
      expect(x.answers.length, JSON.stringify(x.answers)).toBe(1);
      const [a] = x.answers;
      expect([a!.status, a!.headers['content-type'], a!.headers.connection, a!.headers['x-modeldock-error-code']]).toEqual([
        status,
        'application/json; charset=utf-8',
        'close',
        code,
      ]);
      const body = a!.json();
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error.code).toBe(code);
      expect(body.error.message).toMatch(/\w{3,}/);
      expect(x.closed).toBe(true);
    });

    it('still serves well-formed requests, keep-alive, on the same server', async () => {
      const x = await rawExchange(port(), 'GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\nGET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n', {
        answers: 2,
        untilClosed: false,
      });
      expect(x.answers.map((a) => [a.status, a.json()])).toEqual([
        [200, { live: true }],
        [200, { live: true }],
      ]);
    });
  });
}

let gw: TestGateway;
let upstream: Upstream;
const dir = new MemoryDirectory();
let instancePort = 0;

beforeAll(async () => {
  upstream = await startUpstream(echo('a'));
  opened.push(upstream);
  // the platform's app with the gateway and, standing in for an API plugin, a JSON route that reads its body
  gw = await startGateway(dir, { maxBodyBytes: 1024 }, [{ plugin: async (app) => void app.post('/api/v1/echo', async (req) => ({ got: req.body })) }]);
  opened.push(gw);
  dir.set({ name: 'svc', auth: false, stopped: false, versions: [version('v1', 1, 100, [upstream.url])] });
  const inst = await startInstanceServer();
  opened.push(inst);
  instancePort = inst.port;
});

const gwPort = () => Number(new URL(gw.url).port);

refusesEveryHostileRequest('platform server, gateway front door route', gwPort, '/svc/v1/models/m:predict');
refusesEveryHostileRequest('platform server, API route', gwPort, '/api/v1/echo');
refusesEveryHostileRequest('instance server', () => instancePort, '/v2/models/tiny/infer');

it('a body that breaks after its request was answered gets no second answer, and the connection is closed', async () => {
  const socket = net.connect(gwPort(), '127.0.0.1');
  const got: Buffer[] = [];
  socket.on('data', (c: Buffer) => got.push(c));
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  // no Content-Type: answered 415 before the body is read
  socket.write('POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n');
  await eventually(() => parseAnswers(Buffer.concat(got)).length === 1, 5_000, 'the 415 answer');
  socket.write('zz\r\n');
  await closed;
  expect(parseAnswers(Buffer.concat(got)).map((a) => [a.status, a.json().error.code])).toEqual([[415, 'UNSUPPORTED_MEDIA_TYPE']]);
});

it('a client that goes away mid-body is logged as its fault (400), not as a gateway failure (500)', async () => {
  const before = gw.access.length;
  const socket = net.connect(gwPort(), '127.0.0.1');
  await new Promise<void>((r) =>
    socket.write('POST /svc/v1/models/m:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"images":', () => r()),
  );
  socket.destroy();
  const line = await eventually(() => gw.access.slice(before).find((l) => l.service === 'svc'), 5_000, 'the access line');
  expect([line.status, line.path]).toEqual([400, '/svc/v1/models/m:predict']);
  expect(gw.lines.some((l) => l.includes('"level":50'))).toBe(false);
});

describe('the gateway closes the connection after a 413', () => {
  const post = (path: string, body: string, framing: 'length' | 'chunked') =>
    framing === 'length'
      ? `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
      : `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  const big = JSON.stringify({ images: ['x'.repeat(2000)] });

  it.each([
    ['front door, declared length', '/svc/v1/models/m:predict', 'length'],
    ['front door, chunked', '/svc/v1/models/m:predict', 'chunked'],
    // a trailing slash: not the front door's exact path, so Fastify's gateway route serves it
    ['a Fastify gateway route, declared length', '/svc/v1/models/m:predict/', 'length'],
    ['a Fastify gateway route, chunked', '/svc/v1/models/m:predict/', 'chunked'],
  ] as const)('%s: 413 UPLOAD_TOO_LARGE, Connection: close, and the socket ends', async (_what, path, framing) => {
    const hits = upstream.hits;
    const x = await rawExchange(gwPort(), post(path, big, framing));
    expect(x.answers.map((a) => [a.status, a.json().error?.code, a.headers.connection])).toEqual([[413, 'UPLOAD_TOO_LARGE', 'close']]);
    expect(x.closed).toBe(true);
    expect(upstream.hits).toBe(hits);
  });

  it.each([
    ['front door', '/svc/v1/models/m:predict'],
    ['a Fastify gateway route', '/svc/v1/models/m:predict/'],
  ])('%s: a body declared over the limit is answered and closed without waiting for the rest of it', async (_what, path) => {
    // 2 KB of a declared 100 MB: the server must not hold the connection open to read (or drain) the rest
    const x = await rawExchange(gwPort(), `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n${big}`);
    expect(x.answers.map((a) => [a.status, a.json().error?.code, a.headers.connection])).toEqual([[413, 'UPLOAD_TOO_LARGE', 'close']]);
    expect(x.closed).toBe(true);
  });

  it('keeps the connection for a call within the limit', async () => {
    const x = await rawExchange(gwPort(), post('/svc/v1/models/m:predict', '{}', 'length') + post('/svc/v1/models/m:predict', '{"b":1}', 'length'), {
      answers: 2,
      untilClosed: false,
    });
    expect(x.answers.map((a) => [a.status, a.json().echo, a.headers.connection])).toEqual([
      [200, '{}', 'keep-alive'],
      [200, '{"b":1}', 'keep-alive'],
    ]);
  });
});

describe('the platform server, slow clients', () => {
  it.each([
    ['headers that never end (header timeout)', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a'],
    ['a body that never ends (request timeout)', 'POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":'],
  ])('%s: 408 REQUEST_TIMEOUT in JSON, and the connection closed', async (_what, bytes) => {
    const { log } = capturingLogger();
    const app = await buildApp(
      {
        logger: log,
        bodyLimitBytes: 1024,
        adminToken: '',
        version: 'test',
        timeouts: { headersTimeoutMs: 300, requestTimeoutMs: 600, idleTimeoutMs: 10_000, keepAliveTimeoutMs: 10_000 },
      },
      [{ plugin: async (a) => void a.post('/api/v1/echo', async (req) => ({ got: req.body })) }],
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    opened.push({ close: () => app.close() });
    const x = await rawExchange((app.server.address() as AddressInfo).port, bytes);
    expect(x.answers.map((a) => [a.status, a.json(), a.headers.connection])).toEqual([
      [408, { error: { code: 'REQUEST_TIMEOUT', message: expect.stringMatching(/in time/) } }, 'close'],
    ]);
    expect(x.closed).toBe(true);
  });
});

describe('the platform server, closing', () => {
  it('answers a request that arrives while it closes with 503 UNAVAILABLE in the documented shape', async () => {
    const held: http.ServerResponse[] = [];
    const slow = await startUpstream((_q, res) => held.push(res));
    opened.push(slow);
    const d = new MemoryDirectory();
    d.set({ name: 'slow', auth: false, stopped: false, versions: [version('v1', 1, 100, [slow.url])] });
    d.set({ name: 'svc', auth: false, stopped: false, versions: [version('v1', 1, 100, [upstream.url])] });
    const g = await startGateway(d);
    const port = Number(new URL(g.url).port);
    const call = (path: string, body: string) =>
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const socket = net.connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    socket.on('data', (c: Buffer) => got.push(c));
    const ended = new Promise<void>((r) => socket.on('close', () => r()));
    socket.write(call('/slow/v1/models/m:predict', '{}'));
    await eventually(() => held.length === 1, 5_000, 'the first call held by the instance');
    const closing = g.app.close();
    await eventually(() => !g.app.server.listening, 5_000, 'the server stopped listening');
    // on the busy connection: a hot route, and an API route
    socket.write(call('/svc/v1/models/m:predict', '{}') + call('/api/v1/models', '{}'));
    held[0]!.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    await ended;
    await closing;
    const answers = parseAnswers(Buffer.concat(got));
    expect(answers.map((a) => [a.status, a.json()])).toEqual([
      [200, { ok: true }],
      [503, { error: { code: 'UNAVAILABLE', message: expect.stringMatching(/shutting down/), id: expect.any(String) } }],
    ]);
    expect(answers[1]!.headers.connection).toBe('close');
  });
});

it('the instance refuses a model path that is not valid percent-encoding as a bad request, not a model failure', async () => {
  const x = await rawExchange(instancePort, 'GET /v2/models/%E0%A4%A/ready HTTP/1.1\r\nHost: x\r\n\r\n', { untilClosed: false });
  expect(x.answers.map((a) => [a.status, a.headers['x-modeldock-error-code'] ?? a.json().error.code])).toEqual([[400, 'MALFORMED_REQUEST']]);
});

it('the tiny model answers through the instance server (the surface under test is the real one)', async () => {
  const body = tinyInferBody();
  const x = await rawExchange(
    instancePort,
    `POST /v2/models/tiny/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    { untilClosed: false },
  );
  expect(x.answers[0]!.status).toBe(200);
  expect(x.answers[0]!.json().outputs[0].data).toEqual([0, 0, 1, 2]);
});
