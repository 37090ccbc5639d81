/**
 * How many instances each version should have. Manual scaling: the version's
 * desired_instances. Auto: from traffic the gateway reports (requests/s or concurrency
 * per instance against the target), within min/max, with stabilization windows, down to
 * zero after an idle time, and up from zero when a call arrives (wake).
 */
import type { ServiceVersionSpec } from '../contracts/services.js';
import type { VersionRow } from './services-repo.js';

const WINDOW_MS = 10_000;

interface VersionTraffic {
  samples: { at: number; latencyMs: number }[];
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
    t.samples.push({ at, latencyMs });
    if (t.samples.length > 50_000) t.samples.splice(0, t.samples.length - 50_000);
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
      const recent = t.samples.filter((s) => at - s.at < WINDOW_MS);
      if (!recent.length && !t.holds) continue;
      out.push({ versionId, requests: recent.length, busyMs: recent.reduce((a, s) => a + s.latencyMs, 0), holds: t.holds, lastRequestAt: t.lastRequestAt });
    }
    return out;
  }

  /** The other replicas' latest reports (replaces the previous set). */
  setPeers(reports: TrafficSummary[]): void {
    const merged = new Map<string, TrafficSummary>();
    for (const r of reports) {
      const m = merged.get(r.versionId);
      merged.set(r.versionId, m ? { versionId: r.versionId, requests: m.requests + r.requests, busyMs: m.busyMs + r.busyMs, holds: m.holds + r.holds, lastRequestAt: Math.max(m.lastRequestAt, r.lastRequestAt) } : r);
    }
    this.peers = merged;
  }

  /**
   * `cpuUtil`: the version's ready instances' CPU use, each as a fraction of what it asked
   * for (needed for metric cpu-util; the target is then a percentage, e.g. 70).
   */
  desired(v: VersionRow, spec: ServiceVersionSpec, cpuUtil: number[] = []): number {
    const sc = spec.scaling;
    if (sc.mode === 'manual') return v.desired_instances;
    const t = this.state(v.id, Math.max(sc.minInstances, Math.min(v.desired_instances, sc.maxInstances)));
    const at = this.now();
    t.samples = t.samples.filter((s) => at - s.at < WINDOW_MS);
    const peer = this.peers.get(v.id);
    const rps = (t.samples.length + (peer?.requests ?? 0)) / (WINDOW_MS / 1000);
    const concurrency = (t.samples.reduce((a, s) => a + s.latencyMs, 0) + (peer?.busyMs ?? 0)) / WINDOW_MS;
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
      t = { samples: [], lastRequestAt: Number.NEGATIVE_INFINITY, current: initial, holds: 0 };
      this.traffic.set(versionId, t);
    }
    return t;
  }
}
