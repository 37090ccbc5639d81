/** The gateway's in-memory view of services, rebuilt after every reconcile pass. */
import type { ServiceVersionSpec, ShadowOutcome } from '../contracts/services.js';
import type { CallSample, RouteVersion, ServiceDirectory, ServiceRoute, TokenCheck } from '../gateway/service-directory.js';
import type { Autoscaler } from './autoscaler.js';
import type { Observed } from './reconciler.js';
import type { ServiceMetrics } from './service-metrics.js';
import { storedShadow } from './shadow-spec.js';

export interface TokenVerifier {
  verify(service: string, token: string): Promise<TokenCheck>;
}

export class LiveDirectory implements ServiceDirectory {
  private routes = new Map<string, ServiceRoute>();
  private waiters: (() => void)[] = [];
  private seqOf = new Map<string, number>();
  /** calls held now per service and version number, for counting cold starts */
  private readonly held = new Map<string, number>();

  constructor(
    private readonly autoscaler: Autoscaler,
    private readonly kick: () => void,
    private readonly metrics: ServiceMetrics,
    private readonly tokens?: TokenVerifier,
  ) {}

  update(o: Observed): void {
    const next = new Map<string, ServiceRoute>();
    for (const s of o.services) {
      if (s.desired === 'deleted') continue;
      const versions: RouteVersion[] = o.versions
        .filter((v) => v.service_id === s.id)
        .map((v) => {
          const spec = JSON.parse(v.spec) as ServiceVersionSpec;
          return {
            id: v.id,
            seq: v.seq,
            weight: v.weight,
            targets: o.instances.filter((i) => i.versionId === v.id && i.phase === 'Ready' && i.url).map((i) => ({ instanceId: i.instanceId, url: i.url! })),
            limits: spec.limits,
            scalesFromZero: scalesFromZero(spec),
            ...(spec.capture && spec.capture.percent > 0 ? { capture: spec.capture } : {}),
          };
        });
      const shadow = storedShadow(s.shadow);
      next.set(s.name, { name: s.name, auth: s.auth === 1, stopped: s.desired === 'stopped', versions, ...(shadow ? { shadow } : {}) });
    }
    for (const name of this.routes.keys()) if (!next.has(name)) this.metrics.drop(name);
    this.routes = next;
    this.seqOf = new Map(o.versions.map((v) => [v.id, v.seq]));
    void this.metrics.prom.syncInstances(
      o.instances.map((i) => ({ service: i.serviceName, seq: this.seqOf.get(i.versionId) ?? 0, instanceId: i.instanceId, restarts: i.restarts })),
    );
    for (const r of next.values()) {
      const total = r.versions.reduce((a, v) => a + v.targets.length, 0);
      for (const v of r.versions) this.metrics.setReady(r.name, v.seq, v.targets.length, total);
    }
    for (const w of this.waiters.splice(0)) w();
  }

  /** Every ready instance of every service, for reading instance metrics. */
  readyTargets(): { service: string; seq: number; instanceId: string; url: string }[] {
    return [...this.routes.values()].flatMap((r) => r.versions.flatMap((v) => v.targets.map((t) => ({ service: r.name, seq: v.seq, ...t }))));
  }

  route(name: string): ServiceRoute | undefined {
    return this.routes.get(name);
  }

  async wake(name: string, versionId: string, timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    const release = this.autoscaler.hold(versionId);
    const version = String(this.seqOf.get(versionId) ?? 0);
    const key = `${name}\0${version}`;
    const heldBefore = this.held.get(key) ?? 0;
    this.held.set(key, heldBefore + 1);
    const ended = this.metrics.prom.hold(name, version, heldBefore === 0);
    this.kick();
    let woke = false;
    try {
      return (woke = await this.waitForTarget(name, versionId, until));
    } finally {
      release();
      ended(woke ? 'ready' : 'timeout');
      const left = (this.held.get(key) ?? 1) - 1;
      if (left > 0) this.held.set(key, left);
      else this.held.delete(key);
    }
  }

  private async waitForTarget(name: string, versionId: string, until: number): Promise<boolean> {
    for (;;) {
      const v = this.routes.get(name)?.versions.find((x) => x.id === versionId);
      if (v && v.targets.length) return true;
      const left = until - Date.now();
      if (left <= 0 || !v) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  observe(name: string, versionId: string | undefined, sample: CallSample): void {
    if (versionId === undefined) {
      // refused before a version was chosen: only services that exist get series
      if (this.routes.has(name)) this.metrics.observe(name, undefined, sample.latencyMs, sample.status, undefined, sample.limited);
      return;
    }
    this.autoscaler.observe(versionId, sample.latencyMs);
    this.metrics.observe(name, this.seqOf.get(versionId) ?? 0, sample.latencyMs, sample.status, sample.instanceId, sample.limited);
  }

  observeShadow(name: string, versionId: string, event: ShadowOutcome | 'sent', latencyMs?: number): void {
    this.metrics.shadow.observe(name, String(this.seqOf.get(versionId) ?? 0), event, latencyMs);
  }

  async verifyToken(name: string, token: string): Promise<TokenCheck> {
    return this.tokens ? this.tokens.verify(name, token) : { ok: false };
  }
}

/** A version that may have no instance when a call comes: auto-scaled with min 0, or a scheduled rule's min 0. */
function scalesFromZero(spec: ServiceVersionSpec): boolean {
  const sc = spec.scaling;
  return sc.mode === 'auto' && (sc.minInstances === 0 || !!spec.schedules?.some((r) => (r.minInstances ?? sc.minInstances) === 0));
}
