/**
 * The platform's Prometheus series (GET /metrics), documented in docs/observability.md and
 * charted by deploy/grafana/modeldock-dashboard.json.
 *
 * Labels stay bounded: service, version (its number), instance_id (an id the platform
 * created, dropped with its series once the instance is gone; not `instance`, which
 * Prometheus sets to the scrape target), code (an HTTP status) and
 * small closed sets (reason, outcome). Nothing per request. The gateway's hot path only
 * adds to plain numbers (call-series.ts); calls in flight are read from the
 * gateway's upstreams when Prometheus scrapes, not counted per call.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';
import { CallSeries } from './call-series.js';

/** Why a call got a 429: its token's per-minute/day limit, or the version's per-instance limits. */
export type LimitReason = 'token' | 'instance_limit';

export interface InflightSample {
  service: string;
  seq: number;
  instanceId: string;
  inflight: number;
}

export interface InstanceSample {
  service: string;
  seq: number;
  instanceId: string;
  restarts: number;
}

type Svi = 'service' | 'version' | 'instance_id';

const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class PlatformSeries {
  readonly registry = new Registry();
  private readonly calls: CallSeries;
  private readonly ready: Gauge<'service' | 'version'>;
  private readonly rateLimited: Counter<'service' | 'reason'>;
  private readonly restarts: Counter<Svi>;
  private readonly coldStarts: Counter<'service' | 'version'>;
  private readonly heldNow: Gauge<'service' | 'version'>;
  private readonly held: Counter<'service' | 'version' | 'outcome'>;
  private readonly batches: Counter<Svi>;
  private readonly batchRows: Counter<Svi>;
  private readonly queueDepth: Gauge<Svi>;
  /** instance id → what it was last seen as (for restart deltas and dropping its series) */
  private readonly instances = new Map<string, InstanceSample>();
  private inflightSource: () => Iterable<InflightSample> = () => [];

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'modeldock_platform_' });
    const registers = [this.registry];
    this.calls = new CallSeries(
      this.registry,
      LATENCY_BUCKETS_S,
      { requests: 'modeldock_requests_total', duration: 'modeldock_request_duration_seconds' },
      {
        requests: 'calls through the gateway, by HTTP status (instance_id "" when refused before one was chosen)',
        duration: 'gateway call latency, arrival to answer',
      },
    );
    this.ready = new Gauge({ name: 'modeldock_ready_instances', help: 'ready instances per service version', labelNames: ['service', 'version'], registers });
    const source = () => this.inflightSource();
    new Gauge({
      name: 'modeldock_inflight_calls',
      help: 'calls the gateway has sent to an instance and not yet had answered',
      labelNames: ['service', 'version', 'instance_id'],
      registers,
      collect() {
        this.reset();
        for (const s of source()) this.set({ service: s.service, version: String(s.seq), instance_id: s.instanceId }, s.inflight);
      },
    });
    this.rateLimited = new Counter({
      name: 'modeldock_rate_limited_total',
      help: "429 answers by reason: token (its per-minute/day limit) or instance_limit (the version's per-instance requests/s or concurrency)",
      labelNames: ['service', 'reason'],
      registers,
    });
    this.restarts = new Counter({
      name: 'modeldock_instance_restarts_total',
      help: 'in-place restarts of an instance (crash or failed health checks)',
      labelNames: ['service', 'version', 'instance_id'],
      registers,
    });
    this.coldStarts = new Counter({
      name: 'modeldock_cold_starts_total',
      help: 'scale-from-zero wake-ups: a call held for a version with no ready instance while none was held already',
      labelNames: ['service', 'version'],
      registers,
    });
    this.heldNow = new Gauge({
      name: 'modeldock_held_calls',
      help: 'calls held now while a scaled-to-zero version starts an instance',
      labelNames: ['service', 'version'],
      registers,
    });
    this.held = new Counter({
      name: 'modeldock_held_calls_total',
      help: 'calls held during scale-from-zero, by outcome: ready (an instance came) or timeout',
      labelNames: ['service', 'version', 'outcome'],
      registers,
    });
    // read from each ready instance's own /metrics every few seconds by BatchStats
    this.batches = new Counter({
      name: 'modeldock_batches_total',
      help: "batches the instance's runtime ran (read from the instance)",
      labelNames: ['service', 'version', 'instance_id'],
      registers,
    });
    this.batchRows = new Counter({
      name: 'modeldock_batch_rows_total',
      help: 'rows in those batches; rows/batches is the mean batch size',
      labelNames: ['service', 'version', 'instance_id'],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'modeldock_queue_depth',
      help: "calls waiting in the instance's batcher at its last read",
      labelNames: ['service', 'version', 'instance_id'],
      registers,
    });
  }

  /** Where calls in flight are read from at scrape time (the gateway's upstreams). */
  setInflightSource(source: () => Iterable<InflightSample>): void {
    this.inflightSource = source;
  }

  /** One call. `version`/`instance` are '' when it was refused before they were chosen. */
  call(service: string, version: string, instance: string, status: number, latencyMs: number, limited?: LimitReason): void {
    this.calls.observe(service, version, instance, status, latencyMs / 1000);
    if (limited !== undefined) this.rateLimited.inc({ service, reason: limited });
  }

  /** A version's gateway calls so far (all, 5xx, latency buckets per `latencyBoundsS`), for rollout guardrails. */
  versionTotals(service: string, version: string): { calls: number; errors: number; buckets: number[] } {
    return this.calls.versionTotals(service, version);
  }

  get latencyBoundsS(): readonly number[] {
    return this.calls.latencyBoundsS;
  }

  setReady(service: string, version: string, ready: number): void {
    this.ready.set({ service, version }, ready);
  }

  /** What an instance ran since its last read (BatchStats), and its batcher's queue now. */
  instanceRead(i: { service: string; seq: number; instanceId: string }, ran: { batches: number; rows: number }, queueDepth: number | undefined): void {
    const labels = { service: i.service, version: String(i.seq), instance_id: i.instanceId };
    this.batches.inc(labels, ran.batches);
    this.batchRows.inc(labels, ran.rows);
    if (queueDepth !== undefined) this.queueDepth.set(labels, queueDepth);
  }

  /** A call starts being held for a version with no instance; returns the function to call when the hold ends. */
  hold(service: string, version: string, coldStart: boolean): (outcome: 'ready' | 'timeout') => void {
    const labels = { service, version };
    if (coldStart) this.coldStarts.inc(labels);
    this.heldNow.inc(labels);
    return (outcome) => {
      this.heldNow.dec(labels);
      this.held.inc({ service, version, outcome });
    };
  }

  /**
   * Every instance the backend reports now: counts new restarts, drops the series of
   * instances gone (resolves once they are dropped).
   */
  syncInstances(now: readonly InstanceSample[]): Promise<void> {
    const seen = new Set<string>();
    for (const i of now) {
      seen.add(i.instanceId);
      const before = this.instances.get(i.instanceId);
      // an instance seen for the first time counts its restarts so far (as BatchStats counts batches)
      const delta = before ? i.restarts - before.restarts : i.restarts;
      this.restarts.inc(instanceLabels(i), Math.max(0, delta));
      this.instances.set(i.instanceId, i);
    }
    const gone: InstanceSample[] = [];
    for (const [id, i] of this.instances) {
      if (seen.has(id)) continue;
      this.instances.delete(id);
      gone.push(i);
    }
    return gone.length ? this.forget((l) => gone.some((i) => l.instance_id === i.instanceId && l.service === i.service)) : Promise.resolve();
  }

  /** Drops every series of a service (it was deleted). */
  async dropService(service: string): Promise<void> {
    await this.forget((l) => l.service === service);
  }

  private async forget(match: (l: LabelValues<string>) => boolean): Promise<void> {
    this.calls.drop(match);
    for (const metric of [
      this.ready,
      this.rateLimited,
      this.restarts,
      this.coldStarts,
      this.heldNow,
      this.held,
      this.batches,
      this.batchRows,
      this.queueDepth,
    ] as const) {
      const { values } = await metric.get();
      const done = new Set<string>();
      for (const { labels } of values as { labels: LabelValues<string> }[]) {
        if (!match(labels)) continue;
        const { le: _le, ...own } = labels;
        const key = JSON.stringify(own);
        if (done.has(key)) continue;
        done.add(key);
        (metric as Counter<string>).remove(own);
      }
    }
  }
}

const instanceLabels = (i: InstanceSample) => ({ service: i.service, version: String(i.seq), instance_id: i.instanceId });
