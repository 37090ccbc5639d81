/**
 * Per-token request counters over fixed windows (the current UTC minute and day), counted
 * in the store so that every replica on one database counts against the same limit and a
 * restart keeps the day's count.
 *
 * The hot path never waits on a write: `take` counts locally. Every `flushMs` (default
 * 500) the local increments go to the store in one batch (`TokenCountersRepo.add`) and the
 * shared counts of the tokens in use are read back. A replica's view of a window is
 * `shared (last read) + in flight (being written) + pending (not yet written)`: exact for
 * its own calls, and behind on other replicas' calls by at most about two flush intervals
 * (theirs not yet written, ours not yet read). A token this replica has not seen for a
 * while is read once (`prime`) before its first call is counted.
 */
import type { TokenLimits } from '../contracts/service-ops.js';
import { TokenCountersRepo, type Increment, type Span, type WindowCounts } from './token-counters-repo.js';
import type { Kysely } from 'kysely';
import type { Database } from '../store/db/schema.js';

export type { TokenLimits } from '../contracts/service-ops.js';

export interface LimitHit {
  window: Span;
  retryAfterSeconds: number;
}

interface Slot {
  start: number;
  shared: number;
  inflight: number;
  pending: number;
}

interface Entry {
  minute: Slot;
  day: Slot;
  lastUsed: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** an entry idle this long (nothing to write) is dropped, and read again on its next call */
const IDLE_MS = 2 * MINUTE_MS;
const PRUNE_EVERY_MS = MINUTE_MS;

const windowStart = (t: number, span: Span) => (span === 'minute' ? Math.floor(t / MINUTE_MS) * MINUTE_MS : Math.floor(t / DAY_MS) * DAY_MS);
const slot = (start: number, shared = 0): Slot => ({ start, shared, inflight: 0, pending: 0 });
const view = (s: Slot) => s.shared + s.inflight + s.pending;

export interface TokenCountersOptions {
  db: Kysely<Database>;
  /** how often local counts are written and shared counts read (default 500 ms) */
  flushMs?: number;
  now?: () => number;
  /** told when a flush starts failing (the counts stay local and go with the next one that works) */
  onError?: (err: unknown) => void;
}

export class TokenCounters {
  private readonly repo: TokenCountersRepo;
  private readonly entries = new Map<string, Entry>();
  private readonly priming = new Map<string, Promise<void>>();
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | undefined;
  private lastPrune = 0;
  private failing = false;

  constructor(private readonly opts: TokenCountersOptions) {
    this.repo = new TokenCountersRepo(opts.db);
    this.now = opts.now ?? Date.now;
    this.timer = setInterval(() => void this.flush(), opts.flushMs ?? 500);
    this.timer.unref();
  }

  /** A promise to wait for before `take` when the token's shared counts are not known yet; undefined when they are. */
  prime(tokenId: string): Promise<void> | undefined {
    if (this.entries.has(tokenId)) return undefined;
    let p = this.priming.get(tokenId);
    if (!p) {
      const t = this.now();
      const [m, d] = [windowStart(t, 'minute'), windowStart(t, 'day')];
      p = this.repo
        .read([tokenId], m, d)
        .then((counts) => counts.get(tokenId)!)
        .catch((err: unknown) => {
          this.opts.onError?.(err);
          return { minute: 0, day: 0 };
        })
        .then((c) => {
          if (!this.entries.has(tokenId)) this.entries.set(tokenId, { minute: slot(m, c.minute), day: slot(d, c.day), lastUsed: this.now() });
        })
        .finally(() => this.priming.delete(tokenId));
      this.priming.set(tokenId, p);
    }
    return p;
  }

  /** Counts one call for the token unless a limit is reached; answers the limit hit, if any. */
  take(tokenId: string, limits: TokenLimits): LimitHit | undefined {
    if (limits.perMinute === undefined && limits.perDay === undefined) return undefined;
    const t = this.now();
    const e = this.entry(tokenId, t);
    if (limits.perDay !== undefined && view(e.day) >= limits.perDay) {
      return { window: 'day', retryAfterSeconds: Math.max(1, Math.ceil((e.day.start + DAY_MS - t) / 1000)) };
    }
    if (limits.perMinute !== undefined && view(e.minute) >= limits.perMinute) {
      return { window: 'minute', retryAfterSeconds: Math.max(1, Math.ceil((e.minute.start + MINUTE_MS - t) / 1000)) };
    }
    e.minute.pending++;
    e.day.pending++;
    e.lastUsed = t;
    return undefined;
  }

  /** Forgets a deleted token, here and in the store. */
  async forget(tokenId: string): Promise<void> {
    this.entries.delete(tokenId);
    await this.repo.forget(tokenId);
  }

  /** The counts of the current minute and day as this replica sees them (from the store for tokens it does not track). */
  async usage(tokenIds: string[]): Promise<WindowCounts> {
    const t = this.now();
    const [m, d] = [windowStart(t, 'minute'), windowStart(t, 'day')];
    const untracked = tokenIds.filter((id) => !this.entries.has(id));
    const out = untracked.length ? await this.repo.read(untracked, m, d) : new Map();
    for (const id of tokenIds) {
      const e = this.entries.get(id);
      if (e) out.set(id, { minute: e.minute.start === m ? view(e.minute) : 0, day: e.day.start === d ? view(e.day) : 0 });
    }
    return out;
  }

  /** Writes pending counts and reads the shared ones; one flush at a time (a second call joins the running one). */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce()
      .then(() => {
        this.failing = false;
      })
      .catch((err: unknown) => {
        if (!this.failing) this.opts.onError?.(err); // once per outage, not every flush
        this.failing = true;
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.flush();
  }

  private entry(tokenId: string, t: number): Entry {
    let e = this.entries.get(tokenId);
    if (!e) {
      // not primed (a caller that did not wait): count from zero until the next read
      e = { minute: slot(windowStart(t, 'minute')), day: slot(windowStart(t, 'day')), lastUsed: t };
      this.entries.set(tokenId, e);
    }
    const m = windowStart(t, 'minute');
    const d = windowStart(t, 'day');
    if (e.minute.start < m) e.minute = slot(m);
    if (e.day.start < d) e.day = slot(d);
    return e;
  }

  private async flushOnce(): Promise<void> {
    const batch: { inc: Increment; slot: Slot }[] = [];
    for (const [tokenId, e] of this.entries) {
      for (const span of ['minute', 'day'] as const) {
        const s = e[span];
        if (s.pending === 0) continue;
        batch.push({ inc: { tokenId, span, start: s.start, count: s.pending }, slot: s });
        s.inflight += s.pending;
        s.pending = 0;
      }
    }
    try {
      if (batch.length) await this.repo.add(batch.map((b) => b.inc));
    } catch (err) {
      for (const b of batch) {
        b.slot.inflight -= b.inc.count;
        b.slot.pending += b.inc.count;
      }
      throw err;
    }
    await this.refresh();
  }

  /** Reads the shared counts of the tracked tokens; drops idle ones and, now and then, old windows. */
  private async refresh(): Promise<void> {
    const t = this.now();
    const [m, d] = [windowStart(t, 'minute'), windowStart(t, 'day')];
    for (const [id, e] of this.entries) {
      const quiet = e.minute.pending === 0 && e.day.pending === 0;
      if (quiet && t - e.lastUsed > IDLE_MS) this.entries.delete(id);
    }
    const ids = [...this.entries.keys()];
    if (ids.length) {
      const counts = await this.repo.read(ids, m, d);
      for (const [id, c] of counts) {
        const e = this.entries.get(id);
        if (!e) continue;
        e.minute = settle(e.minute, m, c.minute);
        e.day = settle(e.day, d, c.day);
      }
    }
    if (t - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = t;
      await this.repo.prune(m - 10 * MINUTE_MS, d - 2 * DAY_MS);
    }
  }
}

/**
 * A slot after a read of its window's shared count (which includes what this replica has
 * written): in-flight counts are in it now. A slot of an older window with nothing left to
 * write moves to the current one.
 */
function settle(s: Slot, start: number, shared: number): Slot {
  if (s.start === start) return { start, shared, inflight: 0, pending: s.pending };
  if (s.start < start && s.pending === 0) return { start, shared, inflight: 0, pending: 0 };
  return s; // a newer window (the clock moved on during the read), or an older one still to write
}
