/**
 * Per-token request counters over fixed windows (the current UTC minute and day).
 *
 * In memory, so exact for one platform process. Several gateway replicas each count on
 * their own: a token with perMinute N can then pass up to N × replicas calls a minute.
 * A shared counter (a PostgreSQL row or Redis) would close that gap.
 */
import type { TokenLimits } from '../contracts/service-ops.js';

export type { TokenLimits } from '../contracts/service-ops.js';

export interface LimitHit {
  window: 'minute' | 'day';
  retryAfterSeconds: number;
}

interface Counter {
  minute: number;
  minuteCount: number;
  day: number;
  dayCount: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export class TokenCounters {
  private readonly counters = new Map<string, Counter>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one call for the token unless a limit is reached; answers the limit hit, if any. */
  take(tokenId: string, limits: TokenLimits): LimitHit | undefined {
    if (limits.perMinute === undefined && limits.perDay === undefined) return undefined;
    const t = this.now();
    const minute = Math.floor(t / MINUTE_MS);
    const day = Math.floor(t / DAY_MS);
    let c = this.counters.get(tokenId);
    if (!c) {
      c = { minute, minuteCount: 0, day, dayCount: 0 };
      this.counters.set(tokenId, c);
    }
    if (c.minute !== minute) {
      c.minute = minute;
      c.minuteCount = 0;
    }
    if (c.day !== day) {
      c.day = day;
      c.dayCount = 0;
    }
    if (limits.perDay !== undefined && c.dayCount >= limits.perDay) {
      return { window: 'day', retryAfterSeconds: Math.max(1, Math.ceil(((day + 1) * DAY_MS - t) / 1000)) };
    }
    if (limits.perMinute !== undefined && c.minuteCount >= limits.perMinute) {
      return { window: 'minute', retryAfterSeconds: Math.max(1, Math.ceil(((minute + 1) * MINUTE_MS - t) / 1000)) };
    }
    c.minuteCount++;
    c.dayCount++;
    return undefined;
  }

  /** Forgets a token (deleted or rotated counts stay: a rotation keeps the id, so it keeps its count). */
  forget(tokenId: string): void {
    this.counters.delete(tokenId);
  }

  /** Current counts, for listings. */
  usage(tokenId: string): { minute: number; day: number } {
    const c = this.counters.get(tokenId);
    const t = this.now();
    if (!c) return { minute: 0, day: 0 };
    return { minute: c.minute === Math.floor(t / MINUTE_MS) ? c.minuteCount : 0, day: c.day === Math.floor(t / DAY_MS) ? c.dayCount : 0 };
  }
}
