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

export class Autoscaler {
  private readonly traffic = new Map<string, VersionTraffic>();

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
    const rps = t.samples.length / (WINDOW_MS / 1000);
    const concurrency = t.samples.reduce((a, s) => a + s.latencyMs, 0) / WINDOW_MS;
    // cpu-util: total use in "instances' worth" of CPU, against the target percentage
    const cpuLoad = cpuUtil.reduce((a, u) => a + u, 0) * 100;
    const load = sc.metric === 'qps-per-instance' ? rps : sc.metric === 'cpu-util' ? cpuLoad : concurrency;
    let raw = Math.ceil(load / sc.target);
    raw = Math.min(sc.maxInstances, Math.max(sc.minInstances, raw));
    const idleToZeroMs = sc.idleToZeroMs ?? 60_000;
    if (sc.minInstances === 0) {
      const idle = at - t.lastRequestAt >= idleToZeroMs;
      if (!idle) raw = Math.max(raw, 1);
      if (t.holds > 0 || (t.wokenAt !== undefined && at - t.wokenAt < idleToZeroMs)) raw = Math.max(raw, 1);
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
