/**
 * What the API answers about running services — logs, metrics, call info, call tokens and
 * resource groups — shared by the API (which produces them), the CLI and the console.
 */

/** GET /api/v1/services/{name}/logs → {items: ServiceLogLine[]} */
export interface ServiceLogLine {
  /** cursor: pass the last one seen as `after` */
  seq: number;
  ts: string;
  service: string;
  instanceId?: string;
  /** the version that wrote it (`v2`), when known */
  version?: string;
  stream: 'stdout' | 'stderr' | 'access';
  level: LogLevel;
  line: string;
}

/** A log line's level: from a JSON line's `level`, a leading level word, or its stream. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** GET /api/v1/services/{name}/metrics → {window, points: MetricsPoint[]}, one per 10 s, oldest first */
export interface MetricsPoint {
  ts: string;
  qps: number;
  /** 5xx answers in the bucket */
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
  readyInstances: number;
  /** mean rows per batch the instances ran in this bucket; null when they ran none */
  batchSize: number | null;
}

/** What serves a model version's package (the runtime and its files decide). */
export type PackageKind = 'onnx-image' | 'onnx' | 'tiinfer' | 'kserve' | 'node-handler';

/** One call that works for the service: where to POST which JSON body. */
export interface CallExample {
  protocol: 'tione' | 'kserve-v1' | 'oip-v2';
  url: string;
  body: unknown;
}

/**
 * A data-plane request header naming the service version to serve the call (`2` or `v2`),
 * bypassing the traffic weights: for testing a version before it gets traffic. A version
 * in the path (`/v2/models/{s}/versions/{v}/infer`) wins over it.
 */
export const VERSION_HEADER = 'x-modeldock-version';

/** A service version as a caller names it (`2`, or `v2` as the control plane shows it); undefined when it names none. */
export function versionSeqOf(text: string): number | undefined {
  const m = /^v?([1-9][0-9]{0,8})$/i.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

/** GET /api/v1/services/{name}/call-info */
export interface CallInfo {
  /** the URL of the first example (TI-ONE predict, or OIP v2 infer for plain ONNX) */
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  auth: boolean;
  curl: string;
  /** the first example's body */
  example: unknown;
  /** the package kind of the version with traffic, when known */
  kind?: PackageKind;
  /** calls that work for this kind, the first the one `url`, `example` and `curl` show */
  examples: CallExample[];
  oip: { infer: string; metadata: string; ready: string };
  /** KServe v1 predict at the root */
  kserve: { predict: string };
  /** how to call one version directly: `header` (VERSION_HEADER) set to one of `versions` */
  versionRouting?: { header: string; versions: number[] };
  /** the OIP v2 gRPC data plane; absent when the platform serves none (grpcPort 0) */
  grpc?: GrpcCallInfo;
}

/** How to call a service over gRPC (src/services/grpc-examples.ts). */
export interface GrpcCallInfo {
  /** host:port, the host as in the service's URL */
  address: string;
  /** the gRPC service, `inference.GRPCInferenceService` */
  service: string;
  /** the proto file the examples load, in the repository and the image */
  proto: string;
  grpcurl: string;
  /** Python with tritonclient.grpc */
  python: string;
}

/** requests per minute / per UTC day; absent = unlimited */
export interface TokenLimits {
  perMinute?: number;
  perDay?: number;
}

/** GET /api/v1/services/{name}/tokens → {items: TokenInfo[]} (never with values) */
export interface TokenInfo {
  id: string;
  name: string;
  /** the first and last characters, to tell tokens apart */
  hint: string;
  limits: TokenLimits;
  enabled: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  /** calls counted against the limits in the current minute and UTC day, summed over replicas (list and get) */
  usage?: { minute: number; day: number };
}

/** POST …/tokens and …/tokens/{id}/rotate answer the value, once. */
export interface TokenWithValue extends TokenInfo {
  token: string;
}

export interface Capacity {
  cpuMillicores: number;
  memoryMiB: number;
  gpu: number;
}

/** GET /api/v1/resource-groups → {items: ResourceGroup[]} */
export interface ResourceGroup {
  name: string;
  capacity: Capacity;
  /** reserved by the services admitted to it */
  used: Capacity;
  services: string[];
  createdAt: string;
}
