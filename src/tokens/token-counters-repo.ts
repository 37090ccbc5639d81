/**
 * Shared token call counts (Kysely over `token_counters`): one row per token, span (minute
 * or day) and window start, summed over every replica on the database. Replicas add
 * batched increments with an upsert; the same SQL runs on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/db/schema.js';

export type Span = 'minute' | 'day';

/** A batch entry: `count` more calls of a token in the window that starts at `start` (ms). */
export interface Increment {
  tokenId: string;
  span: Span;
  start: number;
  count: number;
}

/** The counts of tokens in one minute and one day window. */
export type WindowCounts = Map<string, { minute: number; day: number }>;

const CHUNK = 200;

export class TokenCountersRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Adds increments (one upsert per chunk). Entries for the same key are summed first, and
   * rows go in key order so that two replicas flushing at once cannot deadlock on PostgreSQL.
   */
  async add(increments: Increment[]): Promise<void> {
    const sums = new Map<string, Increment>();
    for (const i of increments) {
      if (i.count <= 0) continue;
      const key = `${i.tokenId}\u0000${i.span}\u0000${i.start}`;
      const had = sums.get(key);
      if (had) had.count += i.count;
      else sums.set(key, { ...i });
    }
    const rows = [...sums.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, i]) => ({ token_id: i.tokenId, span: i.span, window_start: i.start, count: i.count }));
    for (let k = 0; k < rows.length; k += CHUNK) {
      await this.db
        .insertInto('token_counters')
        .values(rows.slice(k, k + CHUNK))
        .onConflict((oc) =>
          oc.columns(['token_id', 'span', 'window_start']).doUpdateSet((eb) => ({ count: eb('token_counters.count', '+', eb.ref('excluded.count')) })),
        )
        .execute();
    }
  }

  /** The counts of the tokens in the minute window starting at `minute` and the day window starting at `day` (0 when none). */
  async read(tokenIds: string[], minute: number, day: number): Promise<WindowCounts> {
    const out: WindowCounts = new Map(tokenIds.map((id) => [id, { minute: 0, day: 0 }]));
    for (let k = 0; k < tokenIds.length; k += CHUNK) {
      const rows = await this.db
        .selectFrom('token_counters')
        .select(['token_id', 'span', 'count'])
        .where('token_id', 'in', tokenIds.slice(k, k + CHUNK))
        .where((eb) =>
          eb.or([eb.and([eb('span', '=', 'minute'), eb('window_start', '=', minute)]), eb.and([eb('span', '=', 'day'), eb('window_start', '=', day)])]),
        )
        .execute();
      for (const r of rows) out.get(r.token_id)![r.span] = Number(r.count);
    }
    return out;
  }

  /** Drops windows that started before the given times; answers how many rows went. */
  async prune(minuteBefore: number, dayBefore: number): Promise<number> {
    const res = await this.db
      .deleteFrom('token_counters')
      .where((eb) =>
        eb.or([
          eb.and([eb('span', '=', 'minute'), eb('window_start', '<', minuteBefore)]),
          eb.and([eb('span', '=', 'day'), eb('window_start', '<', dayBefore)]),
        ]),
      )
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** Drops every count of a token (it was deleted). */
  async forget(tokenId: string): Promise<void> {
    await this.db.deleteFrom('token_counters').where('token_id', '=', tokenId).execute();
  }
}
