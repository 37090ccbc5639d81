/**
 * Shadow traffic (docs/shadow.md): after the primary version answered a call, a share of
 * the calls is sent again, the same bytes, to one more version of the service, whose
 * answer is compared with the primary's and counted, never returned.
 *
 * The caller never waits for the shadow: the copy is dispatched from a setImmediate, after
 * the primary's answer went out, and nothing of it flows back into the call. Copies in
 * flight are capped per service (a slow shadow would otherwise hold every request and
 * answer body in memory): over the cap a copy is dropped and counted. A shadow with no
 * ready instance is not woken from zero: the copy counts as skipped. The shadow version's
 * own per-instance limits hold for copies too.
 */
import { performance } from 'node:perf_hooks';
import type { ShadowOutcome } from '../contracts/services.js';
import { DomainError } from '../contracts/errors.js';
import { pickTarget } from './balancer.js';
import type { RouteVersion, ServiceDirectory, ServiceRoute } from './service-directory.js';
import { exchange, type Answer } from './forward.js';
import type { CompiledService, CompiledVersion } from './route-cache.js';
import { compareAnswers } from './shadow-compare.js';

/** Copies in flight per service, by default: beyond it new copies are dropped. */
export const DEFAULT_SHADOW_MAX_INFLIGHT = 64;

/** A service's shadow as the route cache compiles it. */
export interface CompiledShadow {
  /** undefined when the route has no version of that number (any more) */
  version: CompiledVersion | undefined;
  percent: number;
  /** the share's accumulator: +percent a call, a copy each time it reaches 100 */
  credit: number;
}

/** The shadow of a route, the share's accumulator carried over from the route before. */
export function compileShadow(route: ServiceRoute, versions: CompiledVersion[], old: CompiledShadow | undefined): CompiledShadow | undefined {
  const s = route.shadow;
  if (s === undefined) return undefined;
  return { version: versions.find((v) => v.seq === s.version), percent: Math.max(0, Math.min(100, s.percent)), credit: old?.credit ?? 0 };
}

/** Deterministic share: exactly `percent` of every 100 calls, spread evenly (0 → none, 100 → all). */
export function takeShare(s: { percent: number; credit: number }): boolean {
  s.credit += s.percent;
  if (s.credit < 100) return false;
  s.credit -= 100;
  return true;
}

/** What the primary was sent, to send the shadow the same. */
export interface ShadowRequest {
  path: string;
  contentType: string | undefined;
  body: Buffer;
  headerLength?: string;
}

export class ShadowMirror {
  private readonly inflight = new Map<string, number>();

  constructor(
    private readonly directory: ServiceDirectory,
    private readonly maxInflight = DEFAULT_SHADOW_MAX_INFLIGHT,
  ) {}

  /** Copies in flight now for a service (all of them: for tests and close). */
  inflightOf(service: string): number {
    return this.inflight.get(service) ?? 0;
  }

  /**
   * Called once the primary (`served`) answered a POST of `svc`, which has a shadow:
   * decides on a copy and sends it later. Returns at once; never throws.
   */
  after(svc: CompiledService & { shadow?: CompiledShadow }, served: CompiledVersion, req: ShadowRequest, primary: Answer): void {
    const sh = svc.shadow;
    const v = sh?.version;
    // calls the shadow version served itself (its own weight, a named version) are not copied
    if (sh === undefined || v === undefined || v.id === served.id || !takeShare(sh)) return;
    const name = svc.name;
    const up = pickTarget(v, performance.now());
    if (up === undefined) return this.report(name, v, 'skipped');
    const n = this.inflight.get(name) ?? 0;
    if (n >= this.maxInflight || (v.maxConcurrency > 0 && up.inflight >= v.maxConcurrency) || (v.bucket !== undefined && !v.bucket.take())) {
      return this.report(name, v, 'dropped');
    }
    this.inflight.set(name, n + 1);
    this.report(name, v, 'sent');
    setImmediate(() => {
      const t0 = performance.now();
      exchange(up, 'POST', req.path, req.contentType, req.body, req.headerLength).then(
        (ans) => this.done(name, v, verdictOf(primary, ans), t0),
        (e: unknown) => this.done(name, v, e instanceof DomainError && e.code === 'TIMEOUT' ? 'timeout' : 'unreachable', t0),
      );
    });
  }

  private done(name: string, v: Pick<RouteVersion, 'id'>, outcome: ShadowOutcome, t0: number): void {
    const left = (this.inflight.get(name) ?? 1) - 1;
    if (left > 0) this.inflight.set(name, left);
    else this.inflight.delete(name);
    this.report(name, v, outcome, performance.now() - t0);
  }

  private report(name: string, v: Pick<RouteVersion, 'id'>, event: ShadowOutcome | 'sent', latencyMs?: number): void {
    try {
      this.directory.observeShadow?.(name, v.id, event, latencyMs);
    } catch {
      // counting must never break a call (nor an unhandled rejection off the hot path)
    }
  }
}

/** How an answered copy ended: a 5xx is an error; otherwise compared (never throws: a too-deep JSON is uncompared). */
function verdictOf(primary: Answer, shadow: Answer): ShadowOutcome {
  if (shadow.status >= 500) return 'error';
  try {
    return compareAnswers(primary, shadow);
  } catch {
    return 'uncompared';
  }
}
