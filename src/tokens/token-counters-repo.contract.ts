/** The token-counter repository's contract on every database the store supports (run by src/store/db/store.test.ts). */
import { describe, expect, it } from 'vitest';
import type { Db } from '../store/db/connect.js';
import { TokenCountersRepo } from './token-counters-repo.js';

const MIN = 60_000;
const DAY = 86_400_000;
const day0 = Date.UTC(2026, 0, 2);

export function describeTokenCounters(name: string, open: () => Promise<Db>): void {
  describe(`Token counters: ${name}`, () => {
    const withRepo = async (fn: (repo: TokenCountersRepo, db: Db) => Promise<void>) => {
      const db = await open();
      try {
        await fn(new TokenCountersRepo(db.kysely), db);
      } finally {
        await db.close();
      }
    };

    it('adds batched increments per token and window, summing repeated keys, and reads them back', () =>
      withRepo(async (repo) => {
        expect(await repo.read(['a'], day0, day0)).toEqual(new Map([['a', { minute: 0, day: 0 }]]));
        await repo.add([
          { tokenId: 'a', span: 'minute', start: day0, count: 2 },
          { tokenId: 'a', span: 'day', start: day0, count: 2 },
          { tokenId: 'a', span: 'minute', start: day0, count: 3 },
          { tokenId: 'b', span: 'day', start: day0, count: 1 },
          { tokenId: 'a', span: 'minute', start: day0 + MIN, count: 7 },
          { tokenId: 'c', span: 'day', start: day0, count: 0 },
        ]);
        await repo.add([{ tokenId: 'a', span: 'day', start: day0, count: 4 }]);
        const got = await repo.read(['a', 'b', 'c'], day0, day0);
        expect(Object.fromEntries(got)).toEqual({ a: { minute: 5, day: 6 }, b: { minute: 0, day: 1 }, c: { minute: 0, day: 0 } });
        expect((await repo.read(['a'], day0 + MIN, day0)).get('a')).toEqual({ minute: 7, day: 6 });
      }));

    it('loses no increment when many writers add to the same rows at once', () =>
      withRepo(async (repo) => {
        const batch = [
          { tokenId: 'x', span: 'minute' as const, start: day0, count: 1 },
          { tokenId: 'x', span: 'day' as const, start: day0, count: 1 },
          { tokenId: 'y', span: 'day' as const, start: day0, count: 2 },
        ];
        // reversed orders too: the repository sorts, so PostgreSQL cannot deadlock
        await Promise.all(Array.from({ length: 20 }, (_, i) => repo.add(i % 2 ? batch : [...batch].reverse())));
        expect(Object.fromEntries(await repo.read(['x', 'y'], day0, day0))).toEqual({ x: { minute: 20, day: 20 }, y: { minute: 0, day: 40 } });
      }));

    it('prunes windows that are over, and forgets a token', () =>
      withRepo(async (repo, db) => {
        await repo.add([
          { tokenId: 'a', span: 'minute', start: day0 - 20 * MIN, count: 1 },
          { tokenId: 'a', span: 'minute', start: day0, count: 1 },
          { tokenId: 'a', span: 'day', start: day0 - 3 * DAY, count: 1 },
          { tokenId: 'a', span: 'day', start: day0, count: 1 },
          { tokenId: 'b', span: 'day', start: day0, count: 9 },
        ]);
        expect(await repo.prune(day0 - 10 * MIN, day0 - 2 * DAY)).toBe(2);
        expect(Object.fromEntries(await repo.read(['a', 'b'], day0, day0))).toEqual({ a: { minute: 1, day: 1 }, b: { minute: 0, day: 9 } });
        await repo.forget('a');
        const left = await db.kysely.selectFrom('token_counters').select(['token_id', 'count']).execute();
        expect(left.map((r) => [r.token_id, Number(r.count)])).toEqual([['b', 9]]);
      }));
  });
}
