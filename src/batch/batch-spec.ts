/** The create-batch-job request: schema (API validation + OpenAPI), its defaults, and the stored spec. */
import { Type, type Static } from '@sinclair/typebox';
import { BATCH_INPUT_FORMATS } from '../contracts/batch.js';
import { NAME_PATTERN } from '../contracts/names.js';
import { ENV_MAX_ENTRIES } from '../contracts/process-input.js';
import type { ResourcesSpec } from '../contracts/services.js';
import { TagsSchema } from '../models/version-spec.js';

const Int = (min: number, max: number, extra: object = {}) => Type.Integer({ minimum: min, maximum: max, ...extra });

export const BatchJobSpecSchema = Type.Object(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: '1–60 letters, digits, _ or -, starting with a letter or digit' }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    model: Type.String({ minLength: 1, maxLength: 60 }),
    modelVersion: Type.Union([Type.String({ pattern: '^[vV]?[1-9][0-9]{0,8}$' }), Type.Integer({ minimum: 1 })], { description: 'v1, 1, …' }),
    input: Type.Object(
      {
        path: Type.String({ minLength: 1, maxLength: 1024, description: 'a folder of images, or a .jsonl / .csv file, in the object store' }),
        format: Type.Optional(
          Type.Union(
            BATCH_INPUT_FORMATS.map((f) => Type.Literal(f)),
            { description: 'default: jsonl for *.jsonl, csv for *.csv, else images' },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    output: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1024, description: 'object-store folder for the results; default <input>.<name>.out beside the input' }),
    ),
    instances: Type.Optional(Int(1, 64)),
    resources: Type.Optional(
      Type.Object({ cpuMillicores: Int(100, 64_000), memoryMiB: Int(64, 512 * 1024), gpu: Type.Optional(Int(0, 16)) }, { additionalProperties: false }),
    ),
    batching: Type.Optional(Type.Object({ maxBatchSize: Int(1, 1024), maxQueueDelayMs: Int(0, 10_000) }, { additionalProperties: false })),
    concurrency: Type.Optional(Int(1, 1024, { description: 'requests in flight per instance; default 2 × maxBatchSize' })),
    recordsPerRequest: Type.Optional(
      Int(1, 256, { description: 'images format: this many images in one request ({"images": [k]}, the answer split back); default 1' }),
    ),
    maxErrorRatio: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'the job fails once more than this share of its inputs failed; default 0.1' }),
    ),
    env: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 4096 }), { maxProperties: ENV_MAX_ENTRIES })),
    billingMode: Type.Optional(Type.Union([Type.Literal('postpaid'), Type.Literal('prepaid')])),
    resourceGroup: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    tags: Type.Optional(TagsSchema),
  },
  { additionalProperties: false },
);

export type BatchJobSpecInput = Static<typeof BatchJobSpecSchema>;

/** What the job row keeps as JSON beside its columns. */
export interface StoredBatchSpec {
  instances: number;
  resources: ResourcesSpec;
  batching: { maxBatchSize: number; maxQueueDelayMs: number };
  concurrency: number;
  /** images per request (images format); absent in jobs stored before it existed: 1 */
  recordsPerRequest?: number;
  maxErrorRatio: number;
  env: Record<string, string>;
  tags: Record<string, string>;
}

export const BATCH_DEFAULTS = {
  instances: 1,
  resources: { cpuMillicores: 1_000, memoryMiB: 1_024 },
  batching: { maxBatchSize: 16, maxQueueDelayMs: 5 },
  maxErrorRatio: 0.1,
  output: (input: string, name: string) => `${input}.${name}.out`,
} as const;

export function storedSpec(s: BatchJobSpecInput): StoredBatchSpec {
  const batching = s.batching ?? BATCH_DEFAULTS.batching;
  return {
    instances: s.instances ?? BATCH_DEFAULTS.instances,
    resources: s.resources ?? BATCH_DEFAULTS.resources,
    batching,
    concurrency: s.concurrency ?? Math.max(2, 2 * batching.maxBatchSize),
    recordsPerRequest: s.recordsPerRequest ?? 1,
    maxErrorRatio: s.maxErrorRatio ?? BATCH_DEFAULTS.maxErrorRatio,
    env: s.env ?? {},
    tags: s.tags ?? {},
  };
}
