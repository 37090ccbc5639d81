/** Request schemas for services (API validation + OpenAPI), with their defaults. */
import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { CAPTURE_DEFAULT_MAX_BODY_BYTES, CAPTURE_MAX_BODY_BYTES_LIMIT } from '../contracts/capture.js';
import { NAME_PATTERN } from '../contracts/names.js';
import { ENV_MAX_ENTRIES, ENV_MAX_TOTAL_BYTES, SERVICE_RESERVED_ENV } from '../contracts/process-input.js';
import type { ServiceVersionSpec } from '../contracts/services.js';
import { ShadowPatchSchema } from './shadow-spec.js';

const Int = (min: number, max: number, extra: object = {}) => Type.Integer({ minimum: min, maximum: max, ...extra });

const ProbeSchema = Type.Object(
  {
    path: Type.Optional(
      Type.String({
        pattern: "^/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$",
        maxLength: 200,
        description: 'an URL path on the instance (no spaces or control characters)',
      }),
    ),
    initialDelayMs: Type.Optional(Int(0, 600_000)),
    periodMs: Type.Optional(Int(100, 600_000)),
    timeoutMs: Type.Optional(Int(50, 60_000)),
    failureThreshold: Type.Optional(Int(1, 100)),
  },
  { additionalProperties: false },
);

/** A version's payload capture (docs/capture.md); PUT …/versions/{v}/capture takes it alone, without a restart. */
export const CaptureSpecSchema = Type.Object(
  {
    percent: Type.Number({ minimum: 0, maximum: 100, description: "share of the version's calls captured (0 = off, 100 = every call)" }),
    maxBodyBytes: Type.Optional(
      Int(0, CAPTURE_MAX_BODY_BYTES_LIMIT, {
        description: `each body is cut to this many bytes and marked truncated (default ${CAPTURE_DEFAULT_MAX_BODY_BYTES})`,
      }),
    ),
  },
  { additionalProperties: false },
);

export const VersionSpecSchema = Type.Object(
  {
    model: Type.String({ pattern: NAME_PATTERN }),
    modelVersion: Type.String({ pattern: '^(v?[0-9]{1,9}|latest)$', description: 'v1, 1 or latest' }),
    resources: Type.Object(
      { cpuMillicores: Int(100, 64_000), memoryMiB: Int(64, 512 * 1024), gpu: Type.Optional(Int(0, 16)) },
      { additionalProperties: false },
    ),
    scaling: Type.Union([
      Type.Object({ mode: Type.Literal('manual'), instances: Int(0, 64) }, { additionalProperties: false }),
      Type.Object(
        {
          mode: Type.Literal('auto'),
          minInstances: Int(0, 64),
          maxInstances: Int(1, 64),
          metric: Type.Union([Type.Literal('qps-per-instance'), Type.Literal('concurrency'), Type.Literal('cpu-util')]),
          target: Type.Number({ exclusiveMinimum: 0 }),
          scaleUpStabilizationMs: Type.Optional(Int(0, 3_600_000)),
          scaleDownStabilizationMs: Type.Optional(Int(0, 3_600_000)),
          idleToZeroMs: Type.Optional(Int(1000, 86_400_000)),
        },
        { additionalProperties: false },
      ),
    ]),
    env: Type.Optional(
      Type.Record(Type.String(), Type.String({ maxLength: 8192 }), {
        maxProperties: ENV_MAX_ENTRIES,
        description: `instance environment: names of letters, digits and _ (not starting with a digit, not one the platform sets: ${Object.keys(SERVICE_RESERVED_ENV).join(', ')}); values without NUL bytes; ${ENV_MAX_TOTAL_BYTES} bytes in all`,
      }),
    ),
    batching: Type.Optional(Type.Object({ maxBatchSize: Int(1, 1024), maxQueueDelayMs: Int(0, 10_000) }, { additionalProperties: false })),
    probes: Type.Optional(Type.Object({ readiness: Type.Optional(ProbeSchema), liveness: Type.Optional(ProbeSchema) }, { additionalProperties: false })),
    rollingUpdate: Type.Optional(Type.Object({ maxSurge: Int(0, 64), maxUnavailable: Int(0, 64) }, { additionalProperties: false })),
    limits: Type.Optional(
      Type.Object({ maxRequestsPerSecond: Type.Optional(Int(1, 1_000_000)), maxConcurrency: Type.Optional(Int(1, 100_000)) }, { additionalProperties: false }),
    ),
    logDelivery: Type.Optional(
      Type.Union([
        Type.Object({ type: Type.Literal('off') }, { additionalProperties: false }),
        Type.Object(
          { type: Type.Literal('file'), path: Type.String({ minLength: 1, maxLength: 1024, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }) },
          { additionalProperties: false },
        ),
        Type.Object(
          {
            type: Type.Union([Type.Literal('http'), Type.Literal('loki'), Type.Literal('otlp')]),
            url: Type.String({ pattern: '^https?://', maxLength: 2048 }),
          },
          { additionalProperties: false },
        ),
        Type.Object(
          {
            type: Type.Literal('elasticsearch'),
            url: Type.String({ pattern: '^https?://', maxLength: 2048 }),
            index: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
          },
          { additionalProperties: false },
        ),
      ]),
    ),
    terminationGracePeriodMs: Type.Optional(Int(0, 600_000)),
    startupTimeoutMs: Type.Optional(Int(1000, 3_600_000)),
    capture: Type.Optional(CaptureSpecSchema),
    weight: Type.Optional(Int(0, 100, { description: 'traffic weight of this version (new versions of a running service default to 0)' })),
    schedules: Type.Optional(
      Type.Array(
        Type.Object(
          {
            cron: Type.String({
              minLength: 1,
              maxLength: 100,
              description: 'when the rule fires: 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first, e.g. "0 9 * * 1-5"',
            }),
            timeZone: Type.Optional(
              Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone the cron is read in (default UTC), e.g. Asia/Shanghai' }),
            ),
            minInstances: Type.Optional(Int(0, 64)),
            maxInstances: Type.Optional(Int(1, 64)),
          },
          { additionalProperties: false },
        ),
        {
          maxItems: 20,
          description: "scheduled scaling (auto scaling only): from each firing, the rule's min/max replace the scaling bounds until another rule fires",
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type VersionSpecInput = Static<typeof VersionSpecSchema>;

export const ServiceCreateSchema = Type.Object(
  {
    name: Type.String({ pattern: NAME_PATTERN }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    tags: Type.Optional(Type.Record(Type.String({ pattern: '^[^\\u0000-\\u001f]{1,63}$' }), Type.String({ maxLength: 255 }), { additionalProperties: false })),
    billingMode: Type.Optional(Type.Union([Type.Literal('postpaid'), Type.Literal('prepaid')], { default: 'postpaid' })),
    resourceGroup: Type.Optional(Type.String({ pattern: NAME_PATTERN })),
    auth: Type.Optional(Type.Boolean({ default: false })),
    version: VersionSpecSchema,
  },
  { additionalProperties: false },
);
export type ServiceCreate = Static<typeof ServiceCreateSchema>;

const TagKey = Type.String({ pattern: '^[^\\u0000-\\u001f]{1,63}$' });

/**
 * PATCH /api/v1/services/{name}: JSON merge patch (RFC 7396) on the service's own fields.
 * A field left out is kept; `description: null` clears it; `tags` merges key by key, a key
 * set to null is removed and `tags: null` removes them all; `shadow` (shadow traffic,
 * docs/shadow.md) merges into the current one and `shadow: null` turns it off. Name,
 * billing and versions are not changed here.
 */
export const ServicePatchSchema = Type.Object(
  {
    description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
    tags: Type.Optional(
      Type.Union([Type.Record(TagKey, Type.Union([Type.String({ maxLength: 255 }), Type.Null()]), { additionalProperties: false }), Type.Null()]),
    ),
    auth: Type.Optional(Type.Boolean({ description: 'calls need a service token (Authorization: Bearer <token>)' })),
    shadow: Type.Optional(ShadowPatchSchema),
  },
  { additionalProperties: false },
);
export type ServicePatch = Static<typeof ServicePatchSchema>;
/** The most tags a service keeps after a patch. */
export const MAX_SERVICE_TAGS = 50;

export const WeightsSchema = Type.Object(
  {
    weights: Type.Array(Type.Object({ version: Type.Union([Type.String(), Type.Integer()]), weight: Int(0, 100) }, { additionalProperties: false }), {
      minItems: 1,
    }),
  },
  { additionalProperties: false },
);

export const ActionSchema = Type.Object(
  {
    action: Type.Union([Type.Literal('stop'), Type.Literal('resume'), Type.Literal('scale')]),
    instances: Type.Optional(Int(0, 64)),
    version: Type.Optional(Type.Union([Type.String(), Type.Integer()], { description: 'which version to scale (default: every version with weight > 0)' })),
  },
  { additionalProperties: false },
);

/** The spec as stored: defaults applied, modelVersion a number in text. */
export function withDefaults(input: VersionSpecInput, modelVersion: number): ServiceVersionSpec {
  const { weight: _w, ...rest } = input;
  return {
    ...rest,
    modelVersion: `v${modelVersion}`,
    env: input.env ?? {},
    rollingUpdate: input.rollingUpdate ?? { maxSurge: 1, maxUnavailable: 0 },
    logDelivery: input.logDelivery ?? { type: 'off' },
    terminationGracePeriodMs: input.terminationGracePeriodMs ?? 30_000,
    startupTimeoutMs: input.startupTimeoutMs ?? 120_000,
  };
}

export function initialInstances(spec: ServiceVersionSpec): number {
  return spec.scaling.mode === 'manual' ? spec.scaling.instances : Math.max(spec.scaling.minInstances, 0);
}

/** What shapes an instance: the model version it serves, its runtime and its version's spec. */
export interface InstanceShape {
  model: string;
  modelVersion: number;
  runtime: string;
  spec: ServiceVersionSpec;
}

/**
 * A hash of what shapes an instance; scaling, limits and log delivery change without a
 * restart. The reconciler stamps it on instances and the Kubernetes manifests carry the same.
 */
export function specHash(v: InstanceShape): string {
  const s = v.spec;
  const shape = [v.model, v.modelVersion, v.runtime, s.resources, s.env, s.batching, s.probes, s.startupTimeoutMs];
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}
