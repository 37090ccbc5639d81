/**
 * The contract TokensRepo passes on every database the store supports: tokens kept per
 * service (only hash and hint), patched field by field, verified by service name except
 * for a service being deleted, and TOKEN_NOT_FOUND for another service's token.
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../store/db/connect.js';
import { ServicesRepo } from '../services/services-repo.js';
import { TokensRepo, type TokenRow } from './tokens-repo.js';

const service = (name: string) => ({ name, description: '', tags: {}, billingMode: 'postpaid', auth: true });
const version = { modelName: 'm', modelVersion: 1, runtime: 'r', spec: {}, weight: 100, desiredInstances: 1 };

export function describeTokensRepo(name: string, open: () => Promise<Db>): void {
  describe(`TokensRepo contract: ${name}`, () => {
    const withRepos = async (fn: (tokens: TokensRepo, services: ServicesRepo) => Promise<void>) => {
      const db = await open();
      try {
        await fn(new TokensRepo(db.kysely), new ServicesRepo(db.kysely));
      } finally {
        await db.close();
      }
    };
    const row = (id: string, serviceId: string): TokenRow => ({
      id,
      service_id: serviceId,
      name: id,
      hash: `h-${id}`,
      hint: 'md_…abcd',
      enabled: 1,
      per_minute: null,
      per_day: null,
      created_at: new Date().toISOString(),
      last_used_at: null,
    });

    it('keeps tokens per service and patches only the fields given', () =>
      withRepos(async (tokens, services) => {
        const a = await services.create(service('a'), version);
        const b = await services.create(service('b'), version);
        expect(await tokens.serviceId('a')).toBe(a.id);
        await expect(tokens.serviceId('zzz')).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND' });
        await tokens.insert(row('t1', a.id));
        await tokens.insert(row('t2', b.id));
        expect((await tokens.list(a.id)).map((t) => t.id)).toEqual(['t1']);
        const patched = await tokens.update(a.id, 't1', { enabled: false, perMinute: 60 });
        expect([patched.enabled, patched.per_minute, patched.per_day, patched.hash]).toEqual([0, 60, null, 'h-t1']);
        await expect(tokens.get(a.id, 't2')).rejects.toMatchObject({ code: 'TOKEN_NOT_FOUND' });
        await expect(tokens.delete(a.id, 't2')).rejects.toMatchObject({ code: 'TOKEN_NOT_FOUND' });
        await tokens.touch(['t1', 't2'], '2026-12-04T00:00:00.000Z');
        expect((await tokens.get(b.id, 't2')).last_used_at).toBe('2026-12-04T00:00:00.000Z');
        await tokens.delete(a.id, 't1');
        expect(await tokens.list(a.id)).toEqual([]);
      }));

    it('verifies by service name, and not for a service being deleted', () =>
      withRepos(async (tokens, services) => {
        const s = await services.create(service('going'), version);
        await tokens.insert(row('t1', s.id));
        expect((await tokens.listByServiceName('going')).map((t) => t.id)).toEqual(['t1']);
        await services.setDesired(s.id, 'deleted');
        expect(await tokens.listByServiceName('going')).toEqual([]);
        await expect(tokens.serviceId('going')).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND' });
      }));
  });
}
