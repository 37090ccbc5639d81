/**
 * The Balancer: which version, then which instance.
 *
 * Versions: smooth weighted round-robin (nginx's SWRR): deterministic, so weights 90/10
 * give exactly 9 of every 10 calls to the first, interleaved rather than in bursts.
 * Instances: the ready target with the fewest calls in flight, skipping targets marked
 * down after a failed connect (unless all are), ties broken round-robin so that
 * sequential calls spread too.
 */
import type { Upstream } from './upstreams.js';

export interface BalancedVersion {
  weight: number;
  /** SWRR state, carried over when the route is rebuilt */
  current: number;
  targets: Upstream[];
  /** round-robin cursor for ties */
  cursor: number;
}

/** Smooth weighted round-robin over versions with weight > 0. */
export function pickVersion<V extends BalancedVersion>(versions: readonly V[]): V | undefined {
  let best: V | undefined;
  let total = 0;
  for (let i = 0; i < versions.length; i++) {
    const v = versions[i]!;
    v.current += v.weight;
    total += v.weight;
    if (best === undefined || v.current > best.current) best = v;
  }
  if (best) best.current -= total;
  return best;
}

/** The least-loaded target of a version, not `exclude`; undefined when there is none. */
export function pickTarget(v: BalancedVersion, now: number, exclude?: Upstream): Upstream | undefined {
  const ts = v.targets;
  const n = ts.length;
  if (n === 0) return undefined;
  const start = v.cursor++ % n;
  if (v.cursor > 1e9) v.cursor = 0;
  let best: Upstream | undefined;
  let bestDown: Upstream | undefined;
  for (let k = 0; k < n; k++) {
    const t = ts[(start + k) % n]!;
    if (t === exclude) continue;
    if (t.downUntil > now) {
      if (bestDown === undefined || t.inflight < bestDown.inflight) bestDown = t;
    } else if (best === undefined || t.inflight < best.inflight) {
      best = t;
    }
  }
  return best ?? bestDown;
}
