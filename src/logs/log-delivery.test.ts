/**
 * Log delivery against small real receivers started here (node:http), each decoding what
 * its protocol sends: Loki push (JSON), OTLP/HTTP logs (JSON), Elasticsearch `_bulk`
 * (NDJSON), plain NDJSON, and a file. A receiver that is down and comes back gets the
 * lines (retried with backoff); one that stays down costs dropped lines, counted, and
 * `accept` never waits.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { eventually } from '../../test/support/platform.js';
import { LogDelivery } from './log-delivery.js';
import type { NewLogLine } from './log-store.js';

interface Received {
  path: string;
  contentType?: string;
  auth?: string;
  body: string;
}

const servers: http.Server[] = [];
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
});

/** A receiver on `port` (0: any) that records each request and answers `answer(req)`. */
async function receiver(answer: (r: Received) => { status: number; body?: string } = () => ({ status: 200 }), port = 0) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const r = { path: req.url ?? '', contentType: req.headers['content-type'], auth: req.headers.authorization, body };
      const a = answer(r);
      if (a.status < 300) got.push(r);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body ?? '{}');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    got,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((r) => server.close(r)),
  };
}

const line = (n: number, more: Partial<NewLogLine> = {}): NewLogLine => ({
  ts: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  service: 'talk',
  version: 'v2',
  instanceId: 'i-1',
  stream: 'stdout',
  level: 'info',
  line: `line ${n}`,
  ...more,
});
const log = createLogger('silent');
const metric = async (reg: Registry, name: string, labels: string) => {
  const m = (await reg.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? []).filter((v) => JSON.stringify(v.labels).includes(labels)).reduce((n, v) => n + Number(v.value), 0);
};

describe('log delivery to sinks', () => {
  it('sends each protocol what its receiver decodes', async () => {
    const [loki, otlp, es, nd] = [
      await receiver(),
      await receiver(),
      await receiver((r) => ({
        status: 200,
        body: JSON.stringify({
          errors: false,
          items: r.body
            .trim()
            .split('\n')
            .filter((_, i) => i % 2 === 0)
            .map(() => ({ create: { status: 201 } })),
        }),
      })),
      await receiver(),
    ];
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-sink-')), 'logs', 'all.ndjson');
    const registry = new Registry();
    const d = new LogDelivery(log, {
      registry,
      flushEveryMs: 20,
      sinks: [
        { type: 'loki', url: loki.url, labels: { env: 'test' }, headers: { authorization: 'Bearer loki-token' } },
        { type: 'otlp', url: otlp.url },
        { type: 'elasticsearch', url: es.url, index: 'mdlogs' },
        { type: 'http', url: `${nd.url}/ingest`, services: ['talk'] },
        { type: 'file', path: file },
      ],
    });
    d.start();
    d.accept(line(1));
    d.accept(line(2, { level: 'error', stream: 'stderr', line: 'boom' }));
    d.accept(line(3, { service: 'other' }));
    await eventually(() => loki.got.length && otlp.got.length && es.got.length && nd.got.length && fs.existsSync(file), 10_000, 'every sink');
    await d.stop();

    expect(loki.got[0]).toMatchObject({ path: '/loki/api/v1/push', contentType: 'application/json', auth: 'Bearer loki-token' });
    const streams = (JSON.parse(loki.got[0]!.body) as { streams: { stream: Record<string, string>; values: [string, string][] }[] }).streams;
    expect(streams.find((s) => s.stream.level === 'error')).toEqual({
      stream: { env: 'test', service: 'talk', level: 'error', stream: 'stderr', version: 'v2', instance_id: 'i-1' },
      values: [[`${Date.UTC(2026, 0, 1, 0, 0, 2)}000000`, 'boom']],
    });
    expect(streams.flatMap((s) => s.values.map((v) => v[1])).sort()).toEqual(['boom', 'line 1', 'line 3']);

    expect(otlp.got[0]!.path).toBe('/v1/logs');
    const rl = (
      JSON.parse(otlp.got[0]!.body) as {
        resourceLogs: { resource: { attributes: { key: string; value: { stringValue: string } }[] }; scopeLogs: { logRecords: Record<string, unknown>[] }[] }[];
      }
    ).resourceLogs;
    const talk = rl.find((r) => r.resource.attributes.some((a) => a.key === 'service.name' && a.value.stringValue === 'talk'))!;
    expect(talk.resource.attributes).toContainEqual({ key: 'service.version', value: { stringValue: 'v2' } });
    expect(talk.scopeLogs[0]!.logRecords[1]).toMatchObject({
      severityNumber: 17,
      severityText: 'ERROR',
      body: { stringValue: 'boom' },
      timeUnixNano: `${Date.UTC(2026, 0, 1, 0, 0, 2)}000000`,
    });
    expect(rl).toHaveLength(2);

    expect(es.got[0]).toMatchObject({ path: '/_bulk', contentType: 'application/x-ndjson' });
    const bulk = es.got[0]!.body.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(bulk[0]).toEqual({ create: { _index: 'mdlogs' } });
    expect(bulk[3]).toMatchObject({ '@timestamp': line(2).ts, message: 'boom', service: 'talk', level: 'error', instance_id: 'i-1' });
    expect(bulk).toHaveLength(6);

    expect(nd.got[0]).toMatchObject({ path: '/ingest', contentType: 'application/x-ndjson' });
    expect(
      nd.got[0]!.body.trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { line: string }).line),
    ).toEqual(['line 1', 'boom']);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(await metric(registry, 'modeldock_log_lines_delivered_total', '"sink":"loki"')).toBe(3);
  });

  it("sends a service's lines to its version's own sink too (logDelivery: loki)", async () => {
    const loki = await receiver();
    const d = new LogDelivery(log, { flushEveryMs: 20 });
    d.start();
    const spec = JSON.stringify({ logDelivery: { type: 'loki', url: loki.url } });
    d.update({ services: [{ id: 's1', name: 'talk' }], versions: [{ service_id: 's1', spec }], instances: [] } as never);
    d.accept(line(1));
    d.accept(line(2, { service: 'quiet' }));
    await eventually(() => loki.got.length, 10_000, 'the version sink');
    await d.stop();
    const values = (JSON.parse(loki.got[0]!.body) as { streams: { values: [string, string][] }[] }).streams.flatMap((x) => x.values.map((v) => v[1]));
    expect(values).toEqual(['line 1']);
  });

  it('retries a receiver that was down until it is back, then delivers every line in order', async () => {
    const r0 = await receiver();
    await r0.close(); // its port, nobody listening now
    const registry = new Registry();
    const d = new LogDelivery(log, { registry, flushEveryMs: 10, baseBackoffMs: 20, maxBackoffMs: 100, sinks: [{ type: 'http', url: r0.url }] });
    d.start();
    for (let n = 1; n <= 50; n++) d.accept(line(n));
    await eventually(async () => (await metric(registry, 'modeldock_log_delivery_failures_total', 'http')) >= 3, 10_000, 'retries');
    // back, but saying 503 at first: still retried
    let busy = 2;
    const back = await receiver(() => (busy-- > 0 ? { status: 503 } : { status: 200 }), r0.port);
    await eventually(() => back.got.length > 0, 10_000, 'delivered once back');
    await d.stop();
    expect(
      back.got.flatMap((g) =>
        g.body
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { line: string }).line),
      ),
    ).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i + 1}`));
    expect(await metric(registry, 'modeldock_log_lines_dropped_total', 'http')).toBe(0);
  });

  it('drops and counts the oldest lines for a receiver that stays down, and accept never waits', async () => {
    const r0 = await receiver();
    await r0.close();
    const bad = await receiver(() => ({ status: 400, body: '{"error":"bad labels"}' }));
    const registry = new Registry();
    const d = new LogDelivery(log, {
      registry,
      flushEveryMs: 10,
      baseBackoffMs: 20,
      maxBackoffMs: 50,
      bufferLines: 100,
      sinks: [
        { type: 'loki', url: r0.url },
        { type: 'http', url: bad.url },
      ],
    });
    d.start();
    for (let n = 1; n <= 10_000; n++) d.accept(line(n));
    // synchronously: all but the newest (at most 100, at least 7/8 of it) already dropped by the down one
    const dropped = await metric(registry, 'modeldock_log_lines_dropped_total', '"sink":"loki","reason":"overflow"');
    expect(dropped).toBeGreaterThanOrEqual(9_900);
    expect(dropped).toBeLessThanOrEqual(10_000 - 87);
    await eventually(
      async () => (await metric(registry, 'modeldock_log_lines_dropped_total', '"sink":"http","reason":"rejected"')) > 0,
      10_000,
      'a refusing receiver drops, not retries',
    );
    await eventually(async () => (await metric(registry, 'modeldock_log_delivery_failures_total', 'loki')) >= 2, 10_000, 'retries go on');
    expect(bad.got).toHaveLength(0);
    await d.stop();
  });
});
