/**
 * Config: one schema with defaults, filled from flags and MODELDOCK_* variables in one
 * place (`loadConfig`), validated at start, then frozen (STYLE.md §8).
 */
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { LogsConfigSchema, logsFromEnv } from './logs-config.js';

const MiB = 1024 * 1024;

export const ConfigSchema = Type.Object({
  host: Type.String({ default: '127.0.0.1', description: 'address the platform listens on' }),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  grpcPort: Type.Union([Type.Integer({ minimum: 0, maximum: 65535 }), Type.Literal('any')], {
    default: 8081,
    description: 'port of the OIP v2 gRPC data plane (inference.GRPCInferenceService); 0 turns it off, "any" takes a free one (the default when port is 0)',
  }),
  dataDir: Type.String({ default: '.modeldock', description: 'where the embedded database and blobs live' }),
  databaseUrl: Type.String({ default: '', description: 'sqlite:<file> (default: <dataDir>/modeldock.db) or postgres://…' }),
  blobUrl: Type.String({
    default: '',
    pattern: '^(|file://.+|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?)$',
    description: 'file://<dir> (default: <dataDir>/blobs) or s3://<bucket>[/<prefix>]',
  }),
  s3: Type.Object(
    {
      endpoint: Type.String({ default: '', pattern: '^(|https?://.+)$', description: 'S3-compatible endpoint (MinIO, COS); empty: AWS for the region' }),
      region: Type.String({ default: 'us-east-1' }),
      forcePathStyle: Type.Boolean({ default: false, description: 'http://host/bucket/key instead of http://bucket.host/key (MinIO needs it)' }),
      accessKeyId: Type.String({ default: '', description: 'AWS_ACCESS_KEY_ID; empty: the SDK default chain (IRSA, instance profile)' }),
      secretAccessKey: Type.String({ default: '', description: 'AWS_SECRET_ACCESS_KEY' }),
      sessionToken: Type.String({ default: '', description: 'AWS_SESSION_TOKEN (temporary credentials)' }),
      multipartPartMiB: Type.Integer({ minimum: 5, maximum: 5120, default: 16, description: 'objects larger than this are uploaded in parts of this size' }),
    },
    { default: {}, description: 'used when blobUrl is s3://…' },
  ),
  instanceBackend: Type.Union([Type.Literal('local'), Type.Literal('kubernetes')], {
    default: 'local',
    description: 'where service instances run: child processes here, or Deployments in a Kubernetes namespace',
  }),
  kubernetes: Type.Object(
    {
      namespace: Type.String({ default: 'modeldock', pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$', description: 'namespace of the instance Deployments' }),
      image: Type.String({ default: 'modeldock:latest', minLength: 1, description: 'the modeldock image instances run (deploy/kubernetes/Dockerfile)' }),
      configMap: Type.String({
        default: 'modeldock-config',
        description: "ConfigMap with MODELDOCK_BLOB_URL and MODELDOCK_S3_* for the instances' init container",
      }),
      secret: Type.String({ default: 'modeldock-s3', description: 'Secret with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (optional)' }),
      prometheusUrl: Type.String({
        default: 'http://prometheus-operated.monitoring.svc:9090',
        description: 'Prometheus the KEDA triggers of exported manifests query',
      }),
    },
    { default: {}, description: 'instance backend "kubernetes", and `modeldock services manifests`' },
  ),
  importRoots: Type.Array(Type.String(), {
    default: [],
    description: 'local folders a storage import may read from (file:///…); none by default',
  }),
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  adminToken: Type.String({ default: '', description: 'required on /api when set' }),
  pythonPath: Type.String({ default: '/usr/bin/python3' }),
  leaseTtlMs: Type.Integer({
    minimum: 500,
    default: 10_000,
    description: 'replicas on one database: the leader renews its lease at a third of this; another replica takes over after it lapses',
  }),
  gateway: Type.Object(
    {
      requestTimeoutMs: Type.Integer({ minimum: 100, default: 60_000, description: 'per call, gateway → instance' }),
      wakeTimeoutMs: Type.Integer({ minimum: 100, default: 30_000, description: 'how long a call waits for a scaled-to-zero service to start' }),
    },
    { default: {} },
  ),
  http: Type.Object(
    {
      headersTimeoutMs: Type.Integer({ minimum: 100, default: 30_000, description: "a request's headers must arrive within this (slowloris guard)" }),
      requestTimeoutMs: Type.Integer({
        minimum: 100,
        default: 900_000,
        description: 'a whole request, body included, must arrive within this (bounds uploads)',
      }),
      idleTimeoutMs: Type.Integer({ minimum: 100, default: 120_000, description: 'a connection with no traffic for this long is closed' }),
      keepAliveTimeoutMs: Type.Integer({ minimum: 100, default: 72_000, description: 'an idle keep-alive connection is closed after this' }),
    },
    { default: {}, description: "client connection limits of the platform's HTTP server" },
  ),
  logs: LogsConfigSchema,
  tracing: Type.Object(
    {
      otlpUrl: Type.Optional(
        Type.String({ pattern: '^https?://', description: 'an OTLP/HTTP traces endpoint (e.g. http://collector:4318/v1/traces); unset: tracing off' }),
      ),
    },
    { default: {}, description: 'OpenTelemetry traces of gateway calls and their instance hops (docs/observability.md), off by default' },
  ),
  prices: Type.Object(
    {
      currency: Type.String({ default: 'CNY' }),
      cpuCoreHour: Type.Number({ minimum: 0, default: 0.12 }),
      memoryGiBHour: Type.Number({ minimum: 0, default: 0.016 }),
      gpuHour: Type.Number({ minimum: 0, default: 8 }),
    },
    { default: {}, description: 'postpaid price table (MODELDOCK_PRICES as JSON)' },
  ),
  limits: Type.Object(
    {
      maxUploadBytes: Type.Integer({ minimum: 1, default: 4096 * MiB }),
      maxJsonBodyBytes: Type.Integer({ minimum: 1024, default: 8 * MiB }),
      maxArchiveEntries: Type.Integer({ minimum: 1, default: 10_000 }),
      maxArchiveBytes: Type.Integer({ minimum: 1, default: 8192 * MiB }),
      maxArchiveRatio: Type.Integer({ minimum: 1, default: 200 }),
      /** files smaller than this are verified in full before they are sent */
      verifyBeforeSendBytes: Type.Integer({ minimum: 0, default: 64 * MiB }),
    },
    { default: {} },
  ),
});

export type Config = Readonly<Static<typeof ConfigSchema>>;

export interface ConfigFlags {
  host?: string;
  port?: number | string;
  dataDir?: string;
  grpcPort?: number | string;
}

/** Maps MODELDOCK_* variables onto the config's shape (only those set). */
function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const limits: Record<string, unknown> = {};
  const num = (v: string) => (v.trim() === '' || Number.isNaN(Number(v)) ? v : Number(v));
  const set = (name: string, fn: (v: string) => void) => {
    const v = env[`MODELDOCK_${name}`];
    if (v !== undefined) fn(v);
  };
  set('HOST', (v) => (out.host = v));
  set('PORT', (v) => (out.port = num(v)));
  set('GRPC_PORT', (v) => (out.grpcPort = v.trim() === 'any' ? 'any' : num(v)));
  set('DATA_DIR', (v) => (out.dataDir = v));
  set('DATABASE_URL', (v) => (out.databaseUrl = v));
  set('BLOB_URL', (v) => (out.blobUrl = v));
  set('IMPORT_ROOTS', (v) => (out.importRoots = v.split(path.delimiter).filter(Boolean)));
  set('LOG_LEVEL', (v) => (out.logLevel = v));
  set('INSTANCE_BACKEND', (v) => (out.instanceBackend = v));
  set('OTLP_TRACES_URL', (v) => (out.tracing = { otlpUrl: v }));
  const kube: Record<string, unknown> = {};
  set('K8S_NAMESPACE', (v) => (kube.namespace = v));
  set('K8S_IMAGE', (v) => (kube.image = v));
  set('K8S_CONFIGMAP', (v) => (kube.configMap = v));
  set('K8S_SECRET', (v) => (kube.secret = v));
  set('K8S_PROMETHEUS_URL', (v) => (kube.prometheusUrl = v));
  if (Object.keys(kube).length) out.kubernetes = kube;
  const s3: Record<string, unknown> = {};
  set('S3_ENDPOINT', (v) => (s3.endpoint = v));
  set('S3_REGION', (v) => (s3.region = v));
  set('S3_FORCE_PATH_STYLE', (v) => (s3.forcePathStyle = v === 'true' || v === '1' ? true : v === 'false' || v === '0' || v === '' ? false : v));
  set('S3_PART_MIB', (v) => (s3.multipartPartMiB = num(v)));
  // credentials under the names every S3 tool reads
  if (env.AWS_REGION !== undefined && s3.region === undefined) s3.region = env.AWS_REGION;
  if (env.AWS_ACCESS_KEY_ID !== undefined) s3.accessKeyId = env.AWS_ACCESS_KEY_ID;
  if (env.AWS_SECRET_ACCESS_KEY !== undefined) s3.secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (env.AWS_SESSION_TOKEN !== undefined) s3.sessionToken = env.AWS_SESSION_TOKEN;
  if (Object.keys(s3).length) out.s3 = s3;
  set('ADMIN_TOKEN', (v) => (out.adminToken = v));
  set('PYTHON', (v) => (out.pythonPath = v));
  set('LEASE_TTL_MS', (v) => (out.leaseTtlMs = num(v)));
  set('REQUEST_TIMEOUT_MS', (v) => (out.gateway = { ...(out.gateway as object), requestTimeoutMs: num(v) }));
  set('WAKE_TIMEOUT_MS', (v) => (out.gateway = { ...(out.gateway as object), wakeTimeoutMs: num(v) }));
  const http: Record<string, unknown> = {};
  set('HTTP_HEADERS_TIMEOUT_MS', (v) => (http.headersTimeoutMs = num(v)));
  set('HTTP_REQUEST_TIMEOUT_MS', (v) => (http.requestTimeoutMs = num(v)));
  set('HTTP_IDLE_TIMEOUT_MS', (v) => (http.idleTimeoutMs = num(v)));
  if (Object.keys(http).length) out.http = http;
  set('PRICES', (v) => {
    try {
      out.prices = JSON.parse(v);
    } catch {
      out.prices = v;
    }
  });
  set('MAX_UPLOAD_MIB', (v) => (limits.maxUploadBytes = Math.round(Number(v) * MiB)));
  set('MAX_ARCHIVE_MIB', (v) => (limits.maxArchiveBytes = Math.round(Number(v) * MiB)));
  set('MAX_ARCHIVE_RATIO', (v) => (limits.maxArchiveRatio = num(v)));
  set('MAX_ARCHIVE_ENTRIES', (v) => (limits.maxArchiveEntries = num(v)));
  if (Object.keys(limits).length) out.limits = limits;
  const logs = logsFromEnv(env);
  if (Object.keys(logs).length) out.logs = logs;
  return out;
}

export class ConfigError extends Error {}

/**
 * Builds the effective config: defaults ← environment ← flags ← overrides (tests).
 * Throws ConfigError listing every invalid field.
 */
export function loadConfig(opts: { flags?: ConfigFlags; env?: NodeJS.ProcessEnv; overrides?: Partial<Record<keyof Config, unknown>> } = {}): Config {
  const env = fromEnv(opts.env ?? process.env);
  const flags: Record<string, unknown> = {};
  if (opts.flags?.host !== undefined) flags.host = opts.flags.host;
  if (opts.flags?.port !== undefined) flags.port = Number(opts.flags.port);
  if (opts.flags?.dataDir !== undefined) flags.dataDir = opts.flags.dataDir;
  if (opts.flags?.grpcPort !== undefined) flags.grpcPort = String(opts.flags.grpcPort).trim() === 'any' ? 'any' : Number(opts.flags.grpcPort);
  const raw: Record<string, unknown> = { ...env, ...flags, ...(opts.overrides ?? {}) };
  // any free HTTP port (tests, the demo): any free gRPC port too, unless one is named
  if (raw.grpcPort === undefined && raw.port === 0) raw.grpcPort = 'any';
  raw.limits = { ...((env.limits as object) ?? {}), ...((opts.overrides?.limits as object) ?? {}) };
  raw.s3 = { ...((env.s3 as object) ?? {}), ...((opts.overrides?.s3 as object) ?? {}) };
  raw.kubernetes = { ...((env.kubernetes as object) ?? {}), ...((opts.overrides?.kubernetes as object) ?? {}) };
  raw.logs = { ...((env.logs as object) ?? {}), ...((opts.overrides?.logs as object) ?? {}) };

  const withDefaults = Value.Default(ConfigSchema, raw) as Record<string, unknown>;
  const errors = [...Value.Errors(ConfigSchema, withDefaults)];
  if (errors.length) {
    const lines = errors.map((e) => `${e.path || '/'}: ${e.message} (got ${JSON.stringify(e.value)})`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const cfg = withDefaults as Static<typeof ConfigSchema>;
  cfg.dataDir = path.resolve(cfg.dataDir);
  if (!cfg.databaseUrl) cfg.databaseUrl = `sqlite:${path.join(cfg.dataDir, 'modeldock.db')}`;
  if (!cfg.blobUrl) cfg.blobUrl = `file://${path.join(cfg.dataDir, 'blobs')}`;
  cfg.importRoots = cfg.importRoots.map((r) => path.resolve(r));
  if (!cfg.s3.accessKeyId !== !cfg.s3.secretAccessKey) {
    throw new ConfigError(
      'invalid configuration:\n  /s3: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (then the SDK default chain is used)',
    );
  }
  return deepFreeze(cfg);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** A URL with its password (if any) replaced, for showing: postgres://u:***@host/db. */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** The config as `doctor` shows it: the admin token, database password and S3 secrets masked. */
export function describeConfig(cfg: Config): Record<string, unknown> {
  const masked = (v: string) => (v ? '(set)' : '(not set)');
  return {
    ...cfg,
    databaseUrl: withoutPassword(cfg.databaseUrl),
    adminToken: masked(cfg.adminToken),
    s3: { ...cfg.s3, secretAccessKey: masked(cfg.s3.secretAccessKey), sessionToken: masked(cfg.s3.sessionToken) },
    // a sink's headers may carry its credentials
    logs: {
      ...cfg.logs,
      sinks: cfg.logs.sinks.map((s) =>
        'headers' in s && s.headers ? { ...s, headers: Object.fromEntries(Object.keys(s.headers).map((k) => [k, '(set)'])) } : s,
      ),
    },
  };
}
