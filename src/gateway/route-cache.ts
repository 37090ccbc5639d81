/**
 * The gateway's compiled view of each service's route: everything a call needs, worked
 * out once per route change rather than per call (upstream pools, upstream paths, SWRR
 * and rate-limit state, the versions eligible for traffic). The directory hands out a
 * new ServiceRoute object whenever something changed; a call compares one reference.
 */
import type { CaptureSpec } from '../contracts/capture.js';
import type { RouteVersion, ServiceDirectory, ServiceRoute } from './service-directory.js';
import type { BalancedVersion } from './balancer.js';
import { RateBucket } from './rate-bucket.js';
import { compileShadow, type CompiledShadow } from './shadow.js';
import type { Upstream, Upstreams } from './upstreams.js';

export interface CompiledVersion extends BalancedVersion {
  id: string;
  seq: number;
  scalesFromZero: boolean;
  /** per-instance concurrency limit, when set */
  maxConcurrency: number;
  /** requests/s over all ready instances, when set */
  bucket: RateBucket | undefined;
  /** payload capture, when on (capture-hook.ts) */
  capture: CaptureSpec | undefined;
}

export interface CompiledService {
  route: ServiceRoute;
  name: string;
  versions: CompiledVersion[];
  /** weight > 0 and either ready targets or the ability to scale from zero */
  eligible: CompiledVersion[];
  /** upstream paths on the instance (which serves the model under the service's name) */
  paths: { predict: string; infer: string; metadata: string; ready: string };
  /** shadow traffic, when the service has it (shadow.ts) */
  shadow: CompiledShadow | undefined;
}

export class RouteCache {
  private readonly compiled = new Map<string, CompiledService>();
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(
    private readonly directory: ServiceDirectory,
    private readonly upstreams: Upstreams,
    sweepEveryMs = 5_000,
  ) {
    // Services nobody calls still have their route followed, so pools of instances
    // that went away are closed.
    this.sweepTimer = setInterval(() => this.sweep(), sweepEveryMs);
    this.sweepTimer.unref();
  }

  /** The compiled route of a service, or undefined when the service does not exist. */
  get(name: string): CompiledService | undefined {
    const route = this.directory.route(name);
    const c = this.compiled.get(name);
    if (c !== undefined && c.route === route) return c;
    if (route === undefined) {
      if (c) this.forget(name, c);
      return undefined;
    }
    const next = this.compile(name, route, c);
    this.compiled.set(name, next);
    if (c) this.releaseAll(c);
    return next;
  }

  /** Calls in flight on each ready instance of the routes called so far (read at scrape time, not per call). */
  *inflight(): Generator<{ service: string; seq: number; instanceId: string; inflight: number }> {
    for (const c of this.compiled.values())
      for (const v of c.versions) for (const t of v.targets) yield { service: c.name, seq: v.seq, instanceId: t.instanceId, inflight: t.inflight };
  }

  sweep(): void {
    for (const name of [...this.compiled.keys()]) this.get(name);
  }

  close(): void {
    clearInterval(this.sweepTimer);
    for (const [name, c] of this.compiled) this.forget(name, c);
  }

  private compile(name: string, route: ServiceRoute, old: CompiledService | undefined): CompiledService {
    const versions = route.versions.map((rv) =>
      this.compileVersion(
        rv,
        old?.versions.find((o) => o.id === rv.id),
      ),
    );
    const enc = encodeURIComponent(name);
    return {
      route,
      name,
      versions,
      eligible: versions.filter((v) => v.weight > 0 && (v.targets.length > 0 || v.scalesFromZero)),
      paths: { predict: '/v1/models/m:predict', infer: `/v2/models/${enc}/infer`, metadata: `/v2/models/${enc}`, ready: `/v2/models/${enc}/ready` },
      shadow: compileShadow(route, versions, old?.shadow),
    };
  }

  private compileVersion(rv: RouteVersion, old: CompiledVersion | undefined): CompiledVersion {
    const targets: Upstream[] = rv.targets.map((t) => this.upstreams.acquire(t.url, t.instanceId));
    const perInstanceRps = rv.limits?.maxRequestsPerSecond;
    let bucket: RateBucket | undefined;
    if (perInstanceRps && perInstanceRps > 0 && targets.length > 0) {
      bucket = old?.bucket ?? new RateBucket(perInstanceRps * targets.length);
      bucket.setRate(perInstanceRps * targets.length);
    }
    return {
      id: rv.id,
      seq: rv.seq,
      weight: Math.max(0, rv.weight),
      current: old?.current ?? 0,
      cursor: old?.cursor ?? 0,
      targets,
      scalesFromZero: rv.scalesFromZero,
      maxConcurrency: rv.limits?.maxConcurrency && rv.limits.maxConcurrency > 0 ? rv.limits.maxConcurrency : 0,
      bucket,
      capture: rv.capture && rv.capture.percent > 0 ? rv.capture : undefined,
    };
  }

  private forget(name: string, c: CompiledService): void {
    this.compiled.delete(name);
    this.releaseAll(c);
  }

  private releaseAll(c: CompiledService): void {
    for (const v of c.versions) for (const t of v.targets) this.upstreams.release(t);
  }
}
