/**
 * The capture sink behind the gateway (capture-hook.ts): a bounded in-memory queue,
 * drained off the hot path (setImmediate) into one roller per service version, whose
 * files are written whole to the object store. Everything it holds — queued entries,
 * buffered lines, files being written — counts against one memory bound; past it a
 * capture is dropped and counted (queue_full), and a file the store refuses is dropped
 * and counted (store_error). The call never waits for any of it and never fails by it.
 */
import type { BlobStore } from '../../store/blobs/blob-store.js';
import type { CaptureEntry, CaptureSink } from '../../gateway/capture-hook.js';
import type { Logger } from '../../log.js';
import { Readable } from 'node:stream';
import { BASE64_PARTS, captureParts } from './capture-record.js';
import { CaptureRoller, replicaSegment, type RolledFile } from './capture-roller.js';
import type { CaptureDropReason, CaptureSeries } from './capture-series.js';

export interface CaptureWriterOptions {
  /** a file is written once it holds this many bytes (default 8 MiB) */
  rollBytes: number;
  /** … or once its first record is this old (default 60 s) */
  rollMs: number;
  /** all that capture holds in memory: queued calls, buffered lines, files being written (default 64 MiB) */
  maxBufferedBytes: number;
  /** calls queued and not yet turned into lines (default 4096) */
  maxQueued: number;
}

export const CAPTURE_WRITER_DEFAULTS: CaptureWriterOptions = { rollBytes: 8 << 20, rollMs: 60_000, maxBufferedBytes: 64 << 20, maxQueued: 4096 };

/** What this replica's writer did since it started. */
export interface CaptureTotals {
  captured: number;
  files: number;
  bytes: number;
  dropped: Record<CaptureDropReason, number>;
}

const DRAIN_BATCH = 128;
const WARN_EVERY_MS = 30_000;

export class CaptureWriter implements CaptureSink {
  private readonly opts: CaptureWriterOptions;
  private readonly replica: string;
  private queue: { e: CaptureEntry; cost: number }[] = [];
  private scheduled = false;
  /** bytes held: queued entries (estimated), buffered lines, files being written */
  private held = 0;
  private readonly rollers = new Map<string, CaptureRoller>();
  private readonly writing = new Set<Promise<void>>();
  private readonly timer: NodeJS.Timeout;
  private fileN = 0;
  private lastWarn = 0;
  readonly totals: CaptureTotals = { captured: 0, files: 0, bytes: 0, dropped: { queue_full: 0, store_error: 0 } };

  constructor(
    private readonly deps: { blobs: BlobStore; replica: string; log: Logger; series?: CaptureSeries },
    opts: Partial<CaptureWriterOptions> = {},
  ) {
    this.opts = { ...CAPTURE_WRITER_DEFAULTS, ...opts };
    this.replica = replicaSegment(deps.replica);
    this.timer = setInterval(() => this.rollDue(Date.now()), Math.max(50, Math.min(1_000, this.opts.rollMs / 2)));
    this.timer.unref();
  }

  /** bytes capture holds in memory now */
  get heldBytes(): number {
    return this.held;
  }

  offer(e: CaptureEntry): void {
    const cost = estimate(e);
    if (this.queue.length >= this.opts.maxQueued || this.held + cost > this.opts.maxBufferedBytes) {
      this.drop(e.service, e.seq, 'queue_full');
      return;
    }
    this.queue.push({ e, cost });
    this.held += cost;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain(DRAIN_BATCH));
    }
  }

  /** Writes every buffered capture now (rolls all files) and waits for the writes. */
  async flush(): Promise<void> {
    this.drain(Infinity);
    for (const r of this.rollers.values()) this.write(r.due(Date.now(), true));
    while (this.writing.size > 0) await Promise.allSettled([...this.writing]);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Turns up to `n` queued entries into lines; schedules itself again while entries remain. */
  private drain(n: number): void {
    this.scheduled = false;
    const batch = this.queue.length <= n ? this.queue.splice(0) : this.queue.splice(0, n);
    for (const { e, cost } of batch) {
      this.held -= cost;
      let parts: string[];
      try {
        parts = captureParts(e);
      } catch (err) {
        this.deps.log.warn({ err, service: e.service }, 'capture: a call could not be recorded');
        continue;
      }
      const { bytes, rolled } = this.roller(e.service, e.seq).add(parts, e.at, BASE64_PARTS);
      this.held += bytes;
      for (const f of rolled) this.write(f);
    }
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain(DRAIN_BATCH));
    }
  }

  private roller(service: string, seq: number): CaptureRoller {
    const k = `${service}\0${seq}`;
    let r = this.rollers.get(k);
    if (r === undefined) {
      r = new CaptureRoller(service, seq, { rollBytes: this.opts.rollBytes, rollMs: this.opts.rollMs, replica: this.replica, nextN: () => ++this.fileN });
      this.rollers.set(k, r);
    }
    return r;
  }

  private rollDue(now: number): void {
    for (const [k, r] of this.rollers) {
      if (r.size === 0) {
        this.rollers.delete(k);
        continue;
      }
      this.write(r.due(now));
    }
  }

  /** Writes a rolled file; its bytes stay held until the store answers. */
  private write(f: RolledFile | undefined): void {
    if (f === undefined) return;
    const size = f.size;
    const p = Promise.resolve()
      .then(() => this.deps.blobs.put(f.key, f.chunks.length === 1 ? f.chunks[0]! : Readable.from(f.chunks, { objectMode: false })))
      .then(
        () => {
          this.totals.captured += f.records;
          this.totals.files++;
          this.totals.bytes += size;
          this.deps.series?.written(f.service, f.seq, f.records, size);
        },
        (err: unknown) => {
          this.drop(f.service, f.seq, 'store_error', f.records);
          const now = Date.now();
          if (now - this.lastWarn >= WARN_EVERY_MS) {
            this.lastWarn = now;
            this.deps.log.warn(
              { err, key: f.key, records: f.records },
              'capture: a capture file could not be written; its captures are dropped (calls are not affected)',
            );
          }
        },
      )
      .finally(() => {
        this.held -= size;
        this.writing.delete(p);
      });
    this.writing.add(p);
  }

  private drop(service: string, seq: number, reason: CaptureDropReason, n = 1): void {
    this.totals.dropped[reason] += n;
    this.deps.series?.drop(service, seq, reason, n);
  }
}

/** What an entry will hold once a line: its bodies as kept, in base64 (4/3), and the fields around them. */
function estimate(e: CaptureEntry): number {
  const len = (b: Buffer | string | undefined) => (b === undefined ? 0 : typeof b === 'string' ? b.length * 3 : b.length);
  return Math.ceil((Math.min(len(e.request), e.maxBodyBytes) + Math.min(len(e.response), e.maxBodyBytes)) * 1.4) + 512;
}
