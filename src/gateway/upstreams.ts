/**
 * One keep-alive undici Pool per instance URL, shared by every route that names it and
 * closed when no route does any more. Each upstream counts its calls in flight (for
 * least-loaded choice) and can be marked down for a moment after a failed connect, so
 * that the next calls go elsewhere until the directory drops it.
 */
import { Pool } from 'undici';

export class Upstream {
  inflight = 0;
  /** performance.now() until which this upstream is avoided (after a failed connect) */
  downUntil = 0;
  refs = 0;
  readonly pool: Pool;

  constructor(
    readonly url: string,
    readonly instanceId: string,
    timeoutMs: number,
  ) {
    this.pool = new Pool(url, {
      connections: 256,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: Math.min(timeoutMs, 5_000), noDelay: true },
    });
  }
}

export class Upstreams {
  private readonly byUrl = new Map<string, Upstream>();

  constructor(private readonly timeoutMs: number) {}

  /** The upstream for a URL, counted as used by one more route version. */
  acquire(url: string, instanceId: string): Upstream {
    let u = this.byUrl.get(url);
    if (!u || u.instanceId !== instanceId) {
      if (u) this.drop(u);
      u = new Upstream(url, instanceId, this.timeoutMs);
      this.byUrl.set(url, u);
    }
    u.refs++;
    return u;
  }

  /** One route version less uses it; the last one out closes the pool (calls in flight finish first). */
  release(u: Upstream): void {
    u.refs--;
    if (u.refs <= 0 && this.byUrl.get(u.url) === u) this.drop(u);
  }

  get size(): number {
    return this.byUrl.size;
  }

  async close(): Promise<void> {
    const all = [...this.byUrl.values()];
    this.byUrl.clear();
    await Promise.all(all.map((u) => u.pool.destroy().catch(() => undefined)));
  }

  private drop(u: Upstream): void {
    this.byUrl.delete(u.url);
    void u.pool.close().catch(() => undefined);
  }
}
