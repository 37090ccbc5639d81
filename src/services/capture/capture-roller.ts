/**
 * One capture stream (a service version on this replica) buffered in memory and cut into
 * whole objects: S3 has no append, so each file is written once, complete. A file is
 * rolled when it reaches `rollBytes`, when its first record is `rollMs` old, and when a
 * record falls in another UTC hour than the file's (so every file sits in the hour folder
 * of all its records, which the browse API lists by).
 *
 * Key: captures/<service>/<version>/<yyyy>/<mm>/<dd>/<hh>/<yyyymmddThhmmssSSSZ>-<replica>-<n>.jsonl
 */

export interface RolledFile {
  key: string;
  /** the file's bytes, in the roller's buffers (written one after another) */
  chunks: Buffer[];
  size: number;
  records: number;
  service: string;
  seq: number;
}

export const CAPTURE_PREFIX = 'captures';
const HOUR_MS = 3_600_000;
/** lines are written into buffers of this size (a longer line gets one of its own) */
const SLAB_BYTES = 256 * 1024;

export class CaptureRoller {
  /** the file so far: full parts of earlier buffers */
  private chunks: Buffer[] = [];
  /** the buffer being written, from `start` (this file's part of it) to `off` */
  private cur: Buffer | undefined;
  private start = 0;
  private off = 0;
  private bytes = 0;
  private records = 0;
  private firstAt = 0;

  constructor(
    readonly service: string,
    readonly seq: number,
    private readonly opts: { rollBytes: number; rollMs: number; replica: string; nextN: () => number },
  ) {}

  /** bytes buffered now (not yet rolled) */
  get size(): number {
    return this.bytes;
  }

  /**
   * Adds one line, given in pieces (its record's time `at`); returns the file it rolled
   * first, when the line falls in another hour than the file so far, and the file it
   * filled, when it did. Answers the line's size in bytes as `bytes`. `ascii[i]` says piece
   * i is ASCII only (base64): written byte for byte, the others as UTF-8.
   */
  add(parts: readonly string[], at: number, ascii: readonly boolean[] = []): { bytes: number; rolled: RolledFile[] } {
    const rolled: RolledFile[] = [];
    if (this.records > 0 && Math.floor(at / HOUR_MS) !== Math.floor(this.firstAt / HOUR_MS)) rolled.push(this.roll()!);
    if (this.records === 0) this.firstAt = at;
    let n = 0;
    for (let i = 0; i < parts.length; i++) n += ascii[i] ? parts[i]!.length : Buffer.byteLength(parts[i]!);
    if (this.cur === undefined || this.off + n > this.cur.length) {
      this.seal();
      this.cur = Buffer.allocUnsafe(Math.max(SLAB_BYTES, n));
      this.start = this.off = 0;
    }
    for (let i = 0; i < parts.length; i++) this.off += this.cur.write(parts[i]!, this.off, ascii[i] ? 'latin1' : 'utf8');
    this.bytes += n;
    this.records++;
    if (this.bytes >= this.opts.rollBytes) rolled.push(this.roll()!);
    return { bytes: n, rolled };
  }

  /** The file to write when it is due by time (or `force`), else undefined. */
  due(now: number, force = false): RolledFile | undefined {
    if (this.records === 0) return undefined;
    return force || now - this.firstAt >= this.opts.rollMs ? this.roll() : undefined;
  }

  /** This file's part of the current buffer joins its chunks; the rest of the buffer serves the next lines. */
  private seal(): void {
    if (this.cur !== undefined && this.off > this.start) this.chunks.push(this.cur.subarray(this.start, this.off));
    this.start = this.off;
  }

  private roll(): RolledFile | undefined {
    if (this.records === 0) return undefined;
    this.seal();
    const file = {
      key: captureKey(this.service, this.seq, this.firstAt, this.opts.replica, this.opts.nextN()),
      chunks: this.chunks,
      size: this.bytes,
      records: this.records,
      service: this.service,
      seq: this.seq,
    };
    this.chunks = [];
    this.bytes = 0;
    this.records = 0;
    return file;
  }
}

/** The object key of a capture file whose first record is at `at`. */
export function captureKey(service: string, seq: number, at: number, replica: string, n: number): string {
  const iso = new Date(at).toISOString(); // 2026-12-04T18:30:12.345Z
  const [y, mo, d, h] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13)];
  const stamp = `${y}${mo}${d}T${h}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}Z`;
  return `${CAPTURE_PREFIX}/${service}/${seq}/${y}/${mo}/${d}/${h}/${stamp}-${replica}-${n}.jsonl`;
}

/** A file's place in the key scheme, relative to captures/<service>/; undefined for any other key. */
const FILE =
  /^([1-9][0-9]{0,8})\/([0-9]{4})\/([0-9]{2})\/([0-9]{2})\/([0-9]{2})\/([0-9]{8})T([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{3})Z-([A-Za-z0-9_.-]{1,80})-([0-9]{1,12})\.jsonl$/;

export function parseCaptureFile(rel: string): { seq: number; startedAt: number } | undefined {
  const m = FILE.exec(rel);
  if (!m) return undefined;
  const day = m[6]!;
  const startedAt = Date.UTC(
    Number(day.slice(0, 4)),
    Number(day.slice(4, 6)) - 1,
    Number(day.slice(6, 8)),
    Number(m[7]),
    Number(m[8]),
    Number(m[9]),
    Number(m[10]),
  );
  return Number.isNaN(startedAt) ? undefined : { seq: Number(m[1]), startedAt };
}

/** A replica id (hostname/pid/random) as a key segment. */
export function replicaSegment(replica: string): string {
  return replica.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80) || 'r';
}
