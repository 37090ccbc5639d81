/**
 * The counts of shadow traffic (docs/shadow.md), per service and shadow version: how many
 * copies were sent, skipped or dropped, how the sent ones ended (compared equal or not,
 * errors, timeouts), the shadow's latency. Fed by the gateway through the directory
 * (gateway/shadow.ts), read by GET /api/v1/services/{name} (`shadow.stats`) and by
 * Prometheus (GET /metrics) as:
 *
 * - `modeldock_shadow_calls_total{service,version,outcome}`: every call considered for a
 *   copy, by outcome (SHADOW_OUTCOMES); a sent copy counts when it ends
 * - `modeldock_shadow_inflight_calls{service,version}`: copies sent and not yet answered
 * - `modeldock_shadow_duration_seconds{service,version}`: the shadow's latency (histogram)
 *
 * Plain numbers, turned into samples when scraped (as call-series.ts does): a copy being
 * sent is counted on the caller's path, so it must cost no more than a few additions.
 */
import type { Registry } from 'prom-client';
import { SHADOW_OUTCOMES, type ShadowOutcome, type ShadowStats } from '../contracts/services.js';

const BOUNDS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** latencies kept for p50/p99 in GET service */
export const RECENT_LATENCIES = 1000;

interface Cell {
  service: string;
  version: string;
  outcomes: Record<ShadowOutcome, number>;
  sent: number;
  buckets: Float64Array;
  sum: number;
  count: number;
  recent: Float64Array;
  /** how many of `recent` hold a value, and where the next goes */
  recentN: number;
  recentAt: number;
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export class ShadowSeries {
  /** `${service}\0${version}` → cell */
  private readonly cells = new Map<string, Cell>();

  constructor(registry: Registry) {
    const metric = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string, values: () => Sample[]) => {
      const get = async () => ({ name, help, type, aggregator: 'sum' as const, values: values() });
      registry.registerMetric({ name, help, type, aggregator: 'sum', get, reset: () => this.cells.clear() } as unknown as Parameters<
        Registry['registerMetric']
      >[0]);
    };
    metric(
      'modeldock_shadow_calls_total',
      'counter',
      "calls considered for a shadow copy, by outcome: match, mismatch, uncompared (answered), error (5xx), timeout, unreachable, skipped (no ready shadow instance), dropped (over the in-flight cap or the shadow's limits)",
      () =>
        [...this.cells.values()].flatMap((c) =>
          SHADOW_OUTCOMES.filter((o) => c.outcomes[o] > 0).map((o) => ({
            labels: { service: c.service, version: c.version, outcome: o },
            value: c.outcomes[o],
          })),
        ),
    );
    metric('modeldock_shadow_inflight_calls', 'gauge', 'shadow copies sent and not yet answered', () =>
      [...this.cells.values()].map((c) => ({ labels: { service: c.service, version: c.version }, value: inflightOf(c) })),
    );
    metric('modeldock_shadow_duration_seconds', 'histogram', "the shadow version's latency for a copy, sent to answered (or failed)", () =>
      [...this.cells.values()].flatMap((c) => histogram('modeldock_shadow_duration_seconds', c)),
    );
  }

  /** One event of the gateway's shadow traffic (`version` is the shadow's number). */
  observe(service: string, version: string, event: ShadowOutcome | 'sent', latencyMs?: number): void {
    const c = this.cell(service, version);
    if (event === 'sent') {
      c.sent++;
      return;
    }
    c.outcomes[event]++;
    if (latencyMs === undefined) return;
    const s = latencyMs / 1000;
    let i = 0;
    while (i < BOUNDS_S.length && s > BOUNDS_S[i]!) i++;
    c.buckets[i]!++;
    c.sum += s;
    c.count++;
    c.recent[c.recentAt] = latencyMs;
    c.recentAt = (c.recentAt + 1) % RECENT_LATENCIES;
    if (c.recentN < RECENT_LATENCIES) c.recentN++;
  }

  /** What was counted for a service's shadow version (zeros when nothing was). */
  stats(service: string, version: string): ShadowStats {
    return statsOf(this.cells.get(key(service, version)));
  }

  /** Drops a service's cells (it was deleted). */
  drop(service: string): void {
    for (const [k, c] of this.cells) if (c.service === service) this.cells.delete(k);
  }

  private cell(service: string, version: string): Cell {
    const k = key(service, version);
    let c = this.cells.get(k);
    if (c === undefined) {
      c = {
        service,
        version,
        outcomes: emptyOutcomes(),
        sent: 0,
        buckets: new Float64Array(BOUNDS_S.length + 1),
        sum: 0,
        count: 0,
        recent: new Float64Array(RECENT_LATENCIES),
        recentN: 0,
        recentAt: 0,
      };
      this.cells.set(k, c);
    }
    return c;
  }
}

/** Stats with nothing counted yet. */
export function zeroShadowStats(): ShadowStats {
  return statsOf(undefined);
}

const key = (service: string, version: string) => `${service}\0${version}`;
const round = (ms: number) => Math.round(ms * 1000) / 1000;

function statsOf(c: Cell | undefined): ShadowStats {
  const o = c?.outcomes ?? emptyOutcomes();
  const recent = c ? [...c.recent.subarray(0, c.recentN)].sort((a, b) => a - b) : [];
  const q = (p: number) => (recent.length ? round(recent[Math.min(recent.length - 1, Math.floor(p * recent.length))]!) : null);
  return {
    mirrored: c?.sent ?? 0,
    inflight: c ? inflightOf(c) : 0,
    skipped: o.skipped,
    dropped: o.dropped,
    errors: { status: o.error, timeout: o.timeout, unreachable: o.unreachable },
    compared: { match: o.match, mismatch: o.mismatch, uncompared: o.uncompared },
    latency: { p50Ms: q(0.5), p99Ms: q(0.99), samples: recent.length },
  };
}

function emptyOutcomes(): Record<ShadowOutcome, number> {
  return Object.fromEntries(SHADOW_OUTCOMES.map((o) => [o, 0])) as Record<ShadowOutcome, number>;
}

/** Sent copies that have not ended: sent minus the outcomes only a sent copy has. */
function inflightOf(c: Cell): number {
  const o = c.outcomes;
  return Math.max(0, c.sent - (o.match + o.mismatch + o.uncompared + o.error + o.timeout + o.unreachable));
}

function histogram(name: string, c: Cell): Sample[] {
  const labels = { service: c.service, version: c.version };
  const out: Sample[] = [];
  let cumulative = 0;
  for (let i = 0; i < c.buckets.length; i++) {
    cumulative += c.buckets[i]!;
    out.push({ labels: { ...labels, le: i < BOUNDS_S.length ? BOUNDS_S[i]! : '+Inf' }, value: cumulative, metricName: `${name}_bucket` });
  }
  out.push({ labels, value: c.sum, metricName: `${name}_sum` });
  out.push({ labels, value: c.count, metricName: `${name}_count` });
  return out;
}
