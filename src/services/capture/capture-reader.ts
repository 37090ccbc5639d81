/**
 * Browsing captures (GET /api/v1/services/{name}/captures and …/capture-files): lists a
 * service's capture files in the object store by the key scheme (capture-roller.ts),
 * newest first, and reads their lines, filtered by version, status and time. A page is
 * bounded by `limit` records and by the files read for it; `nextCursor` goes on from where
 * a page stopped (a file and a line in it), so a client can walk back through everything.
 */
import { DomainError } from '../../contracts/errors.js';
import type { CaptureFile, CaptureItem, CapturePage, CaptureRecord } from '../../contracts/capture.js';
import type { BlobStore } from '../../store/blobs/blob-store.js';
import { readableRecord } from './capture-record.js';
import { CAPTURE_PREFIX, parseCaptureFile } from './capture-roller.js';

export interface CaptureQuery {
  version?: number;
  /** 2xx … 5xx, a status such as 503, or `error` (status ≥ 400) */
  status?: string;
  /** ISO 8601 times or durations ago (15m, 2h, 7d) */
  since?: string;
  until?: string;
  cursor?: string;
  limit?: number;
}

const HOUR_MS = 3_600_000;
/** files read for one page at most: a page that stops here says where to go on */
const FILES_PER_PAGE = 32;

export class CaptureReader {
  constructor(private readonly blobs: BlobStore) {}

  /** The service's capture files in [since, until], newest first. */
  async files(service: string, q: Pick<CaptureQuery, 'version' | 'since' | 'until'> = {}): Promise<CaptureFile[]> {
    const since = timeOf(q.since, 'since');
    const until = timeOf(q.until, 'until');
    const base = `${CAPTURE_PREFIX}/${service}/`;
    const listed = await this.blobs.list(q.version === undefined ? base : `${base}${q.version}/`);
    const out: CaptureFile[] = [];
    for (const b of listed) {
      const rel = b.key.slice(base.length);
      const f = parseCaptureFile(rel);
      if (!f) continue;
      // a file holds records from its start to the end of its hour (the roller rolls at each hour)
      if (until !== undefined && f.startedAt > until) continue;
      if (since !== undefined && (Math.floor(f.startedAt / HOUR_MS) + 1) * HOUR_MS <= since) continue;
      out.push({ file: rel, version: f.seq, size: b.size, startedAt: new Date(f.startedAt).toISOString() });
    }
    return out.sort((a, b) => (a.startedAt === b.startedAt ? (a.file < b.file ? 1 : -1) : a.startedAt < b.startedAt ? 1 : -1));
  }

  /** A page of records, newest first. */
  async query(service: string, q: CaptureQuery): Promise<CapturePage> {
    const limit = q.limit ?? 50;
    const match = statusMatcher(q.status);
    const since = timeOf(q.since, 'since');
    const until = timeOf(q.until, 'until');
    const files = await this.files(service, q);
    const from = cursorOf(q.cursor);
    let i = from ? files.findIndex((f) => f.file === from.file) : 0;
    if (i < 0) i = files.findIndex((f) => f.startedAt < from!.startedAt);
    if (i < 0) return { items: [] };
    const items: CaptureItem[] = [];
    for (let read = 0; i < files.length; i++, read++) {
      const f = files[i]!;
      if (read === FILES_PER_PAGE) return { items, nextCursor: cursor(f.file, f.startedAt, Infinity) };
      const lines = await this.lines(service, f.file);
      let l = from && from.file === f.file ? Math.min(from.line, lines.length) : lines.length;
      while (l-- > 0) {
        const r = parseLine(lines[l]!);
        if (!r || !match(r.status)) continue;
        const t = Date.parse(r.ts);
        if ((since !== undefined && t < since) || (until !== undefined && t > until)) continue;
        items.push({ ...readableRecord(r), file: f.file });
        if (items.length === limit) return { items, ...(l > 0 || i + 1 < files.length ? { nextCursor: cursor(f.file, f.startedAt, l) } : {}) };
      }
    }
    return { items };
  }

  /** The key of a capture file named relative to its service (refused unless it is one: no other object can be read this way). */
  keyOf(service: string, file: string): string {
    if (!parseCaptureFile(file)) throw new DomainError('CAPTURE_FILE_NOT_FOUND', `"${file.slice(0, 200)}" is not a capture file of service "${service}"`);
    return `${CAPTURE_PREFIX}/${service}/${file}`;
  }

  /** A whole capture file; CAPTURE_FILE_NOT_FOUND when there is none by that name. */
  async download(service: string, file: string): Promise<Buffer> {
    return this.blobs.read(this.keyOf(service, file)).catch((e: unknown) => {
      if (e instanceof DomainError && e.code === 'OBJECT_NOT_FOUND')
        throw new DomainError('CAPTURE_FILE_NOT_FOUND', `service "${service}" has no capture file "${file.slice(0, 200)}"`);
      throw e;
    });
  }

  private async lines(service: string, file: string): Promise<string[]> {
    const text = (
      await this.blobs.read(this.keyOf(service, file)).catch((e: unknown) => {
        // removed since it was listed: nothing to read
        if (e instanceof DomainError && e.code === 'OBJECT_NOT_FOUND') return Buffer.alloc(0);
        throw e;
      })
    ).toString('utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  }
}

function parseLine(line: string): CaptureRecord | undefined {
  try {
    const r = JSON.parse(line) as CaptureRecord;
    return typeof r === 'object' && r !== null && typeof r.status === 'number' && typeof r.ts === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

export const CAPTURE_STATUS_PATTERN = '^([1-5]xx|[1-5][0-9]{2}|error)$';

function statusMatcher(s: string | undefined): (status: number) => boolean {
  if (s === undefined || s === '') return () => true;
  if (!new RegExp(CAPTURE_STATUS_PATTERN).test(s)) throw invalid('status', 'give 2xx, 4xx, 5xx, a status such as 503, or error');
  if (s === 'error') return (x) => x >= 400;
  if (s.endsWith('xx')) {
    const c = Number(s[0]);
    return (x) => Math.floor(x / 100) === c;
  }
  const n = Number(s);
  return (x) => x === n;
}

const AGO = /^([0-9]{1,9})(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: HOUR_MS, d: 24 * HOUR_MS } as const;

/** A time filter in ms: an ISO 8601 time, or a duration ago (15m); undefined when not given. */
export function timeOf(v: string | undefined, field: string, now = Date.now()): number | undefined {
  if (v === undefined || v === '') return undefined;
  const ago = AGO.exec(v);
  if (ago) return now - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS];
  const t = /^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw invalid(field, 'give an ISO 8601 time (2026-01-31T12:00:00Z) or a duration ago (30s, 15m, 2h, 7d)');
  return t;
}

interface Cursor {
  file: string;
  startedAt: string;
  line: number;
}

function cursor(file: string, startedAt: string, line: number): string {
  return Buffer.from(JSON.stringify({ f: file, s: startedAt, l: Number.isFinite(line) ? line : -1 })).toString('base64url');
}

function cursorOf(c: string | undefined): Cursor | undefined {
  if (c === undefined || c === '') return undefined;
  try {
    const o = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as { f?: unknown; s?: unknown; l?: unknown };
    if (typeof o.f === 'string' && typeof o.s === 'string' && typeof o.l === 'number' && Number.isInteger(o.l)) {
      return { file: o.f, startedAt: o.s, line: o.l < 0 ? Infinity : o.l };
    }
  } catch {
    /* refused below */
  }
  throw invalid('cursor', 'is not a cursor this API gave; start again without it');
}

const invalid = (field: string, message: string) => new DomainError('INVALID_ARGUMENT', `${field} ${message}`, { fields: [{ field, message }] });
