/**
 * Services: create and wait for Running, scale, stop/resume, traffic weights, versions,
 * instances, events, logs (paged or followed), metrics, call info and call tokens.
 */
import type { Instance, Service, ServiceEvent, ServiceState, ServiceVersionSpec } from '../contracts/services.js';
import type { CallInfo, LogLevel, MetricsPoint, ServiceLogLine, TokenInfo, TokenLimits, TokenWithValue } from '../contracts/service-ops.js';
import type { Page } from '../contracts/resources.js';
import { ModeldockError } from './errors.js';
import { pollUntil, type HttpClient } from './http.js';
import { sseEvents } from './sse.js';

/** A version to deploy (POST /api/v1/services `version`, POST …/versions); `weight` only on an added one. */
export type VersionInput = ServiceVersionSpec & { weight?: number };

export interface ServiceCreate {
  name: string;
  description?: string;
  tags?: Record<string, string>;
  billingMode?: 'postpaid' | 'prepaid';
  resourceGroup?: string;
  auth?: boolean;
  version: VersionInput;
}

export interface LogsQuery {
  /** the cursor of the last line seen */
  after?: number;
  limit?: number;
  instance?: string;
  /** one version (2 or v2) */
  version?: string;
  /** this level and above */
  level?: LogLevel;
  keyword?: string;
  since?: string;
  until?: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** also wait until every version with traffic has all its desired instances ready (default true for Running) */
  allReady?: boolean;
  onStatus?: (s: Service) => void;
}

const seg = encodeURIComponent;

export class ServicesApi {
  constructor(private readonly http: HttpClient) {}

  /** Creates a service; answers at once (status Creating): use waitFor for Running. */
  create(body: ServiceCreate): Promise<Service> {
    return this.http.json('POST', '/api/v1/services', { json: body });
  }

  list(q: { keyword?: string; offset?: number; limit?: number } = {}): Promise<Page<Service>> {
    return this.http.json('GET', '/api/v1/services', { query: q });
  }

  get(name: string): Promise<Service> {
    return this.http.json('GET', `/api/v1/services/${seg(name)}`);
  }

  update(name: string, patch: { description?: string | null; tags?: Record<string, string | null> | null; auth?: boolean }): Promise<Service> {
    return this.http.json('PATCH', `/api/v1/services/${seg(name)}`, { json: patch });
  }

  async delete(name: string): Promise<void> {
    await this.http.json('DELETE', `/api/v1/services/${seg(name)}`);
  }

  /**
   * Waits until the service is in `state` (default Running, with its instances ready). A
   * service that turns Failed throws SERVICE_FAILED with its reason.
   */
  waitFor(name: string, state: ServiceState = 'Running', opts: WaitOptions = {}): Promise<Service> {
    const allReady = opts.allReady ?? state === 'Running';
    return pollUntil(
      async () => {
        const s = await this.get(name);
        opts.onStatus?.(s);
        if (s.status === 'Failed' && state !== 'Failed')
          throw new ModeldockError('SERVICE_FAILED', 0, `service ${name} failed: ${s.reason ?? 'no reason given'}`, s);
        if (s.status !== state) return undefined;
        const ready = !allReady || s.versions.filter((v) => v.weight > 0).every((v) => v.readyInstances >= v.desiredInstances);
        return ready ? s : undefined;
      },
      `service ${name} to be ${state}`,
      opts.timeoutMs ?? 600_000,
    );
  }

  /** Sets the instance count (of one version, or of every version with traffic). */
  scale(name: string, instances: number, version?: number | string): Promise<Service> {
    return this.action(name, { action: 'scale', instances, ...(version === undefined ? {} : { version }) });
  }

  stop(name: string): Promise<Service> {
    return this.action(name, { action: 'stop' });
  }

  resume(name: string): Promise<Service> {
    return this.action(name, { action: 'resume' });
  }

  private action(name: string, body: { action: 'stop' | 'resume' | 'scale'; instances?: number; version?: number | string }): Promise<Service> {
    return this.http.json('POST', `/api/v1/services/${seg(name)}/actions`, { json: body });
  }

  /** Traffic weights over the versions (version: seq 1, 2 … or "v1"), 0–100 each. */
  setWeights(name: string, weights: { version: number | string; weight: number }[]): Promise<Service> {
    return this.http.json('PUT', `/api/v1/services/${seg(name)}/weights`, { json: { weights } });
  }

  addVersion(name: string, version: VersionInput): Promise<Service> {
    return this.http.json('POST', `/api/v1/services/${seg(name)}/versions`, { json: version });
  }

  updateVersion(name: string, version: number | string, spec: VersionInput): Promise<Service> {
    return this.http.json('PUT', `/api/v1/services/${seg(name)}/versions/${seg(String(version))}`, { json: spec });
  }

  deleteVersion(name: string, version: number | string): Promise<Service> {
    return this.http.json('DELETE', `/api/v1/services/${seg(name)}/versions/${seg(String(version))}`);
  }

  async instances(name: string): Promise<Instance[]> {
    return (await this.http.json<{ items: Instance[] }>('GET', `/api/v1/services/${seg(name)}/instances`)).items;
  }

  async events(name: string): Promise<ServiceEvent[]> {
    return (await this.http.json<{ items: ServiceEvent[] }>('GET', `/api/v1/services/${seg(name)}/events`)).items;
  }

  /** One page of log lines; pass `cursor` back as `after` for the next. */
  logs(name: string, q: LogsQuery = {}): Promise<{ items: ServiceLogLine[]; cursor: number }> {
    return this.http.json('GET', `/api/v1/services/${seg(name)}/logs`, { query: { ...q } });
  }

  /** The last `limit` lines, then each new one as it is written (server-sent events), until `signal` aborts. */
  async *followLogs(name: string, q: LogsQuery & { signal?: AbortSignal } = {}): AsyncGenerator<ServiceLogLine> {
    const { signal, ...query } = q;
    for await (const e of sseEvents(this.http, `/api/v1/services/${seg(name)}/logs/stream`, { ...query }, signal)) {
      if (e.event === 'log') yield JSON.parse(e.data) as ServiceLogLine;
    }
  }

  async metrics(name: string, window = '15m'): Promise<MetricsPoint[]> {
    return (await this.http.json<{ points: MetricsPoint[] }>('GET', `/api/v1/services/${seg(name)}/metrics`, { query: { window } })).points;
  }

  callInfo(name: string): Promise<CallInfo> {
    return this.http.json('GET', `/api/v1/services/${seg(name)}/call-info`);
  }

  // ── call tokens ──────────────────────────────────────────────────────────
  /** A new call token; its value (`token`) is answered only here. */
  createToken(service: string, body: { name?: string; limits?: TokenLimits } = {}): Promise<TokenWithValue> {
    return this.http.json('POST', tokensPath(service), { json: body });
  }

  async listTokens(service: string): Promise<TokenInfo[]> {
    return (await this.http.json<{ items: TokenInfo[] }>('GET', tokensPath(service))).items;
  }

  rotateToken(service: string, id: string): Promise<TokenWithValue> {
    return this.http.json('POST', `${tokensPath(service)}/${seg(id)}/rotate`);
  }

  updateToken(service: string, id: string, patch: { enabled?: boolean; name?: string; limits?: TokenLimits }): Promise<TokenInfo> {
    return this.http.json('PATCH', `${tokensPath(service)}/${seg(id)}`, { json: patch });
  }

  async deleteToken(service: string, id: string): Promise<void> {
    await this.http.json('DELETE', `${tokensPath(service)}/${seg(id)}`);
  }
}

const tokensPath = (service: string) => `/api/v1/services/${seg(service)}/tokens`;
