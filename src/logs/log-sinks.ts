/**
 * Log sinks: how a batch of lines is sent to each kind of receiver operators run, in that
 * receiver's own protocol — Loki's push API (JSON), an OpenTelemetry collector (OTLP/HTTP
 * logs, JSON encoding), Elasticsearch/OpenSearch `_bulk` (NDJSON), a plain NDJSON POST, or
 * a local file (NDJSON, appended). Retrying and dropping is delivery-queue.ts's job.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { LogSinkConfig } from '../logs-config.js';
import type { LogLevel } from '../contracts/service-ops.js';
import type { NewLogLine } from './log-store.js';

export interface SendResult {
  /** lines the receiver answered it will not take (sending them again would not help) */
  rejected: number;
}

export interface SinkTransport {
  /** bounded label for metrics: `loki`, `otlp`, `elasticsearch`, `http`, `file` (with `-N` when several) */
  readonly name: string;
  /** only these services (undefined: all) */
  readonly services?: readonly string[];
  send(lines: readonly NewLogLine[]): Promise<SendResult>;
}

/** A failure worth trying again (the receiver is down, slow, or says 429/5xx). */
export class RetryableError extends Error {}

const nanos = (ts: string) => `${BigInt(Date.parse(ts)) * 1_000_000n}`;
const withPath = (url: string, p: string) => {
  const u = new URL(url);
  if (u.pathname === '/' || u.pathname === '') u.pathname = p;
  return u.toString();
};
const ndjson = (lines: readonly NewLogLine[]) =>
  lines
    .map((l) => JSON.stringify({ ts: l.ts, service: l.service, version: l.version, instance: l.instanceId, stream: l.stream, level: l.level, line: l.line }))
    .join('\n') + '\n';

/** Loki push API: one stream per label set (service, version, instance, level, stream). */
export function lokiBody(lines: readonly NewLogLine[], extra: Record<string, string> = {}): string {
  const streams = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
  for (const l of lines) {
    const stream: Record<string, string> = { ...extra, service: l.service, level: l.level ?? 'info', stream: l.stream };
    if (l.version) stream.version = l.version;
    if (l.instanceId) stream.instance_id = l.instanceId;
    const key = JSON.stringify(stream);
    let s = streams.get(key);
    if (!s) streams.set(key, (s = { stream, values: [] }));
    s.values.push([nanos(l.ts), l.line]);
  }
  return JSON.stringify({ streams: [...streams.values()] });
}

const SEVERITY: Record<LogLevel, number> = { debug: 5, info: 9, warn: 13, error: 17 };
const attr = (key: string, v: string) => ({ key, value: { stringValue: v } });

/** OTLP/HTTP logs (JSON encoding): one resource per service version. */
export function otlpBody(lines: readonly NewLogLine[]): string {
  const byResource = new Map<string, { service: string; version?: string; records: unknown[] }>();
  for (const l of lines) {
    const key = `${l.service}\u0000${l.version ?? ''}`;
    let r = byResource.get(key);
    if (!r) byResource.set(key, (r = { service: l.service, version: l.version, records: [] }));
    const level = l.level ?? 'info';
    r.records.push({
      timeUnixNano: nanos(l.ts),
      observedTimeUnixNano: nanos(l.ts),
      severityNumber: SEVERITY[level],
      severityText: level.toUpperCase(),
      body: { stringValue: l.line },
      attributes: [attr('log.iostream', l.stream), ...(l.instanceId ? [attr('service.instance.id', l.instanceId)] : [])],
    });
  }
  return JSON.stringify({
    resourceLogs: [...byResource.values()].map((r) => ({
      resource: { attributes: [attr('service.name', r.service), ...(r.version ? [attr('service.version', r.version)] : [])] },
      scopeLogs: [{ scope: { name: 'modeldock' }, logRecords: r.records }],
    })),
  });
}

/** Elasticsearch/OpenSearch `_bulk`: a `create` action per line (works with data streams). */
export function bulkBody(lines: readonly NewLogLine[], index: string): string {
  const action = JSON.stringify({ create: { _index: index } });
  return (
    lines
      .map(
        (l) =>
          `${action}\n${JSON.stringify({ '@timestamp': l.ts, message: l.line, service: l.service, version: l.version, instance_id: l.instanceId, stream: l.stream, level: l.level })}`,
      )
      .join('\n') + '\n'
  );
}

async function post(url: string, body: string, contentType: string, headers: Record<string, string> = {}): Promise<Response> {
  let r: Response;
  try {
    r = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body, signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    throw new RetryableError(`${url}: ${(e as Error).message}`);
  }
  if (r.status === 429 || r.status >= 500) {
    await r.body?.cancel();
    throw new RetryableError(`${url}: HTTP ${r.status}`);
  }
  return r;
}

/** A 2xx took every line; any other answer is the receiver refusing them. */
async function settle(r: Response, n: number): Promise<SendResult> {
  const text = await r.text();
  return { rejected: r.ok ? 0 : n, ...(r.ok ? {} : { detail: text.slice(0, 200) }) };
}

export function sinkTransport(c: LogSinkConfig, name: string, dataDir: string): SinkTransport {
  const base = { name, services: c.services };
  switch (c.type) {
    case 'loki':
      return {
        ...base,
        send: async (ls) => settle(await post(withPath(c.url, '/loki/api/v1/push'), lokiBody(ls, c.labels), 'application/json', c.headers), ls.length),
      };
    case 'otlp':
      return { ...base, send: async (ls) => settle(await post(withPath(c.url, '/v1/logs'), otlpBody(ls), 'application/json', c.headers), ls.length) };
    case 'http':
      return { ...base, send: async (ls) => settle(await post(c.url, ndjson(ls), 'application/x-ndjson', c.headers), ls.length) };
    case 'elasticsearch':
      return {
        ...base,
        send: async (ls) => {
          const r = await post(withPath(c.url, '/_bulk'), bulkBody(ls, c.index ?? 'modeldock-logs'), 'application/x-ndjson', c.headers);
          if (!r.ok) return settle(r, ls.length);
          // a 200 may still refuse some documents, one by one
          const a = (await r.json()) as { errors?: boolean; items?: Record<string, { status?: number }>[] };
          return { rejected: a.errors ? (a.items ?? []).filter((i) => (Object.values(i)[0]?.status ?? 200) >= 300).length : 0 };
        },
      };
    case 'file': {
      const file = path.resolve(dataDir, c.path);
      return {
        ...base,
        send: async (ls) => {
          try {
            await fsp.mkdir(path.dirname(file), { recursive: true });
            await fsp.appendFile(file, ndjson(ls));
          } catch (e) {
            throw new RetryableError(`${file}: ${(e as Error).message}`);
          }
          return { rejected: 0 };
        },
      };
    }
  }
}
