/**
 * Slow clients (issue #8): slowloris connections that trickle their headers or their body
 * are cut off by the header and request timeouts, and while they hang on, other callers
 * of the API and of a service are answered as usual.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, load } from './gateway-harness.js';
import { tinyInferBody } from './gateway-model.js';
import { api, platformWithTiny, running, tinyVersion, type ReliabilityPlatform } from './support/reliability.js';

let rp: ReliabilityPlatform;
const TIMEOUTS = { headersTimeoutMs: 1_000, requestTimeoutMs: 2_500, idleTimeoutMs: 5_000, keepAliveTimeoutMs: 5_000 };

beforeAll(async () => {
  rp = await platformWithTiny({ http: TIMEOUTS });
  await api(rp.base, 'POST', '/api/v1/services', { name: 'steady', version: tinyVersion() });
  await running(rp.base, 'steady');
});
afterAll(async () => {
  await rp?.close();
});

interface Slow {
  /** resolves with what the server sent back and when it closed the socket (ms after opening) */
  closed: Promise<{ ms: number; answer: string }>;
  stop(): void;
}

/** Opens a connection that sends `head` and then one byte of `trickle` every `everyMs`. */
function slowConnection(port: number, head: string, trickle: string, everyMs: number): Slow {
  const t0 = Date.now();
  const sock = net.connect(port, '127.0.0.1');
  let answer = '';
  let i = 0;
  const timer = setInterval(() => {
    if (!sock.destroyed && !sock.writableEnded) sock.write(trickle[i++ % trickle.length]!);
  }, everyMs);
  sock.on('connect', () => sock.write(head));
  sock.on('data', (b) => (answer += b.toString()));
  sock.on('error', () => undefined);
  const closed = new Promise<{ ms: number; answer: string }>((resolve) =>
    sock.on('close', () => {
      clearInterval(timer);
      resolve({ ms: Date.now() - t0, answer });
    }),
  );
  return {
    closed,
    stop() {
      clearInterval(timer);
      sock.destroy();
    },
  };
}

const port = () => Number(new URL(rp.base).port);

describe('slow clients', () => {
  it('cuts off a connection trickling its headers after the header timeout', async () => {
    const slow = slowConnection(port(), 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n', 100);
    const { ms, answer } = await slow.closed;
    expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.headersTimeoutMs - 100);
    expect(ms).toBeLessThan(TIMEOUTS.headersTimeoutMs + 3_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts off a connection trickling a declared body after the request timeout, on the API and the data plane', async () => {
    const paths = ['POST /api/v1/models', 'POST /v2/models/steady/infer'];
    const slows = paths.map((p) =>
      slowConnection(port(), `${p} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"name":"`, 'a', 100),
    );
    for (const s of slows) {
      const { ms, answer } = await s.closed;
      expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.requestTimeoutMs - 100);
      expect(ms).toBeLessThan(TIMEOUTS.requestTimeoutMs + 3_000);
      expect(answer).toMatch(/^(HTTP\/1\.1 408|)/);
    }
    // nothing was created by the cut-off request
    expect((await api(rp.base, 'GET', '/api/v1/models')).body.items.map((m: { name: string }) => m.name)).toEqual(['tiny']);
  });

  it('keeps answering other callers while 100 slowloris connections hang on', async () => {
    const slows = Array.from({ length: 100 }, (_, i) =>
      i % 2 === 0
        ? slowConnection(port(), 'GET /api/v1/models HTTP/1.1\r\nHost: x\r\n', 'X-A: b\r\n', 200)
        : slowConnection(port(), 'POST /v2/models/steady/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 50000\r\n\r\n', '[', 200),
    );
    try {
      const t0 = Date.now();
      const statuses = await load(400, 8, async (i) => {
        if (i % 4 === 0) return (await api(rp.base, 'GET', '/api/v1/services/steady')).status;
        return (await call(`${rp.base}/v2/models/steady/infer`, { body: tinyInferBody() })).status;
      });
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      // the calls were not held up behind the slow connections (they run long before the timeouts)
      expect(Date.now() - t0).toBeLessThan(TIMEOUTS.requestTimeoutMs * 4);
      const closed = await Promise.all(slows.map((s) => s.closed));
      expect(closed.every((c) => c.ms < TIMEOUTS.requestTimeoutMs + 3_000)).toBe(true);
    } finally {
      for (const s of slows) s.stop();
    }
  });
});
