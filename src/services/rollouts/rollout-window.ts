/**
 * The guardrail window: the two versions' gateway figures over the last `windowMs`, taken
 * from the per-version totals the gateway already counts (call-series.ts). Each check
 * samples the running totals; a window's figures are the latest sample less the oldest
 * one inside the window. Nothing here runs per call.
 *
 * The samples live in memory: after a platform restart (the counts start again at zero)
 * the window fills again from the restart.
 */
import type { VersionFigures } from '../../contracts/rollouts.js';
import { quantileMs } from './rollout-plan.js';

export interface Totals {
  calls: number;
  errors: number;
  /** latency histogram per bucket (not cumulative) */
  buckets: number[];
}

/** Where the running totals are read (the platform's series; a fake in unit tests). */
export interface TotalsSource {
  versionTotals(service: string, version: string): Totals;
  readonly latencyBoundsS: readonly number[];
}

interface Sample {
  at: number;
  target: Totals;
  baseline: Totals;
}

export class RolloutWindow {
  /** rollout id → samples, oldest first */
  private readonly samples = new Map<string, Sample[]>();

  constructor(private readonly source: TotalsSource) {}

  /** Takes a sample now and answers both versions' figures over the window. */
  figures(
    rollout: { id: string; service: string; target: number; baseline: number },
    now: number,
    windowMs: number,
  ): { target: VersionFigures; baseline: VersionFigures } {
    const s: Sample = {
      at: now,
      target: this.source.versionTotals(rollout.service, String(rollout.target)),
      baseline: this.source.versionTotals(rollout.service, String(rollout.baseline)),
    };
    let ring = this.samples.get(rollout.id);
    if (!ring) this.samples.set(rollout.id, (ring = []));
    ring.push(s);
    // keep the newest sample at or before the window's start, and those after it
    while (ring.length > 2 && ring[1]!.at <= now - windowMs) ring.shift();
    const from = ring[0]!;
    return { target: this.diff(rollout.target, from.target, s.target), baseline: this.diff(rollout.baseline, from.baseline, s.baseline) };
  }

  /** Starts the window again (a step began, the rollout resumed). */
  reset(id: string): void {
    this.samples.delete(id);
  }

  /** Forgets rollouts not in `ids` (finished or gone). */
  retain(ids: Set<string>): void {
    for (const id of this.samples.keys()) if (!ids.has(id)) this.samples.delete(id);
  }

  private diff(version: number, a: Totals, b: Totals): VersionFigures {
    // an instance that went away takes its counts with it: never below zero
    const calls = Math.max(0, b.calls - a.calls);
    const errors = Math.min(calls, Math.max(0, b.errors - a.errors));
    const buckets = b.buckets.map((n, i) => Math.max(0, n - (a.buckets[i] ?? 0)));
    return { version, calls, errors, errorRate: calls ? errors / calls : null, p99Ms: quantileMs(this.source.latencyBoundsS, buckets, 0.99) };
  }
}
