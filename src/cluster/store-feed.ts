/**
 * What a follower replica's gateway routes by: the services, versions and instances the
 * leading replica's reconciler last wrote to the store, read every `periodMs`. (The
 * leader's own gateway is fed by its reconciler directly, without this lag.)
 */
import type { ObservedInstance } from '../backends/backend.js';
import type { InstancePhase } from '../contracts/services.js';
import type { Logger } from '../log.js';
import type { Observed } from '../services/reconciler.js';
import type { ServicesRepo } from '../services/services-repo.js';

export class StoreFeed {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly repo: ServicesRepo,
    private readonly publish: (o: Observed) => void,
    private readonly log: Logger,
    private readonly periodMs = 1_000,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = async () => {
      if (!this.running) return;
      await this.readOnce().catch((e) => this.log.warn({ err: e }, 'reading the routes from the store failed'));
      if (this.running) this.timer = setTimeout(() => void loop(), this.periodMs);
    };
    void loop();
  }

  /** Read now (a change was just made through this replica), when following. */
  nudge(): void {
    if (this.running) void this.readOnce().catch((e) => this.log.warn({ err: e }, 'reading the routes from the store failed'));
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  async readOnce(): Promise<void> {
    const services = await this.repo.all();
    const versions = await this.repo.versionsOf(services.map((s) => s.id));
    const instances: ObservedInstance[] = (await this.repo.allInstances()).map((r) => ({
      instanceId: r.id,
      serviceName: r.service_name,
      versionId: r.version_id,
      specHash: '',
      phase: r.phase as InstancePhase,
      ...(r.url ? { url: r.url } : {}),
      ...(r.pid ? { pid: r.pid } : {}),
      node: r.node,
      startedAt: r.started_at,
      restarts: r.restarts,
    }));
    if (this.running) this.publish({ services, versions, instances });
  }
}
