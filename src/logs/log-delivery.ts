/**
 * Log delivery (日志投递): every service log line also goes to the sinks the platform's
 * config names (`logs.sinks`: Loki, OTLP, Elasticsearch/OpenSearch, NDJSON HTTP, file) and
 * to the one its version's `logDelivery` names (any of those types). Each sink has its own
 * bounded queue (delivery-queue.ts): retried with backoff while it is down, the oldest
 * lines dropped and counted once it stays down, never a wait for the call that logged.
 */
import { Counter, type Registry } from 'prom-client';
import type { ServiceVersionSpec } from '../contracts/services.js';
import type { Logger } from '../log.js';
import type { LogSinkConfig } from '../logs-config.js';
import type { NewLogLine } from './log-store.js';
import type { Observed } from '../services/reconciler.js';
import { DeliveryQueue, type DeliveryCounters } from './delivery-queue.js';
import { sinkTransport } from './log-sinks.js';

export interface LogDeliveryOptions {
  sinks?: readonly LogSinkConfig[];
  dataDir?: string;
  registry?: Registry;
  bufferLines?: number;
  flushEveryMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

export class LogDelivery {
  private readonly platformQueues: DeliveryQueue[];
  /** per-version sinks, by `type:target`, kept across updates so a queue keeps its lines */
  private versionQueues = new Map<string, DeliveryQueue>();
  private versionSink = new Map<string, DeliveryQueue>();
  private timer?: NodeJS.Timeout;
  readonly counters: DeliveryCounters;

  constructor(
    private readonly log: Logger,
    private readonly o: LogDeliveryOptions = {},
  ) {
    this.counters = promCounters(o.registry);
    const seen = new Map<string, number>();
    this.platformQueues = (o.sinks ?? []).map((c) => {
      const n = (seen.get(c.type) ?? 0) + 1;
      seen.set(c.type, n);
      return this.queue(sinkTransport(c, n === 1 ? c.type : `${c.type}-${n}`, o.dataDir ?? '.'));
    });
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.o.flushEveryMs ?? 250);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush(true);
  }

  /** Picks each service's own sink from its versions' specs (the first that names one). */
  update(o: Observed): void {
    const next = new Map<string, DeliveryQueue>();
    const queues = new Map<string, DeliveryQueue>();
    for (const s of o.services) {
      for (const v of o.versions.filter((x) => x.service_id === s.id)) {
        const d = (JSON.parse(v.spec) as ServiceVersionSpec).logDelivery;
        if (!d || d.type === 'off') continue;
        const key = d.type === 'file' ? `file:${d.path}` : `${d.type}:${d.url}${d.type === 'elasticsearch' ? `/${d.index ?? ''}` : ''}`;
        const q = this.versionQueues.get(key) ?? this.queue(sinkTransport(d, `version-${d.type}`, this.o.dataDir ?? '.'));
        queues.set(key, q);
        next.set(s.name, q);
        break;
      }
    }
    this.versionQueues = queues;
    this.versionSink = next;
  }

  accept(l: NewLogLine): void {
    for (const q of this.platformQueues) if (!q.transport.services || q.transport.services.includes(l.service)) q.push(l);
    this.versionSink.get(l.service)?.push(l);
  }

  /** Sends what each queue holds (at stop: once more, backoff or not). */
  async flush(force = false): Promise<void> {
    const now = force ? Number.MAX_SAFE_INTEGER : Date.now();
    await Promise.all([...this.platformQueues, ...this.versionQueues.values()].map((q) => q.tick(now)));
  }

  private queue(t: ReturnType<typeof sinkTransport>): DeliveryQueue {
    return new DeliveryQueue(
      t,
      this.counters,
      { maxLines: this.o.bufferLines ?? 10_000, baseBackoffMs: this.o.baseBackoffMs, maxBackoffMs: this.o.maxBackoffMs },
      (sink, err, failures) => {
        // once per outage, and again every 10th try
        if (failures <= 1 || failures % 10 === 0)
          this.log.warn({ sink, err: err.message, failures }, failures ? 'log delivery failed; will retry' : 'log sink refused lines; dropped');
      },
    );
  }
}

function promCounters(registry?: Registry): DeliveryCounters {
  const registers = registry ? [registry] : [];
  const delivered = new Counter({ name: 'modeldock_log_lines_delivered_total', help: 'log lines a sink took', labelNames: ['sink'], registers });
  const dropped = new Counter({
    name: 'modeldock_log_lines_dropped_total',
    help: 'log lines not delivered: overflow (the sink was down and its buffer full) or rejected (it refused them)',
    labelNames: ['sink', 'reason'],
    registers,
  });
  const failed = new Counter({
    name: 'modeldock_log_delivery_failures_total',
    help: 'sends to a sink that failed and will be tried again',
    labelNames: ['sink'],
    registers,
  });
  return {
    delivered: (sink, n) => delivered.inc({ sink }, n),
    dropped: (sink, reason, n) => dropped.inc({ sink, reason }, n),
    failed: (sink) => failed.inc({ sink }),
  };
}
