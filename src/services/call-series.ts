/**
 * The two per-call series, `modeldock_requests_total` (by code) and the
 * `modeldock_request_duration_seconds` histogram, counted in plain numbers per service,
 * version and instance and turned into Prometheus samples only when scraped.
 *
 * Why not prom-client's Counter and Histogram here: each of their updates validates the
 * labels and builds a hash string from them; with four labels that was ~2 µs a call on
 * the gateway's hot path. Here a call is three Map lookups and a few additions (no
 * allocation once a service, version, instance and code have been seen). The objects
 * registered on the registry speak prom-client's metric interface (name, help, type,
 * get), so they print and merge like the others.
 */
import type { Registry } from 'prom-client';

type CallLabels = { service: string; version: string; instance_id: string };

interface Cell {
  labels: CallLabels;
  codes: Map<number, number>;
  /** per bucket (not cumulative), the last one +Inf */
  buckets: Float64Array;
  sum: number;
  count: number;
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export class CallSeries {
  /** service → version → instance → cell */
  private readonly cells = new Map<string, Map<string, Map<string, Cell>>>();

  constructor(
    registry: Registry,
    private readonly boundsS: readonly number[],
    names: { requests: string; duration: string },
    help: { requests: string; duration: string },
  ) {
    const metric = (name: string, type: 'counter' | 'histogram', helpText: string, values: () => Sample[]) => {
      const get = async () => ({ name, help: helpText, type, aggregator: 'sum' as const, values: values() });
      registry.registerMetric({ name, help: helpText, type, aggregator: 'sum', get, reset: () => this.cells.clear() } as unknown as Parameters<
        Registry['registerMetric']
      >[0]);
    };
    metric(names.requests, 'counter', help.requests, () => this.requestSamples());
    metric(names.duration, 'histogram', help.duration, () => this.durationSamples(names.duration));
  }

  observe(service: string, version: string, instance: string, status: number, seconds: number): void {
    const cell = this.cell(service, version, instance);
    cell.codes.set(status, (cell.codes.get(status) ?? 0) + 1);
    const b = this.boundsS;
    let i = 0;
    while (i < b.length && seconds > b[i]!) i++;
    cell.buckets[i]!++;
    cell.sum += seconds;
    cell.count++;
  }

  /**
   * One version's calls so far, summed over its instances: all, 5xx (timeouts are 504s),
   * and the latency histogram per bucket (not cumulative). Read by rollouts' guardrails
   * once a check, never per call.
   */
  versionTotals(service: string, version: string): { calls: number; errors: number; buckets: number[] } {
    const out = { calls: 0, errors: 0, buckets: new Array<number>(this.boundsS.length + 1).fill(0) };
    for (const c of this.cells.get(service)?.get(version)?.values() ?? []) {
      out.calls += c.count;
      for (const [code, n] of c.codes) if (code >= 500) out.errors += n;
      for (let i = 0; i < c.buckets.length; i++) out.buckets[i]! += c.buckets[i]!;
    }
    return out;
  }

  get latencyBoundsS(): readonly number[] {
    return this.boundsS;
  }

  /** Drops the cells whose labels match. */
  drop(match: (l: CallLabels) => boolean): void {
    for (const [service, versions] of this.cells) {
      for (const [version, instances] of versions) {
        for (const [instance, cell] of instances) if (match(cell.labels)) instances.delete(instance);
        if (instances.size === 0) versions.delete(version);
      }
      if (versions.size === 0) this.cells.delete(service);
    }
  }

  private cell(service: string, version: string, instance: string): Cell {
    let versions = this.cells.get(service);
    if (versions === undefined) this.cells.set(service, (versions = new Map()));
    let instances = versions.get(version);
    if (instances === undefined) versions.set(version, (instances = new Map()));
    let cell = instances.get(instance);
    if (cell === undefined) {
      cell = { labels: { service, version, instance_id: instance }, codes: new Map(), buckets: new Float64Array(this.boundsS.length + 1), sum: 0, count: 0 };
      instances.set(instance, cell);
    }
    return cell;
  }

  private *all(): Generator<Cell> {
    for (const versions of this.cells.values()) for (const instances of versions.values()) yield* instances.values();
  }

  private requestSamples(): Sample[] {
    const out: Sample[] = [];
    for (const c of this.all()) for (const [code, n] of c.codes) out.push({ labels: { ...c.labels, code }, value: n });
    return out;
  }

  private durationSamples(name: string): Sample[] {
    const out: Sample[] = [];
    for (const c of this.all()) {
      let cumulative = 0;
      for (let i = 0; i < c.buckets.length; i++) {
        cumulative += c.buckets[i]!;
        out.push({ labels: { ...c.labels, le: i < this.boundsS.length ? this.boundsS[i]! : '+Inf' }, value: cumulative, metricName: `${name}_bucket` });
      }
      out.push({ labels: c.labels, value: c.sum, metricName: `${name}_sum` });
      out.push({ labels: c.labels, value: c.count, metricName: `${name}_count` });
    }
    return out;
  }
}
