/**
 * LogStore in this process's memory: a bounded ring per service (oldest dropped first).
 * Lost on a restart and seen by one replica only; for tests and `logs.store: memory`.
 */
import { versionSeqOf } from '../contracts/service-ops.js';
import { levelOf } from './log-level.js';
import { levelsFrom, lineBytes, type LogLine, type LogPage, type LogQuery, type LogRetention, type LogStore, type NewLogLine } from './log-store.js';

export const DEFAULT_RETENTION: LogRetention = { maxAgeMs: 72 * 3_600_000, maxLinesPerService: 100_000, maxBytesPerService: 64 * 1024 * 1024 };

interface Ring {
  lines: LogLine[];
  bytes: number;
}

export class MemoryLogStore implements LogStore {
  private readonly rings = new Map<string, Ring>();
  private seq = 0;
  private readonly listeners = new Set<(l: LogLine) => void>();
  private readonly slack: number;
  private readonly retention: LogRetention;
  private timer?: NodeJS.Timeout;

  constructor(
    retention: Partial<LogRetention> = {},
    private readonly pruneEveryMs = 60_000,
  ) {
    this.retention = { ...DEFAULT_RETENTION, ...retention };
    this.slack = Math.max(1, Math.ceil(this.retention.maxLinesPerService / 8));
  }

  append(l: NewLogLine): void {
    const line: LogLine = { ...l, level: l.level ?? levelOf(l.stream, l.line), seq: ++this.seq };
    let ring = this.rings.get(l.service);
    if (!ring) this.rings.set(l.service, (ring = { lines: [], bytes: 0 }));
    ring.lines.push(line);
    ring.bytes += lineBytes(line);
    // trimmed in steps, not a line at a time: a splice per call moved 5,000 entries per call
    if (ring.lines.length >= this.retention.maxLinesPerService + this.slack) this.trimTo(ring, ring.lines.length - this.retention.maxLinesPerService);
    if (ring.bytes > this.retention.maxBytesPerService) this.trimBytes(ring);
    for (const fn of this.listeners) fn(line);
  }

  async query(service: string, q: LogQuery): Promise<LogPage> {
    const ring = this.rings.get(service)?.lines ?? [];
    const max = this.retention.maxLinesPerService;
    const from = Math.max(0, ring.length - max);
    const match = matcher(q);
    const items: LogLine[] = [];
    if (q.after !== undefined) {
      for (let i = from; i < ring.length && items.length < q.limit; i++) if (match(ring[i]!)) items.push(ring[i]!);
    } else {
      for (let i = ring.length - 1; i >= from && items.length < q.limit; i--) if (match(ring[i]!)) items.push(ring[i]!);
      items.reverse();
    }
    const last = items[items.length - 1];
    return { items, cursor: last ? last.seq : q.after === undefined ? this.seq : Math.max(q.after, 0) };
  }

  subscribe(fn: (l: LogLine) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async prune(now = new Date()): Promise<void> {
    const oldest = new Date(now.getTime() - this.retention.maxAgeMs).toISOString();
    for (const ring of this.rings.values()) {
      let n = 0;
      while (n < ring.lines.length && ring.lines[n]!.ts < oldest) n++;
      if (ring.lines.length > this.retention.maxLinesPerService) n = Math.max(n, ring.lines.length - this.retention.maxLinesPerService);
      this.trimTo(ring, n);
    }
  }

  async drop(service: string): Promise<void> {
    this.rings.delete(service);
  }

  start(): void {
    this.timer = setInterval(() => void this.prune(), this.pruneEveryMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
  }

  private trimTo(ring: Ring, n: number): void {
    if (n <= 0) return;
    for (const l of ring.lines.slice(0, n)) ring.bytes -= lineBytes(l);
    ring.lines.splice(0, n);
  }

  private trimBytes(ring: Ring): void {
    let n = 0;
    let bytes = ring.bytes;
    // down to 7/8 of the budget, so a full ring is not trimmed on every line
    while (n < ring.lines.length - 1 && bytes > (this.retention.maxBytesPerService * 7) / 8) bytes -= lineBytes(ring.lines[n++]!);
    this.trimTo(ring, n);
  }
}

/** The filter of a query, as a predicate over lines (cursor and limit aside). */
export function matcher(q: LogQuery): (l: LogLine) => boolean {
  const kw = q.keyword?.toLowerCase();
  const levels = q.level ? new Set(levelsFrom(q.level)) : undefined;
  const version = q.version === undefined ? undefined : `v${versionSeqOf(q.version) ?? q.version}`;
  return (l) =>
    !(q.after !== undefined && l.seq <= q.after) &&
    !(q.since && l.ts < q.since) &&
    !(q.until && l.ts > q.until) &&
    !(q.instance && l.instanceId !== q.instance) &&
    !(version && l.version !== version) &&
    !(levels && !levels.has(l.level)) &&
    !(kw && !l.line.toLowerCase().includes(kw));
}
