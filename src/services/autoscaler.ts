/**
 * How many instances each version should have. Manual scaling: the version's
 * desired_instances. Auto: from traffic the gateway reports (requests/s or concurrency
 * per instance against the target), within min/max, with stabilization windows, down to
 * zero after an idle time, and up from zero when a call arrives (wake).
 */
import type { ServiceVersionSpec } from '../contracts/services.js';
import type { VersionRow } from './services-repo.js';
import { scheduledScaling } from './scaling-schedule.js';

const WINDOW_MS = 10_000;
const BUCKET_MS = 250;
const BUCKETS = WINDOW_MS / BUCKET_MS;

/**
 * Calls and their summed latency over the last WINDOW_MS, in fixed time buckets: constant
 * memory and O(1) per call, however busy the version. (It kept one object per call before:
 * 50,000 per busy version, pruned only for auto-scaled ones, and the platform's RSS grew
 * with it through the whole soak.)
 */
class TrafficWindow {
  private readonly count = new Float64Array(BUCKETS);
  private readonly busy = new Float64Array(BUCKETS);
  /** the bucket number (time / BUCKET_MS) each slot holds; -1: never used */
  private readonly stamp = new Float64Array(BUCKETS).fill(-1);

  /**
   * A call that ended at `at` after `latencyMs`: counted in the bucket it ended in, its busy
   * time spread over the buckets it ran through (as far back as the window reaches). All of
   * it in the last bucket made one 20 s call read as 2 calls in flight for 10 s, then 0.
   */
  add(at: number, latencyMs: number): void {
    const end = Math.floor(at / BUCKET_MS);
    const slot = this.touch(end);
    if (slot < 0) return;
    this.count[slot]! += 1;
    const from = at - Math.min(Math.max(latencyMs, 0), WINDOW_MS);
    for (let b = end; b > end - BUCKETS && b * BUCKET_MS + BUCKET_MS > from; b--) {
      const part = Math.min(at, (b + 1) * BUCKET_MS) - Math.max(from, b * BUCKET_MS);
      const s = part > 0 ? this.touch(b) : -1;
      if (s >= 0) this.busy[s]! += part;
    }
  }

  /** the slot of bucket `b`, emptied if it held an older bucket; -1 if it holds a newer one (the clock went back) */
  private touch(b: number): number {
    const slot = b % BUCKETS;
    if (this.stamp[slot]! > b) return -1;
    if (this.stamp[slot] !== b) {
      this.stamp[slot] = b;
      this.count[slot] = 0;
      this.busy[slot] = 0;
    }
    return slot;
  }

  /** calls and summed latency in the buckets of the last WINDOW_MS up to `at` */
  sum(at: number): { requests: number; busyMs: number } {
    const now = Math.floor(at / BUCKET_MS);
    let requests = 0;
    let busyMs = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if (now - this.stamp[i]! < BUCKETS) {
        requests += this.count[i]!;
        busyMs += this.busy[i]!;
      }
    }
    return { requests, busyMs };
  }
}

interface VersionTraffic {
  window: TrafficWindow;
  lastRequestAt: number;
  current: number;
  /** since when the computed value has differed from current, by direction */
  upSince?: number;
  downSince?: number;
  wokenAt?: number;
  /** calls waiting for this version to wake */
  holds: number;
}

/** One version's traffic over the last window, as a replica reports it (src/cluster/traffic-share.ts). */
export interface TrafficSummary {
  versionId: string;
  requests: number;
  /** the summed latency of those requests: their concurrency × the window */
  busyMs: number;
  /** calls waiting for the version to wake */
  holds: number;
  lastRequestAt: number;
}

export class Autoscaler {
  private readonly traffic = new Map<string, VersionTraffic>();
  /** what the other replicas' gateways saw (set by the leading replica) */
  private peers = new Map<string, TrafficSummary>();

  constructor(private readonly now: () => number = Date.now) {}

  observe(versionId: string, latencyMs: number): void {
    const t = this.state(versionId);
    const at = this.now();
    t.lastRequestAt = at;
    t.window.add(at, latencyMs);
  }

  /** Forgets the traffic of versions not in `versionIds` (they were deleted). Peers' reports are replaced each round anyway. */
  retain(versionIds: ReadonlySet<string>): void {
    for (const id of this.traffic.keys()) if (!versionIds.has(id)) this.traffic.delete(id);
  }

  /**
   * A call is waiting for a version with no instance: at least one instance is wanted
   * until the returned release() is called (however long the start takes), and the idle
   * clock starts again from then.
   */
  hold(versionId: string): () => void {
    const t = this.state(versionId);
    t.holds++;
    t.wokenAt = this.now();
    t.lastRequestAt = t.wokenAt;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      t.holds--;
      t.lastRequestAt = this.now();
    };
  }

  /** This replica's traffic per version over the window, for the leading replica to add up. */
  snapshot(): TrafficSummary[] {
    const at = this.now();
    const out: TrafficSummary[] = [];
    for (const [versionId, t] of this.traffic) {
      const { requests, busyMs } = t.window.sum(at);
      if (!requests && !t.holds) continue;
      out.push({ versionId, requests, busyMs, holds: t.holds, lastRequestAt: t.lastRequestAt });
    }
    return out;
  }

  /** The other replicas' latest reports (replaces the previous set). */
  setPeers(reports: TrafficSummary[]): void {
    const merged = new Map<string, TrafficSummary>();
    for (const r of reports) {
      const m = merged.get(r.versionId);
      merged.set(
        r.versionId,
        m
          ? {
              versionId: r.versionId,
              requests: m.requests + r.requests,
              busyMs: m.busyMs + r.busyMs,
              holds: m.holds + r.holds,
              lastRequestAt: Math.max(m.lastRequestAt, r.lastRequestAt),
            }
          : r,
      );
    }
    this.peers = merged;
  }

  /**
   * `cpuUtil`: the version's ready instances' CPU use, each as a fraction of what it asked
   * for (needed for metric cpu-util; the target is then a percentage, e.g. 70).
   */
  desired(v: VersionRow, spec: ServiceVersionSpec, cpuUtil: number[] = []): number {
    if (spec.scaling.mode === 'manual') return v.desired_instances;
    // scheduled scaling: the bounds of the rule that fired last (scaling-schedule.ts)
    const sc = scheduledScaling(spec.scaling, spec.schedules, this.now());
    const t = this.state(v.id, Math.max(sc.minInstances, Math.min(v.desired_instances, sc.maxInstances)));
    const at = this.now();
    const own = t.window.sum(at);
    const peer = this.peers.get(v.id);
    const rps = (own.requests + (peer?.requests ?? 0)) / (WINDOW_MS / 1000);
    const concurrency = (own.busyMs + (peer?.busyMs ?? 0)) / WINDOW_MS;
    const lastRequestAt = Math.max(t.lastRequestAt, peer?.lastRequestAt ?? Number.NEGATIVE_INFINITY);
    const holds = t.holds + (peer?.holds ?? 0);
    // cpu-util: total use in "instances' worth" of CPU, against the target percentage
    const cpuLoad = cpuUtil.reduce((a, u) => a + u, 0) * 100;
    const load = sc.metric === 'qps-per-instance' ? rps : sc.metric === 'cpu-util' ? cpuLoad : concurrency;
    let raw = Math.ceil(load / sc.target);
    raw = Math.min(sc.maxInstances, Math.max(sc.minInstances, raw));
    const idleToZeroMs = sc.idleToZeroMs ?? 60_000;
    if (sc.minInstances === 0) {
      const idle = at - lastRequestAt >= idleToZeroMs;
      if (!idle) raw = Math.max(raw, 1);
      if (holds > 0 || (t.wokenAt !== undefined && at - t.wokenAt < idleToZeroMs)) raw = Math.max(raw, 1);
    }
    if (raw > t.current) {
      t.downSince = undefined;
      t.upSince ??= at;
      if (at - t.upSince >= (sc.scaleUpStabilizationMs ?? 0) || t.current === 0) t.current = raw;
    } else if (raw < t.current) {
      t.upSince = undefined;
      t.downSince ??= at;
      const wait = raw === 0 ? 0 : (sc.scaleDownStabilizationMs ?? 60_000);
      if (at - t.downSince >= wait) t.current = raw;
    } else {
      t.upSince = t.downSince = undefined;
    }
    return t.current;
  }

  private state(versionId: string, initial = 0): VersionTraffic {
    let t = this.traffic.get(versionId);
    if (!t) {
      // never called yet: a version that may scale to zero starts at zero
      t = { window: new TrafficWindow(), lastRequestAt: Number.NEGATIVE_INFINITY, current: initial, holds: 0 };
      this.traffic.set(versionId, t);
    }
    return t;
  }
}
