/**
 * Service tokens: created, listed (never with their values), rotated, enabled/disabled and
 * deleted per service; verified on the gateway's hot path.
 *
 * A token is `md_` + 32 random base64url characters. Only its sha256 and a short hint
 * (`md_…a1b2`) are stored; the value is answered once, by create and rotate. Verification
 * hashes the given token and compares it with each of the service's token hashes in
 * constant time. The service's token set is cached in memory for `cacheTtlMs` (default
 * 1 s), so the hot path does not touch the database, and a disable or delete made on
 * another replica stops a token within that time (at once on this one).
 *
 * Limits are counted by `TokenCounters` in the store, shared by replicas, with writes
 * batched off the hot path (see there for the overshoot between replicas).
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { TokenCheck } from '../gateway/service-directory.js';
import type { Database } from '../store/db/schema.js';
import { TokenCounters, type TokenLimits } from './tokens-counters.js';
import { TokensRepo, type TokenRow } from './tokens-repo.js';

import type { TokenInfo, TokenWithValue } from '../contracts/service-ops.js';

export type { TokenInfo, TokenLimits, TokenWithValue } from '../contracts/service-ops.js';

export interface TokenPatchInput {
  name?: string;
  enabled?: boolean;
  /** replaces the limits; a missing or null field removes that limit */
  limits?: { perMinute?: number | null; perDay?: number | null };
}

interface CachedToken {
  id: string;
  hash: Buffer;
  enabled: boolean;
  limits: TokenLimits;
}

interface CacheEntry {
  expiresAt: number;
  tokens: CachedToken[];
}

export interface TokenServiceOptions {
  db: Kysely<Database>;
  /** how long a service's token set is trusted before it is read again (default 1000) */
  cacheTtlMs?: number;
  /** how often last-used times are written (default 30 s) */
  touchEveryMs?: number;
  /** how often limit counts are written to the store and read back (default 500 ms) */
  countFlushMs?: number;
  /** told when writing or reading limit counts fails */
  onError?: (err: unknown) => void;
  now?: () => number;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

export class TokenService {
  private readonly repo: TokensRepo;
  private readonly counters: TokenCounters;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly loading = new Map<string, Promise<CacheEntry>>();
  private readonly used = new Set<string>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly touchTimer: NodeJS.Timeout;

  constructor(opts: TokenServiceOptions) {
    this.repo = new TokensRepo(opts.db);
    this.ttlMs = opts.cacheTtlMs ?? 1000;
    this.now = opts.now ?? Date.now;
    this.counters = new TokenCounters({ db: opts.db, flushMs: opts.countFlushMs, now: this.now, onError: opts.onError });
    this.touchTimer = setInterval(() => void this.flushLastUsed(), opts.touchEveryMs ?? 30_000);
    this.touchTimer.unref();
  }

  // ── management ───────────────────────────────────────────────────────────
  async create(service: string, input: { name?: string; limits?: TokenLimits } = {}): Promise<TokenWithValue> {
    const serviceId = await this.repo.serviceId(service);
    const token = newToken();
    const count = (await this.repo.list(serviceId)).length;
    const row: TokenRow = {
      id: randomUUID(),
      service_id: serviceId,
      name: input.name?.trim() || `token-${count + 1}`,
      hash: sha256(token).toString('hex'),
      hint: hintOf(token),
      enabled: 1,
      per_minute: input.limits?.perMinute ?? null,
      per_day: input.limits?.perDay ?? null,
      created_at: new Date(this.now()).toISOString(),
      last_used_at: null,
    };
    await this.repo.insert(row);
    this.cache.delete(service);
    return { ...infoOf(row), token };
  }

  /** The tokens with their usage in the current minute and UTC day, as this replica counts it. */
  async list(service: string): Promise<TokenInfo[]> {
    const serviceId = await this.repo.serviceId(service);
    return this.withUsage((await this.repo.list(serviceId)).map(infoOf));
  }

  async get(service: string, id: string): Promise<TokenInfo> {
    return (await this.withUsage([infoOf(await this.repo.get(await this.repo.serviceId(service), id))]))[0]!;
  }

  /** A new value for the same token (id, name, limits and counts stay); the old value stops working. */
  async rotate(service: string, id: string): Promise<TokenWithValue> {
    const serviceId = await this.repo.serviceId(service);
    await this.repo.get(serviceId, id);
    const token = newToken();
    const row = await this.repo.update(serviceId, id, { hash: sha256(token).toString('hex'), hint: hintOf(token) });
    this.cache.delete(service);
    return { ...infoOf(row), token };
  }

  async update(service: string, id: string, patch: TokenPatchInput): Promise<TokenInfo> {
    const serviceId = await this.repo.serviceId(service);
    await this.repo.get(serviceId, id);
    const row = await this.repo.update(serviceId, id, {
      name: patch.name?.trim() || undefined,
      enabled: patch.enabled,
      perMinute: patch.limits ? (patch.limits.perMinute ?? null) : undefined,
      perDay: patch.limits ? (patch.limits.perDay ?? null) : undefined,
    });
    this.cache.delete(service);
    return infoOf(row);
  }

  async delete(service: string, id: string): Promise<void> {
    const serviceId = await this.repo.serviceId(service);
    await this.repo.delete(serviceId, id);
    this.cache.delete(service);
    await this.counters.forget(id);
  }

  // ── hot path ─────────────────────────────────────────────────────────────
  /**
   * Checks a token of a service and counts the call against its limits. `ok: false` for
   * an unknown, wrong or disabled token; `limited` when it is valid but over a limit.
   */
  async verify(service: string, token: string): Promise<TokenCheck> {
    if (!token) return { ok: false };
    let entry = this.cache.get(service);
    if (!entry || entry.expiresAt <= this.now()) entry = await this.load(service);
    const given = sha256(token);
    let match: CachedToken | undefined;
    for (const t of entry.tokens) if (timingSafeEqual(given, t.hash)) match = t;
    if (!match || !match.enabled) return { ok: false };
    this.used.add(match.id);
    if (match.limits.perMinute !== undefined || match.limits.perDay !== undefined) {
      const priming = this.counters.prime(match.id);
      if (priming) await priming;
    }
    const hit = this.counters.take(match.id, match.limits);
    return hit ? { ok: true, tokenId: match.id, limits: match.limits, limited: hit } : { ok: true, tokenId: match.id, limits: match.limits };
  }

  /** Writes pending counts and last-used times and stops the timers. */
  async close(): Promise<void> {
    clearInterval(this.touchTimer);
    await Promise.all([this.counters.close(), this.flushLastUsed()]);
  }

  /** Writes pending limit counts now and reads the shared ones back (the timer does it every `countFlushMs`). */
  flushCounts(): Promise<void> {
    return this.counters.flush();
  }

  private async withUsage(infos: TokenInfo[]): Promise<TokenInfo[]> {
    const usage = await this.counters.usage(infos.map((i) => i.id));
    return infos.map((i) => ({ ...i, usage: usage.get(i.id) ?? { minute: 0, day: 0 } }));
  }

  private load(service: string): Promise<CacheEntry> {
    let p = this.loading.get(service);
    if (!p) {
      p = this.repo
        .listByServiceName(service)
        .then((rows) => {
          const entry: CacheEntry = {
            expiresAt: this.now() + this.ttlMs,
            tokens: rows.map((r) => ({ id: r.id, hash: Buffer.from(r.hash, 'hex'), enabled: r.enabled === 1, limits: limitsOf(r) })),
          };
          this.cache.set(service, entry);
          return entry;
        })
        .finally(() => this.loading.delete(service));
      this.loading.set(service, p);
    }
    return p;
  }

  private async flushLastUsed(): Promise<void> {
    if (!this.used.size) return;
    const ids = [...this.used];
    this.used.clear();
    await this.repo.touch(ids, new Date(this.now()).toISOString()).catch(() => undefined);
  }
}

function newToken(): string {
  return `md_${randomBytes(24).toString('base64url')}`;
}

function hintOf(token: string): string {
  return `md_…${token.slice(-4)}`;
}

function limitsOf(r: TokenRow): TokenLimits {
  const l: TokenLimits = {};
  if (r.per_minute !== null) l.perMinute = r.per_minute;
  if (r.per_day !== null) l.perDay = r.per_day;
  return l;
}

function infoOf(r: TokenRow): TokenInfo {
  return { id: r.id, name: r.name, hint: r.hint, limits: limitsOf(r), enabled: r.enabled === 1, createdAt: r.created_at, lastUsedAt: r.last_used_at };
}
