/**
 * Log delivery (日志投递): ships a service's log lines as JSON lines to the sink its
 * version names — a local file (appended) or an HTTP endpoint (POSTed in batches).
 * Delivery is best effort with a bounded buffer: a sink that is down loses the oldest
 * lines first, never the platform's memory.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ServiceVersionSpec } from '../contracts/services.js';
import type { Logger } from '../log.js';
import type { LogLine } from './log-store.js';
import type { Observed } from './reconciler.js';

type Sink = { type: 'file'; path: string } | { type: 'http'; url: string };

const MAX_BUFFER = 10_000;

export class LogDelivery {
  private sinks = new Map<string, Sink>();
  private readonly buffers = new Map<string, { sink: Sink; lines: string[] }>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    private readonly log: Logger,
    private readonly flushEveryMs = 500,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.flushEveryMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Picks each service's sink from its versions' specs (the first that names one). */
  update(o: Observed): void {
    const next = new Map<string, Sink>();
    for (const s of o.services) {
      for (const v of o.versions.filter((x) => x.service_id === s.id)) {
        const d = (JSON.parse(v.spec) as ServiceVersionSpec).logDelivery;
        if (d && d.type !== 'off') {
          next.set(s.name, d);
          break;
        }
      }
    }
    this.sinks = next;
  }

  accept(l: LogLine): void {
    const sink = this.sinks.get(l.service);
    if (!sink) return;
    const key = sink.type === 'file' ? `file:${sink.path}` : `http:${sink.url}`;
    let b = this.buffers.get(key);
    if (!b) this.buffers.set(key, (b = { sink, lines: [] }));
    b.lines.push(JSON.stringify({ ts: l.ts, service: l.service, instance: l.instanceId, stream: l.stream, line: l.line }));
    if (b.lines.length > MAX_BUFFER) b.lines.splice(0, b.lines.length - MAX_BUFFER);
  }

  flush(): Promise<void> {
    this.flushing ??= this.flushAll().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushAll(): Promise<void> {
    for (const b of this.buffers.values()) {
      if (!b.lines.length) continue;
      const lines = b.lines.splice(0);
      const body = `${lines.join('\n')}\n`;
      try {
        if (b.sink.type === 'file') {
          await fsp.mkdir(path.dirname(b.sink.path), { recursive: true });
          await fsp.appendFile(b.sink.path, body);
        } else {
          const r = await fetch(b.sink.url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body, signal: AbortSignal.timeout(5_000) });
          if (!r.ok) throw new Error(`HTTP ${r.status}`);
        }
      } catch (e) {
        b.lines.unshift(...lines.slice(-MAX_BUFFER + b.lines.length));
        this.log.warn({ sink: b.sink.type, err: (e as Error).message }, 'log delivery failed; will retry');
      }
    }
  }
}
