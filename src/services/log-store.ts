/**
 * Service logs: instance stdout/stderr and gateway access lines, kept per service in a
 * bounded ring (oldest dropped first) and queried by time, instance, keyword and cursor.
 */
import type { ServiceLogLine } from '../contracts/service-ops.js';

export type LogLine = ServiceLogLine;

export interface LogQuery {
  since?: string;
  until?: string;
  instance?: string;
  keyword?: string;
  /** only lines after this cursor (the `seq` of the last line seen) */
  after?: number;
  limit: number;
}

export class LogStore {
  private readonly rings = new Map<string, LogLine[]>();
  private seq = 0;
  private readonly listeners = new Set<(l: LogLine) => void>();

  private readonly slack: number;

  constructor(private readonly perServiceLines = 5_000) {
    this.slack = Math.max(1, Math.ceil(perServiceLines / 8));
  }

  append(l: Omit<LogLine, 'seq'>): void {
    const line = { ...l, seq: ++this.seq };
    let ring = this.rings.get(l.service);
    if (!ring) this.rings.set(l.service, (ring = []));
    ring.push(line);
    // trimmed in steps, not a line at a time: a splice per call moved 5,000 entries per call
    if (ring.length >= this.perServiceLines + this.slack) ring.splice(0, ring.length - this.perServiceLines);
    for (const fn of this.listeners) fn(line);
  }

  query(service: string, q: LogQuery): { items: LogLine[]; cursor: number } {
    const all = this.rings.get(service) ?? [];
    const ring = all.length > this.perServiceLines ? all.slice(-this.perServiceLines) : all;
    const kw = q.keyword?.toLowerCase();
    const items: LogLine[] = [];
    for (const l of ring) {
      if (q.after !== undefined && l.seq <= q.after) continue;
      if (q.since && l.ts < q.since) continue;
      if (q.until && l.ts > q.until) continue;
      if (q.instance && l.instanceId !== q.instance) continue;
      if (kw && !l.line.toLowerCase().includes(kw)) continue;
      items.push(l);
    }
    const page = items.slice(-q.limit);
    return { items: page, cursor: page.length ? page[page.length - 1]!.seq : (q.after ?? this.seq) };
  }

  /** Live tail: calls fn for every new line; returns an unsubscribe function. */
  subscribe(fn: (l: LogLine) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  drop(service: string): void {
    this.rings.delete(service);
  }
}
