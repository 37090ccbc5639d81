/**
 * Replicas share what their gateways see, so that the leading replica's autoscaler counts
 * every replica's calls: followers write their per-version traffic over the autoscaler's
 * window (and calls waiting for a scaled-to-zero version to wake) to `traffic_reports`
 * every second; the leader reads the fresh reports of the others into its autoscaler.
 */
import type { Kysely } from 'kysely';
import type { Logger } from '../log.js';
import type { Autoscaler } from '../services/autoscaler.js';
import type { Database } from '../store/db/schema.js';

export class TrafficShare {
  private timer?: NodeJS.Timeout;
  private mode: 'off' | 'report' | 'read' = 'off';
  private busy = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly replica: string,
    private readonly autoscaler: Autoscaler,
    private readonly log: Logger,
    private readonly periodMs = 1_000,
    /** reports older than this are from a replica that stopped reporting */
    private readonly maxAgeMs = 5_000,
  ) {}

  /** Follower: report this replica's traffic. */
  report(): void {
    this.switch('report');
  }

  /** Leader: read the other replicas' reports. */
  read(): void {
    this.switch('read');
  }

  stop(): void {
    this.switch('off');
  }

  /** Report (or read) now rather than at the next tick: a call is waiting for a wake-up. */
  nudge(): void {
    if (this.mode !== 'off') void this.tick();
  }

  private switch(mode: 'off' | 'report' | 'read'): void {
    this.mode = mode;
    clearTimeout(this.timer);
    if (mode === 'off') return;
    const loop = async () => {
      await this.tick();
      if (this.mode === mode) {
        this.timer = setTimeout(() => void loop(), this.periodMs);
        this.timer.unref();
      }
    };
    void loop();
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      if (this.mode === 'report') await this.writeOwn();
      else if (this.mode === 'read') await this.readPeers();
    } catch (e) {
      this.log.warn({ err: e }, 'sharing traffic with the other replicas failed');
    } finally {
      this.busy = false;
    }
  }

  private async writeOwn(): Promise<void> {
    const now = Date.now();
    const rows = this.autoscaler.snapshot().map((s) => ({
      replica: this.replica,
      version_id: s.versionId,
      requests: s.requests,
      busy_ms: s.busyMs,
      holds: s.holds,
      last_request_at: Number.isFinite(s.lastRequestAt) ? s.lastRequestAt : 0,
      reported_at: now,
    }));
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('traffic_reports').where('replica', '=', this.replica).execute();
      if (rows.length) await tx.insertInto('traffic_reports').values(rows).execute();
    });
  }

  private async readPeers(): Promise<void> {
    const rows = await this.db
      .selectFrom('traffic_reports')
      .selectAll()
      .where('replica', '!=', this.replica)
      .where('reported_at', '>', Date.now() - this.maxAgeMs)
      .execute();
    this.autoscaler.setPeers(
      rows.map((r) => ({ versionId: r.version_id, requests: r.requests, busyMs: r.busy_ms, holds: r.holds, lastRequestAt: Number(r.last_request_at) })),
    );
  }
}
