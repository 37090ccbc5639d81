/**
 * A batch job's own instances on the InstanceBackend: started from the model version
 * like a service version's (resources, batching, env), told apart from services'
 * instances by their version id (`batch:<job id>`, see isBatchInstance), and handed out
 * least-busy first to the job's senders.
 */
import { randomUUID } from 'node:crypto';
import type { InstanceBackend, ObservedInstance } from '../backends/backend.js';
import type { ResourcesSpec } from '../contracts/services.js';

export const BATCH_VERSION_PREFIX = 'batch:';
export const isBatchInstance = (i: { versionId: string }): boolean => i.versionId.startsWith(BATCH_VERSION_PREFIX);
/** The name a job's instances, logs and metered usage go by: never a service's (services take no "."). */
export const batchServiceName = (job: string): string => `batch.${job}`;

export interface PoolSpec {
  jobId: string;
  job: string;
  modelKey: string;
  runtime: string;
  instances: number;
  resources: ResourcesSpec;
  batching: { maxBatchSize: number; maxQueueDelayMs: number };
  env: Record<string, string>;
}

export class InstancePool {
  private readonly ids: string[] = [];
  private readonly inflight = new Map<string, number>();

  constructor(
    private readonly backend: InstanceBackend,
    private readonly spec: PoolSpec,
  ) {}

  get versionId(): string {
    return `${BATCH_VERSION_PREFIX}${this.spec.jobId}`;
  }

  /** Stops instances of this job left by an earlier start (a remote backend keeps them), then starts its own. */
  async start(): Promise<void> {
    for (const i of this.backend.list()) if (i.versionId === this.versionId) await this.backend.stop(i.instanceId, 5_000);
    const s = this.spec;
    for (let n = 0; n < s.instances; n++) {
      const instanceId = `${batchServiceName(s.job)}-${randomUUID().slice(0, 8)}`;
      this.ids.push(instanceId);
      await this.backend.start({
        instanceId,
        serviceName: batchServiceName(s.job),
        versionId: this.versionId,
        specHash: 'batch',
        modelKey: s.modelKey,
        runtime: s.runtime,
        env: s.env,
        resources: s.resources,
        batching: s.batching,
        startupTimeoutMs: 180_000,
        readiness: { path: '/v2/health/ready', periodMs: 1_000, timeoutMs: 2_000, failureThreshold: 3 },
      });
    }
  }

  mine(): ObservedInstance[] {
    return this.backend.list().filter((i) => this.ids.includes(i.instanceId));
  }

  /** The reason an instance gave up (a load error, a crash loop), if one did. */
  failed(): string | undefined {
    const f = this.mine().find((i) => i.failed);
    return f ? `instance ${f.instanceId} failed: ${f.failed}` : undefined;
  }

  anyReady(): boolean {
    return this.mine().some((i) => i.phase === 'Ready' && i.url);
  }

  /** The ready instance with the fewest calls in flight, taken; undefined when none is ready. */
  take(): { id: string; url: string } | undefined {
    const ready = this.mine().filter((i) => i.phase === 'Ready' && i.url);
    if (!ready.length) return undefined;
    const best = ready.reduce((a, b) => ((this.inflight.get(a.instanceId) ?? 0) <= (this.inflight.get(b.instanceId) ?? 0) ? a : b));
    this.inflight.set(best.instanceId, (this.inflight.get(best.instanceId) ?? 0) + 1);
    return { id: best.instanceId, url: best.url! };
  }

  release(id: string): void {
    this.inflight.set(id, Math.max(0, (this.inflight.get(id) ?? 1) - 1));
  }

  async stop(): Promise<void> {
    await Promise.all(this.ids.map((id) => this.backend.stop(id, 5_000).catch(() => undefined)));
  }
}
