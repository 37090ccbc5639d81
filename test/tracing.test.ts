/**
 * OpenTelemetry traces (issue 19 §3), on when `tracing.otlpUrl` is set: a call through the
 * gateway gives a gateway span and an instance span, exported over OTLP/HTTP (JSON) to a
 * real receiver this test runs, in one trace, the instance's the child of the gateway's
 * (the gateway sends it `traceparent`), which continues the caller's trace.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import { call } from './gateway-harness.js';
import { tinyInferBody, tinyReluOnnx } from './gateway-model.js';
import { eventually } from './support/platform.js';
import { multipart } from './support/multipart.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}
interface Received {
  service: string;
  span: OtlpSpan;
}

const received: Received[] = [];
let receiver: http.Server;
let p: Platform;

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  // OTLP/JSON may write an int as a number or a string
  const x = v?.stringValue ?? v?.intValue;
  return x === undefined ? undefined : String(x);
};

beforeAll(async () => {
  // a small OTLP/HTTP receiver: POST /v1/traces with the JSON encoding
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      expect(req.url).toBe('/v1/traces');
      expect(req.headers['content-type']).toBe('application/json');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const rs of body.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const ss of rs.scopeSpans) for (const span of ss.spans) received.push({ service, span });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const otlpUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-tracing-'));
  p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent', tracing: { otlpUrl } } }), { reconcilePeriodMs: 200 });
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true }) },
    { name: 'f', filename: 'model.onnx', data: tinyReluOnnx() },
  ]);
  await fetch(`${p.url}/api/v1/models/tiny/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
  await eventually(
    async () => ((await (await fetch(`${p.url}/api/v1/models/tiny/versions/v1`)).json()) as { status: string }).status === 'ready',
    30_000,
    'import',
  );
  const version = { model: 'tiny', modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 512 }, scaling: { mode: 'manual', instances: 1 } };
  await fetch(`${p.url}/api/v1/services`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'traced', version }),
  });
  await eventually(async () => (await call(`${p.url}/v2/models/traced/infer`, { body: tinyInferBody() })).status === 200, 60_000, 'traced answers');
});

afterAll(async () => {
  await p?.close();
  receiver?.close();
});

/** The gateway span and the instance span of the trace, once both came. */
const spansOf = (traceId: string) =>
  eventually(
    () => {
      const mine = received.filter((r) => r.span.traceId === traceId);
      const gateway = mine.find((r) => r.service === 'modeldock-gateway');
      const instance = mine.find((r) => r.service === 'modeldock-instance');
      return gateway && instance ? { gateway: gateway.span, instance: instance.span } : undefined;
    },
    15_000,
    `both spans of trace ${traceId}`,
  );

describe('OpenTelemetry traces', () => {
  it("a call with a traceparent gives a gateway span (its child) and an instance span (the gateway's child)", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const r = await call(`${p.url}/v2/models/traced/infer`, { body: tinyInferBody(), headers: { traceparent: `00-${traceId}-${callerSpan}-01` } });
    expect(r.status).toBe(200);
    const { gateway, instance } = await spansOf(traceId);
    expect(gateway.parentSpanId).toBe(callerSpan);
    expect(instance.parentSpanId).toBe(gateway.spanId);
    expect(gateway.name).toBe('gateway infer');
    expect(instance.name).toBe('instance infer');
    expect(attr(gateway, 'modeldock.service')).toBe('traced');
    expect(attr(gateway, 'modeldock.version')).toBe('1');
    expect(attr(gateway, 'modeldock.instance')).toBe(attr(instance, 'modeldock.instance'));
    expect(attr(gateway, 'http.response.status_code')).toBe('200');
  });

  it('a call without one starts a trace at the gateway', async () => {
    const before = new Set(received.map((r) => r.span.traceId));
    expect((await call(`${p.url}/v2/models/traced/infer`, { body: tinyInferBody() })).status).toBe(200);
    const fresh = await eventually(
      () => received.find((r) => r.service === 'modeldock-gateway' && !before.has(r.span.traceId) && !r.span.parentSpanId),
      15_000,
      'a new trace',
    );
    const { gateway, instance } = await spansOf(fresh.span.traceId);
    expect(instance.parentSpanId).toBe(gateway.spanId);
  });
});
