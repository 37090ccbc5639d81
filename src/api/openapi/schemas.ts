/**
 * Response schemas of the answers the plugins do not declare themselves, typed after the
 * contracts (src/contracts/*.ts) they answer. With those the plugins declare (src/api/schemas.ts,
 * tokens, runtimes, templates), they are the document's shared components (COMPONENTS);
 * src/api/openapi/openapi.test.ts validates real answers against them so they cannot drift.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { OIP_DATATYPES } from '../../contracts/oip.js';
import { SERVICE_STATES, INSTANCE_PHASES } from '../../contracts/services.js';
import { TASK_STATES } from '../../contracts/tasks.js';
import { BATCH_INPUT_FORMATS, BATCH_STATES } from '../../contracts/batch.js';
import { ErrorSchema, FileSchema, ModelSchema, VersionSchema, pageOf } from '../schemas.js';
import { RuntimeSchema } from '../plugins/runtimes.js';
import { TemplateSchema } from '../plugins/templates.js';
import { TokenInfoSchema, TokenWithValueSchema } from '../plugins/tokens.js';
import { RolloutSchema } from '../plugins/rollouts.js';

const Str = Type.String();
const Int = Type.Integer();
const Num = Type.Number();
const Stamp = Type.String({ description: 'ISO 8601 time' });
const StampOrNull = Type.Union([Stamp, Type.Null()]);
const Tags = Type.Record(Type.String(), Type.String());
const Open = (description: string) => Type.Object({}, { additionalProperties: true, description });
const oneOf = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const ServiceState = oneOf(SERVICE_STATES);
const TaskState = oneOf(TASK_STATES);

const ServiceVersionSchema = Type.Object({
  id: Str,
  seq: Type.Integer({ description: '1, 2, … within the service' }),
  model: Str,
  modelVersion: Str,
  runtime: Str,
  weight: Num,
  status: ServiceState,
  reason: Type.Optional(Str),
  readyInstances: Int,
  desiredInstances: Int,
  spec: Open('the version spec as given (ServiceVersionSpec), with defaults filled in'),
  schedule: Type.Optional(Open('with schedules: the rule in force (active) and the next firing (next)')),
  createdAt: Stamp,
});

const Count = Type.Integer({ minimum: 0 });
/** Shadow traffic (docs/shadow.md): the service's shadow and this replica's counts of it. */
const ShadowStateSchema = Type.Object({
  version: Type.Integer({ description: 'the version number that gets the copies' }),
  percent: Type.Number({ description: 'the share of calls copied to it, 0–100' }),
  stats: Type.Object(
    {
      mirrored: Count,
      inflight: Count,
      skipped: Count,
      dropped: Count,
      errors: Type.Object({ status: Count, timeout: Count, unreachable: Count }),
      compared: Type.Object({ match: Count, mismatch: Count, uncompared: Count }),
      latency: Type.Object({ p50Ms: Type.Union([Num, Type.Null()]), p99Ms: Type.Union([Num, Type.Null()]), samples: Count }),
    },
    { description: "what this replica's gateway counted since it started" },
  ),
});

const ServiceSchema = Type.Object({
  name: Str,
  description: Str,
  tags: Tags,
  billingMode: oneOf(['postpaid', 'prepaid']),
  resourceGroup: Type.Optional(Str),
  auth: Type.Boolean({ description: 'whether calls need a service token' }),
  status: ServiceState,
  reason: Type.Optional(Str),
  versions: Type.Array(ServiceVersionSchema),
  shadow: Type.Optional(ShadowStateSchema),
  url: Str,
  createdAt: Stamp,
  updatedAt: Stamp,
});

const InstanceSchema = Type.Object({
  id: Str,
  service: Str,
  versionId: Str,
  phase: oneOf(INSTANCE_PHASES),
  ready: Type.Boolean(),
  restarts: Int,
  startedAt: StampOrNull,
  node: Str,
  lastExitReason: Type.Optional(Str),
});

const EventSchema = Type.Object({ type: oneOf(['Normal', 'Warning']), reason: Str, message: Str, object: Str, firstAt: Stamp, lastAt: Stamp, count: Int });
const ServiceLogLineSchema = Type.Object({
  seq: Int,
  ts: Stamp,
  service: Str,
  instanceId: Type.Optional(Str),
  version: Type.Optional(Str),
  stream: oneOf(['stdout', 'stderr', 'access']),
  level: oneOf(['debug', 'info', 'warn', 'error']),
  line: Str,
});
const NumOrNull = Type.Union([Num, Type.Null()]);
const MetricsSchema = Type.Object({
  window: Str,
  points: Type.Array(Type.Object({ ts: Stamp, qps: Num, errors: Num, p50Ms: NumOrNull, p99Ms: NumOrNull, readyInstances: Num, batchSize: NumOrNull })),
});
const CallExampleSchema = Type.Object({ protocol: oneOf(['tione', 'kserve-v1', 'oip-v2']), url: Str, body: Type.Unknown() });
const CallInfoSchema = Type.Object({
  url: Str,
  method: Type.Literal('POST'),
  headers: Tags,
  auth: Type.Boolean(),
  curl: Str,
  example: Type.Unknown(),
  kind: Type.Optional(Str),
  examples: Type.Array(CallExampleSchema),
  oip: Type.Object({ infer: Str, metadata: Str, ready: Str }),
  kserve: Type.Object({ predict: Str }),
  versionRouting: Type.Optional(Type.Object({ header: Str, versions: Type.Array(Int) })),
  grpc: Type.Optional(Type.Object({ address: Str, service: Str, proto: Str, grpcurl: Str, python: Str })),
});
const Capacity = Type.Object({ cpuMillicores: Num, memoryMiB: Num, gpu: Num });
const ResourceGroupSchema = Type.Object({ name: Str, capacity: Capacity, used: Capacity, services: Type.Array(Str), createdAt: Stamp });

const TaskRunSchema = Type.Object({
  run: Int,
  state: TaskState,
  reason: Type.Optional(Str),
  exitCode: Type.Optional(Type.Union([Int, Type.Null()])),
  createdAt: Stamp,
  startedAt: StampOrNull,
  finishedAt: StampOrNull,
  outputPath: Str,
  metrics: Type.Union([Open('metrics.json from the output'), Type.Null()]),
});
const TaskSchema = Type.Object({
  name: Str,
  description: Str,
  runtime: Str,
  code: Open('where the code comes from (type example | storage | upload) and its path'),
  command: Str,
  inputs: Tags,
  output: Str,
  env: Tags,
  resources: Open('cpu, memory, gpu'),
  timeoutMs: Num,
  tags: Tags,
  state: TaskState,
  reason: Type.Optional(Str),
  createdAt: Stamp,
  updatedAt: Stamp,
  latestRun: TaskRunSchema,
  runs: Type.Optional(Type.Array(TaskRunSchema)),
});
const TaskLogsSchema = Type.Object(
  { items: Type.Array(Type.Object({ seq: Int, ts: Stamp, run: Int, stream: oneOf(['stdout', 'stderr', 'system']), line: Str })) },
  { additionalProperties: true, description: 'poll with after=cursor; done when the run ended and every line was read' },
);
const TaskOutputsSchema = Type.Object({ run: Int, state: TaskState, path: Str, items: Type.Array(Type.Object({ path: Str, size: Int, storagePath: Str })) });
const TaskExampleSchema = Type.Object({ name: Str, description: Str, runtime: Str, command: Str, inputs: Tags });

const Tensor = Type.Object({ name: Str, datatype: oneOf(OIP_DATATYPES), shape: Type.Array(Int) });
const OipModelMetadataSchema = Type.Object({
  name: Str,
  versions: Type.Optional(Type.Array(Str)),
  platform: Str,
  inputs: Type.Array(Tensor),
  outputs: Type.Array(Tensor),
});
const OipInferRequestSchema = Type.Object({
  id: Type.Optional(Str),
  parameters: Type.Optional(Open('request parameters')),
  inputs: Type.Array(
    Type.Object({
      name: Str,
      shape: Type.Array(Int),
      datatype: oneOf(OIP_DATATYPES),
      parameters: Type.Optional(Open('input parameters')),
      data: Type.Optional(Type.Array(Type.Unknown())),
    }),
  ),
  outputs: Type.Optional(Type.Array(Type.Object({ name: Str, parameters: Type.Optional(Open('output parameters')) }))),
});
const OipInferResponseSchema = Type.Object({
  model_name: Str,
  model_version: Type.Optional(Str),
  id: Type.Optional(Str),
  parameters: Type.Optional(Open('response parameters')),
  outputs: Type.Array(
    Type.Object({
      name: Str,
      shape: Type.Array(Int),
      datatype: oneOf(OIP_DATATYPES),
      parameters: Type.Optional(Open('output parameters')),
      data: Type.Optional(Type.Array(Type.Unknown())),
    }),
  ),
});
const OipErrorSchema = Type.Object({
  error: Type.String({ description: 'the message' }),
  code: Type.String({ description: 'the stable code (docs/errors.md)' }),
  id: Type.Optional(Str),
  details: Type.Optional(Type.Unknown()),
});

const items = (s: TSchema) => Type.Object({ items: Type.Array(s) });

/** Batch prediction jobs (src/contracts/batch.ts, docs/batch.md). */
const IntOrNull = Type.Union([Int, Type.Null()]);
const BatchJobSchema = Type.Object({
  name: Str,
  description: Str,
  model: Str,
  modelVersion: Str,
  runtime: Str,
  input: Type.Object({ path: Str, format: oneOf(BATCH_INPUT_FORMATS) }),
  output: Str,
  instances: Int,
  resources: Open('cpu, memory, gpu of each instance'),
  batching: Type.Object({ maxBatchSize: Int, maxQueueDelayMs: Int }),
  concurrency: Int,
  recordsPerRequest: Type.Integer({ description: 'images per request (images format)' }),
  maxErrorRatio: Num,
  env: Tags,
  billingMode: oneOf(['postpaid', 'prepaid']),
  resourceGroup: Type.Optional(Str),
  tags: Tags,
  state: oneOf(BATCH_STATES),
  reason: Type.Optional(Str),
  stopRequested: Type.Boolean(),
  progress: Type.Object({
    total: IntOrNull,
    done: Int,
    succeeded: Int,
    failed: Int,
    ratePerSecond: Type.Union([Num, Type.Null()], { description: 'inputs per second over the running time' }),
    etaSeconds: IntOrNull,
    percent: Type.Union([Num, Type.Null()]),
  }),
  outputs: Type.Object({
    results: Type.String({ description: 'the folder of results part files (JSONL)' }),
    summary: Type.String({ description: 'summary.json, written when the job ends' }),
  }),
  createdAt: Stamp,
  startedAt: StampOrNull,
  finishedAt: StampOrNull,
});

/** Payload capture (src/contracts/capture.ts, docs/capture.md). */
const CapturedBodySchema = Type.Object({
  contentType: Type.Optional(Str),
  size: Type.Integer({ description: "the whole body's size in bytes" }),
  encoding: oneOf(['utf8', 'base64']),
  body: Type.String({ description: 'the body (its first maxBodyBytes when truncated): text, or base64 for binary bodies' }),
  truncated: Type.Optional(Type.Literal(true)),
  headerLength: Type.Optional(Type.String({ description: 'OIP v2 binary tensors: Inference-Header-Content-Length' })),
});
const CaptureItemSchema = Type.Object({
  ts: Stamp,
  service: Str,
  version: Int,
  versionId: Str,
  instance: Type.Optional(Str),
  op: oneOf(['predict', 'infer']),
  method: Str,
  path: Str,
  status: Int,
  latencyMs: Num,
  errorCode: Type.Optional(Str),
  request: CapturedBodySchema,
  response: CapturedBodySchema,
  file: Type.String({ description: 'the capture file holding it (…/capture-files/{file})' }),
});
const CaptureFileSchema = Type.Object({ file: Str, version: Int, size: Int, startedAt: Stamp });

/** Shared component schemas by name (`#/components/schemas/<name>`; in route schemas `<name>#`). */
export const COMPONENTS: Record<string, TSchema> = {
  Error: ErrorSchema,
  File: FileSchema,
  Model: ModelSchema,
  ModelPage: pageOf(ModelSchema),
  ModelWithVersions: Type.Intersect([ModelSchema, Type.Object({ versions: Type.Array(VersionSchema) })]),
  ModelVersion: VersionSchema,
  ModelVersionList: items(VersionSchema),
  FileList: items(FileSchema),
  RuntimeList: items(RuntimeSchema),
  StorageList: items(Type.Object({ path: Str, size: Int })),
  StoredObject: Type.Object({ path: Str, size: Int }, { additionalProperties: true }),
  Service: ServiceSchema,
  ServicePage: Type.Object({ items: Type.Array(ServiceSchema), total: Int, offset: Int, limit: Int }),
  ServiceVersion: ServiceVersionSchema,
  ServiceDeleting: Type.Object({ name: Str, status: Type.Literal('Deleting') }),
  InstanceList: items(InstanceSchema),
  EventList: items(EventSchema),
  ServiceLogs: Type.Object({ items: Type.Array(ServiceLogLineSchema) }, { additionalProperties: true }),
  ServiceMetrics: MetricsSchema,
  CallInfo: CallInfoSchema,
  Rollout: RolloutSchema,
  CapturePage: Type.Object({ items: Type.Array(CaptureItemSchema), nextCursor: Type.Optional(Str) }),
  CaptureFileList: items(CaptureFileSchema),
  TokenInfo: TokenInfoSchema,
  TokenList: items(TokenInfoSchema),
  TokenWithValue: TokenWithValueSchema,
  ResourceGroup: ResourceGroupSchema,
  ResourceGroupList: items(ResourceGroupSchema),
  Usage: Open('metered usage per day and its cost from the price table'),
  TemplateList: items(TemplateSchema),
  Task: TaskSchema,
  BatchJob: BatchJobSchema,
  BatchJobPage: Type.Object({ items: Type.Array(BatchJobSchema), total: Int, offset: Int, limit: Int }),
  TaskPage: Type.Object({ items: Type.Array(TaskSchema), total: Int, offset: Int, limit: Int }),
  TaskLogs: TaskLogsSchema,
  TaskOutputs: TaskOutputsSchema,
  TaskExampleList: items(TaskExampleSchema),
  DatasetList: Type.Object({ items: Type.Array(Open('a built-in dataset')) }),
  Cluster: Open('this replica, its role and the current leader'),
  OipServerMetadata: Type.Object({ name: Str, version: Str, extensions: Type.Array(Str) }),
  OipModelMetadata: OipModelMetadataSchema,
  OipInferRequest: OipInferRequestSchema,
  OipInferResponse: OipInferResponseSchema,
  OipError: OipErrorSchema,
  ModelReady: Type.Object({ name: Str, ready: Type.Boolean() }),
  Live: Type.Object({ live: Type.Boolean() }),
  Ready: Type.Object({ ready: Type.Boolean() }),
  Predict: Type.Unknown({ description: "the model's own JSON answer (TI-ONE / KServe v1 predict)" }),
};
