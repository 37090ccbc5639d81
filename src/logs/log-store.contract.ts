/**
 * The contract every LogStore passes (STYLE.md §2): what a query answers, how a cursor
 * pages, what retention drops. Run by memory-log-store.test.ts and db-log-store.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LogRetention, LogStore, NewLogLine } from './log-store.js';

export interface LogStoreFixture {
  store: LogStore;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1);
const at = (n: number) => new Date(T0 + n * 1_000).toISOString();
const line = (service: string, n: number, more: Partial<NewLogLine> = {}): NewLogLine => ({
  service,
  ts: at(n),
  instanceId: 'i1',
  stream: 'stdout',
  line: `line ${n}`,
  ...more,
});
const texts = (p: { items: { line: string }[] }) => p.items.map((l) => l.line);

export function logStoreContract(name: string, make: (retention?: Partial<LogRetention>) => Promise<LogStoreFixture>): void {
  describe(`LogStore contract: ${name}`, () => {
    const open: LogStoreFixture[] = [];
    const fixture = async (r?: Partial<LogRetention>) => {
      const f = await make(r);
      open.push(f);
      return f.store;
    };
    afterEach(async () => {
      for (const f of open.splice(0)) await f.close();
    });

    it('answers the newest lines of one service, oldest first', async () => {
      const s = await fixture();
      for (let n = 1; n <= 12; n++) s.append(line('a', n));
      s.append(line('b', 1));
      expect(texts(await s.query('a', { limit: 3 }))).toEqual(['line 10', 'line 11', 'line 12']);
      expect(texts(await s.query('b', { limit: 100 }))).toEqual(['line 1']);
      expect((await s.query('none', { limit: 10 })).items).toEqual([]);
    });

    it('pages forward from a cursor without gaps, and a new line shows after the last cursor', async () => {
      const s = await fixture();
      for (let n = 1; n <= 25; n++) s.append(line('a', n));
      const seen: string[] = [];
      let cursor = 0;
      for (let page = 0; page < 5; page++) {
        const r = await s.query('a', { after: cursor, limit: 10 });
        seen.push(...texts(r));
        expect(r.cursor).toBeGreaterThanOrEqual(cursor);
        cursor = r.cursor;
      }
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `line ${i + 1}`));
      const empty = await s.query('a', { after: cursor, limit: 10 });
      expect(empty).toEqual({ items: [], cursor });
      s.append(line('a', 26));
      expect(texts(await s.query('a', { after: cursor, limit: 10 }))).toEqual(['line 26']);
      // a tail's cursor, even with nothing that matches, is where a follower starts
      const none = await s.query('a', { keyword: 'nothing like it', limit: 10 });
      s.append(line('a', 27, { line: 'nothing like it' }));
      expect(texts(await s.query('a', { after: none.cursor, limit: 10 }))).toEqual(['nothing like it']);
    });

    it('filters by instance, version, level, text and time', async () => {
      const s = await fixture();
      s.append(line('a', 1, { instanceId: 'x', version: 'v1', line: 'INFO ready' }));
      s.append(line('a', 2, { instanceId: 'y', version: 'v2', stream: 'stderr', line: 'Traceback: boom' }));
      s.append(line('a', 3, { instanceId: 'y', version: 'v2', line: '{"level":50,"msg":"failed"}' }));
      s.append(line('a', 4, { instanceId: 'x', version: 'v1', line: 'DEBUG tick' }));
      s.append(line('a', 5, { stream: 'access', instanceId: 'x', version: 'v1', line: 'POST /v1/models/a:predict 503 3ms' }));
      const all = await s.query('a', { limit: 10 });
      expect(all.items.map((l) => l.level)).toEqual(['info', 'warn', 'error', 'debug', 'error']);
      expect(all.items[0]).toMatchObject({ service: 'a', ts: at(1), instanceId: 'x', version: 'v1', stream: 'stdout', line: 'INFO ready' });
      expect(texts(await s.query('a', { instance: 'y', limit: 10 }))).toEqual(['Traceback: boom', '{"level":50,"msg":"failed"}']);
      expect(texts(await s.query('a', { version: '1', limit: 10 }))).toEqual(['INFO ready', 'DEBUG tick', 'POST /v1/models/a:predict 503 3ms']);
      expect(texts(await s.query('a', { version: 'v2', level: 'error', limit: 10 }))).toEqual(['{"level":50,"msg":"failed"}']);
      expect(texts(await s.query('a', { level: 'warn', limit: 10 }))).toHaveLength(3);
      expect(texts(await s.query('a', { keyword: 'TRACEBACK', limit: 10 }))).toEqual(['Traceback: boom']);
      expect(texts(await s.query('a', { since: at(2), until: at(3), limit: 10 }))).toEqual(['Traceback: boom', '{"level":50,"msg":"failed"}']);
      expect(texts(await s.query('a', { keyword: '100%_x', limit: 10 }))).toEqual([]);
    });

    it('tells subscribers each new line with its cursor', async () => {
      const s = await fixture();
      const got: { seq: number; line: string }[] = [];
      const off = s.subscribe((l) => got.push(l));
      s.append(line('a', 1));
      s.append(line('a', 2));
      const page = await s.query('a', { limit: 10 });
      expect(got.map((l) => l.line)).toEqual(['line 1', 'line 2']);
      expect(got.map((l) => l.seq)).toEqual(page.items.map((l) => l.seq));
      off();
    });

    it('keeps at most maxLinesPerService lines per service, the oldest dropped first', async () => {
      const s = await fixture({ maxLinesPerService: 10 });
      for (let n = 1; n <= 37; n++) s.append(line('a', n));
      s.append(line('b', 1));
      await s.prune(new Date(T0 + 60_000));
      expect(texts(await s.query('a', { limit: 100 }))).toEqual(Array.from({ length: 10 }, (_, i) => `line ${28 + i}`));
      expect(texts(await s.query('b', { limit: 100 }))).toEqual(['line 1']);
    });

    it('keeps at most maxBytesPerService bytes per service, the newest kept', async () => {
      const s = await fixture({ maxBytesPerService: 2_000 });
      for (let n = 1; n <= 40; n++) s.append(line('a', n, { line: `${n} ${'x'.repeat(200)}` }));
      await s.prune(new Date(T0 + 60_000));
      const kept = (await s.query('a', { limit: 100 })).items;
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.length).toBeLessThan(40);
      expect(kept.reduce((b, l) => b + Buffer.byteLength(l.line) + 64, 0)).toBeLessThanOrEqual(2_000);
      expect(kept[kept.length - 1]!.line.startsWith('40 ')).toBe(true);
      expect(kept.map((l) => Number(l.line.split(' ')[0]))).toEqual(Array.from({ length: kept.length }, (_, i) => 41 - kept.length + i));
    });

    it('drops lines older than maxAgeMs', async () => {
      const s = await fixture({ maxAgeMs: 10_000 });
      for (let n = 1; n <= 30; n++) s.append(line('a', n));
      await s.prune(new Date(T0 + 30_000));
      expect(texts(await s.query('a', { limit: 100 }))).toEqual(Array.from({ length: 11 }, (_, i) => `line ${20 + i}`));
    });
  });
}
