/**
 * Leader election over the store: one row in `leases` per role. The holder renews it
 * every `ttlMs / 3`; another replica takes it over once it has expired. Works the same on
 * SQLite and PostgreSQL (a conditional UPDATE, then an INSERT for the first taker), so
 * exactly one replica runs the reconcilers at a time; when the holder dies, another
 * takes over within one TTL. A graceful stop releases the lease at once, and a holder on
 * this same host whose process is gone is replaced at once (a restart after a crash does
 * not wait out the TTL).
 */

/** This replica's id: host, process and a random part (`host/pid/xxxxxx`). */
export function replicaId(): string {
  return `${os.hostname()}/${process.pid}/${randomUUID().slice(0, 6)}`;
}

/** Whether a holder id names a process on this host that no longer runs. */
export function holderIsDeadHere(holder: string): boolean {
  const [host, pid] = holder.split('/');
  if (host !== os.hostname() || !pid || !/^\d+$/.test(pid) || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Kysely } from 'kysely';
import type { Logger } from '../log.js';
import type { Database } from '../store/db/schema.js';

export interface LeaseEvents {
  /** this replica now leads: start the singletons */
  onAcquired(): Promise<void> | void;
  /** the lease was lost (not renewed in time): stop them */
  onLost(): Promise<void> | void;
}

export class LeaderLease {
  private timer?: NodeJS.Timeout;
  private leading = false;
  private stopped = false;
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    readonly name: string,
    readonly holder: string,
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** Starts taking/renewing the lease; resolves after the first attempt (and its onAcquired). */
  start(events: LeaseEvents): Promise<void> {
    const loop = () => {
      if (this.stopped) return;
      this.turn = this.turn.then(() => this.tick(events));
      // the holder renews at a third of the TTL; the others look every second (or sooner)
      this.timer = setTimeout(loop, Math.max(50, Math.floor(this.leading ? this.ttlMs / 3 : Math.min(1_000, this.ttlMs / 5))));
      this.timer.unref();
    };
    loop();
    return this.turn;
  }

  /** Stops renewing; releases the lease when held, so another replica can take over now. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.turn;
    if (this.leading) {
      this.leading = false;
      await this.db
        .deleteFrom('leases')
        .where('name', '=', this.name)
        .where('holder', '=', this.holder)
        .execute()
        .catch(() => undefined);
    }
  }

  /** Takes or renews the lease; true when this replica holds it now. */
  async tryAcquire(now = Date.now()): Promise<boolean> {
    const expires = now + this.ttlMs;
    const renewed = await this.db
      .updateTable('leases')
      .set({ holder: this.holder, expires_at: expires })
      .where('name', '=', this.name)
      .where((eb) => eb.or([eb('holder', '=', this.holder), eb('expires_at', '<', now)]))
      .executeTakeFirst();
    if (Number(renewed.numUpdatedRows) > 0) return true;
    try {
      await this.db.insertInto('leases').values({ name: this.name, holder: this.holder, expires_at: expires }).execute();
      return true;
    } catch {
      // someone holds it (the row exists and has not expired): unless that someone is dead
      const row = await this.db.selectFrom('leases').select('holder').where('name', '=', this.name).executeTakeFirst();
      if (!row || !holderIsDeadHere(row.holder)) return false;
      const taken = await this.db
        .updateTable('leases')
        .set({ holder: this.holder, expires_at: expires })
        .where('name', '=', this.name)
        .where('holder', '=', row.holder)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) > 0) this.log.info({ lease: this.name, previous: row.holder }, 'took over the lease of a replica that is gone');
      return Number(taken.numUpdatedRows) > 0;
    }
  }

  /** Who holds the lease now (or held it last), and until when. */
  async current(): Promise<{ holder: string; expiresAt: string } | null> {
    const row = await this.db.selectFrom('leases').selectAll().where('name', '=', this.name).executeTakeFirst();
    return row ? { holder: row.holder, expiresAt: new Date(Number(row.expires_at)).toISOString() } : null;
  }

  private async tick(events: LeaseEvents): Promise<void> {
    if (this.stopped) return;
    let held: boolean;
    const started = Date.now();
    try {
      held = await this.tryAcquire(started);
      // A renewal that took longer than the TTL may already have been overtaken.
      if (held && Date.now() - started > this.ttlMs) held = false;
    } catch (e) {
      this.log.warn({ err: e, lease: this.name }, 'lease renewal failed');
      held = false;
    }
    if (held && !this.leading) {
      this.leading = true;
      this.log.info({ lease: this.name, holder: this.holder }, 'this replica now leads');
      await events.onAcquired();
    } else if (!held && this.leading) {
      this.leading = false;
      this.log.warn({ lease: this.name, holder: this.holder }, 'lost the lease: stepping down');
      await events.onLost();
    }
  }
}
