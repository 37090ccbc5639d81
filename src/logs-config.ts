/**
 * The `logs` part of the config (config.ts): where service logs are kept, for how long,
 * and the sinks every line is also delivered to. MODELDOCK_LOG_* variables map onto it here.
 */
import { Type, type Static } from '@sinclair/typebox';

const MiB = 1024 * 1024;

const Headers = Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'extra HTTP headers, e.g. authorization' }));
const Services = Type.Optional(Type.Array(Type.String(), { description: 'only these services (default all)' }));
const Url = Type.String({ pattern: '^https?://', description: 'http(s) URL' });

export const LogSinkSchema = Type.Union([
  Type.Object(
    { type: Type.Literal('loki'), url: Url, labels: Type.Optional(Type.Record(Type.String(), Type.String())), headers: Headers, services: Services },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('otlp'), url: Url, headers: Headers, services: Services }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('elasticsearch'),
      url: Url,
      index: Type.Optional(Type.String({ minLength: 1, description: 'default modeldock-logs' })),
      headers: Headers,
      services: Services,
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('http'), url: Url, headers: Headers, services: Services }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('file'), path: Type.String({ minLength: 1 }), services: Services }, { additionalProperties: false }),
]);
export type LogSinkConfig = Static<typeof LogSinkSchema>;

export const LogsConfigSchema = Type.Object(
  {
    store: Type.Union([Type.Literal('database'), Type.Literal('memory')], {
      default: 'database',
      description: 'database: kept across restarts, the same on every replica; memory: this process only',
    }),
    maxAgeHours: Type.Number({ exclusiveMinimum: 0, default: 72, description: 'lines older than this are dropped' }),
    maxLinesPerService: Type.Integer({ minimum: 1, default: 100_000, description: "past this, a service's oldest lines are dropped" }),
    maxBytesPerService: Type.Integer({
      minimum: 1024,
      default: 64 * MiB,
      description: "past this (line bytes + 64 each), a service's oldest lines are dropped",
    }),
    flushEveryMs: Type.Integer({ minimum: 10, default: 200, description: 'appended lines are written in batches this often' }),
    pruneEveryMs: Type.Integer({ minimum: 100, default: 60_000, description: 'how often lines past retention are dropped' }),
    sinks: Type.Array(LogSinkSchema, { default: [], description: 'where every line is also delivered (MODELDOCK_LOG_SINKS as JSON)' }),
    sinkBufferLines: Type.Integer({
      minimum: 1,
      default: 10_000,
      description: 'lines held per sink while it is down; past it the oldest are dropped and counted',
    }),
  },
  { default: {} },
);

/** MODELDOCK_LOG_STORE, _LOG_MAX_AGE_HOURS, _LOG_MAX_LINES, _LOG_MAX_MIB, _LOG_SINKS (JSON). */
export function logsFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const v = (k: string) => env[`MODELDOCK_LOG_${k}`];
  const num = (s: string) => (s.trim() === '' ? s : Number(s));
  if (v('STORE') !== undefined) out.store = v('STORE');
  if (v('MAX_AGE_HOURS') !== undefined) out.maxAgeHours = num(v('MAX_AGE_HOURS')!);
  if (v('MAX_LINES') !== undefined) out.maxLinesPerService = num(v('MAX_LINES')!);
  if (v('MAX_MIB') !== undefined) out.maxBytesPerService = Math.round(Number(v('MAX_MIB')) * MiB);
  if (v('SINKS') !== undefined) {
    try {
      out.sinks = JSON.parse(v('SINKS')!);
    } catch {
      out.sinks = v('SINKS');
    }
  }
  return out;
}
