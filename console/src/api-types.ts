/**
 * Answers the API gives that src/contracts does not name yet (service logs and metrics);
 * kept here, to the shapes of src/services/log-store.ts and service-metrics.ts.
 */
export interface ServiceLogLine {
  seq: number;
  ts: string;
  service: string;
  instanceId?: string;
  stream: 'stdout' | 'stderr' | 'access';
  line: string;
}

export interface MetricsPoint {
  ts: string;
  qps: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
  readyInstances: number;
}

export interface CallInfo {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  auth: boolean;
  curl: string;
  example: unknown;
  oip: { infer: string; metadata: string; ready: string };
}

export interface TokenInfo {
  id: string;
  name: string;
  hint: string;
  enabled: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  token?: string;
}
