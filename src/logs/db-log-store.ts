/**
 * LogStore in the platform's database (SQLite or PostgreSQL): lines outlive a restart and
 * every replica on the database reads the same ones. Appends go to a small buffer that is
 * written every `flushEveryMs` or `flushLines` lines, never on the caller's path; a query
 * first writes this replica's buffer, so a replica reads its own lines at once.
 *
 * The cursor is the row id. On PostgreSQL a batch is inserted under a transaction-scoped
 * advisory lock, so ids become visible in the order they were given: a follower that read
 * up to id N never later finds a committed line below N from another replica.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, ServiceLogsTable } from '../store/db/schema.js';
import type { Dialect } from '../store/db/connect.js';
import { versionSeqOf } from '../contracts/service-ops.js';
import { levelOf } from './log-level.js';
import { DEFAULT_RETENTION } from './memory-log-store.js';
import { levelsFrom, lineBytes, type LogLine, type LogPage, type LogQuery, type LogRetention, type LogStore, type NewLogLine } from './log-store.js';

export interface DbLogStoreOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  retention?: Partial<LogRetention>;
  flushEveryMs?: number;
  flushLines?: number;
  pruneEveryMs?: number;
  /** lines held while the database does not answer; past it the oldest are dropped */
  maxBufferedLines?: number;
  onError?: (e: unknown, what: 'write' | 'prune') => void;
}

type Row = Omit<ServiceLogsTable, 'id'>;
const LOCK_KEY = 0x6d646c67; // "mdlg"
const BATCH = 500;

export class DbLogStore implements LogStore {
  private buffer: Row[] = [];
  private readonly listeners = new Set<(l: LogLine) => void>();
  private readonly retention: LogRetention;
  private flushing?: Promise<void>;
  private timers: NodeJS.Timeout[] = [];
  private failing = false;
  /** lines dropped because the database did not answer while the buffer was full */
  dropped = 0;

  constructor(private readonly o: DbLogStoreOptions) {
    this.retention = { ...DEFAULT_RETENTION, ...o.retention };
  }

  append(l: NewLogLine): void {
    const line = l.line;
    this.buffer.push({
      service: l.service,
      version: l.version ?? null,
      instance_id: l.instanceId ?? null,
      stream: l.stream,
      level: l.level ?? levelOf(l.stream, line),
      ts: l.ts,
      line,
      bytes: lineBytes(l),
    });
    const max = this.o.maxBufferedLines ?? 50_000;
    // the database is not keeping up: drop the oldest eighth at once, not one line per append
    if (this.buffer.length > max) this.dropped += this.buffer.splice(0, this.buffer.length - Math.floor((max * 7) / 8)).length;
    if (this.buffer.length === (this.o.flushLines ?? BATCH)) setImmediate(() => void this.flush());
  }

  async query(service: string, q: LogQuery): Promise<LogPage> {
    await this.flush();
    let s = this.o.db.selectFrom('service_logs').selectAll().where('service', '=', service);
    if (q.since) s = s.where('ts', '>=', q.since);
    if (q.until) s = s.where('ts', '<=', q.until);
    if (q.instance) s = s.where('instance_id', '=', q.instance);
    if (q.version !== undefined) s = s.where('version', '=', `v${versionSeqOf(q.version) ?? q.version}`);
    if (q.level) s = s.where('level', 'in', levelsFrom(q.level));
    if (q.keyword) {
      const kw = q.keyword.toLowerCase();
      s = s.where(this.o.dialect === 'postgres' ? sql<boolean>`strpos(lower(line), ${kw}) > 0` : sql<boolean>`instr(lower(line), ${kw}) > 0`);
    }
    const rows =
      q.after !== undefined
        ? await s.where('id', '>', q.after).orderBy('id', 'asc').limit(q.limit).execute()
        : (await s.orderBy('id', 'desc').limit(q.limit).execute()).reverse();
    const items = rows.map(toLine);
    const last = items[items.length - 1];
    if (last) return { items, cursor: last.seq };
    if (q.after !== undefined) return { items, cursor: q.after };
    const mx = await this.o.db
      .selectFrom('service_logs')
      .select((eb) => eb.fn.max('id').as('mx'))
      .executeTakeFirst();
    return { items, cursor: Number(mx?.mx ?? 0) };
  }

  subscribe(fn: (l: LogLine) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Writes the buffer (also when called while a write is under way: it waits for it). */
  flush(): Promise<void> {
    this.flushing ??= this.writeAll().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  async prune(now = new Date()): Promise<void> {
    await this.flush();
    const { db } = this.o;
    const { maxAgeMs, maxLinesPerService, maxBytesPerService } = this.retention;
    await db
      .deleteFrom('service_logs')
      .where('ts', '<', new Date(now.getTime() - maxAgeMs).toISOString())
      .execute();
    const over = await db
      .selectFrom('service_logs')
      .select(['service', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('bytes').as('b')])
      .groupBy('service')
      .execute();
    for (const s of over) {
      if (Number(s.n) > maxLinesPerService) {
        const edge = await db
          .selectFrom('service_logs')
          .select('id')
          .where('service', '=', s.service)
          .orderBy('id', 'desc')
          .offset(maxLinesPerService - 1)
          .limit(1)
          .executeTakeFirst();
        if (edge) await db.deleteFrom('service_logs').where('service', '=', s.service).where('id', '<', edge.id).execute();
      }
      if (Number(s.b) > maxBytesPerService) {
        // the newest line whose running total (newest first) passes the budget, and all older ones
        const edge = await sql<{
          id: number;
        }>`select id from (select id, sum(bytes) over (order by id desc) as cum from service_logs where service = ${s.service}) t where cum > ${maxBytesPerService} order by id desc limit 1`.execute(
          db,
        );
        const id = edge.rows[0]?.id;
        if (id !== undefined) await db.deleteFrom('service_logs').where('service', '=', s.service).where('id', '<=', Number(id)).execute();
      }
    }
  }

  async drop(service: string): Promise<void> {
    await this.flush();
    await this.o.db.deleteFrom('service_logs').where('service', '=', service).execute();
  }

  start(): void {
    const every = (ms: number, fn: () => Promise<void>) => {
      const t = setInterval(() => void fn(), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.o.flushEveryMs ?? 200, () => this.flush());
    every(this.o.pruneEveryMs ?? 60_000, () => this.prune().catch((e) => this.o.onError?.(e, 'prune')));
  }

  async close(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    await this.flush();
  }

  private async writeAll(): Promise<void> {
    // bounded: lines that keep coming while this runs wait for the next tick
    for (let round = 0; round < 20 && this.buffer.length; round++) {
      const batch = this.buffer.splice(0, this.o.flushLines ?? BATCH);
      try {
        const ids = await this.insert(batch);
        this.failing = false;
        if (this.listeners.size) batch.forEach((r, i) => this.notify({ id: Number(ids[i]!.id), ...r }));
      } catch (e) {
        this.buffer.unshift(...batch);
        if (!this.failing) this.o.onError?.(e, 'write');
        this.failing = true;
        return;
      }
    }
  }

  private insert(rows: Row[]): Promise<{ id: number }[]> {
    if (this.o.dialect === 'sqlite') return this.o.db.insertInto('service_logs').values(rows).returning('id').execute();
    return this.o.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${LOCK_KEY})`.execute(trx);
      return trx.insertInto('service_logs').values(rows).returning('id').execute();
    });
  }

  private notify(r: Row & { id: number }): void {
    const l = toLine(r);
    for (const fn of this.listeners) fn(l);
  }
}

function toLine(r: Row & { id: number }): LogLine {
  const l: LogLine = {
    seq: Number(r.id),
    ts: r.ts,
    service: r.service,
    stream: r.stream as LogLine['stream'],
    level: r.level as LogLine['level'],
    line: r.line,
  };
  if (r.instance_id !== null) l.instanceId = r.instance_id;
  if (r.version !== null) l.version = r.version;
  return l;
}
