/**
 * The contract ServicesRepo passes on every database the store supports (SQLite,
 * PostgreSQL): unique names, version numbering, spec and status written apart, one-step
 * removal of a version, events folded by repeat, and a service's rows gone with it.
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../store/db/connect.js';
import { ServicesRepo, type InstanceRow, type NewServiceVersion } from './services-repo.js';

const version = (over: Partial<NewServiceVersion> = {}): NewServiceVersion => ({
  modelName: 'm',
  modelVersion: 1,
  runtime: 'onnxruntime-1-cpu',
  spec: { resources: { cpuMillicores: 500 } },
  weight: 100,
  desiredInstances: 1,
  ...over,
});
const meta = (name: string) => ({ name, description: '', tags: { team: 'cv' }, billingMode: 'postpaid', auth: true });

export function describeServicesRepo(name: string, open: () => Promise<Db>): void {
  describe(`ServicesRepo contract: ${name}`, () => {
    const withRepo = async (fn: (repo: ServicesRepo, db: Db) => Promise<void>) => {
      const db = await open();
      try {
        await fn(new ServicesRepo(db.kysely), db);
      } finally {
        await db.close();
      }
    };

    it('creates a service with its first version, refuses a duplicate name, lists by keyword', () =>
      withRepo(async (repo) => {
        const s = await repo.create(meta('digits'), version());
        await repo.create(meta('cats_100%'), version());
        await expect(repo.create(meta('digits'), version())).rejects.toMatchObject({ code: 'SERVICE_EXISTS' });
        expect([s.status, s.desired, s.auth]).toEqual(['Creating', 'running', 1]);
        const [v1] = await repo.versions(s.id);
        expect([v1?.seq, v1?.weight, v1?.status, JSON.parse(v1?.spec ?? '{}')]).toEqual([1, 100, 'Creating', { resources: { cpuMillicores: 500 } }]);
        expect((await repo.list({ offset: 0, limit: 10, keyword: 'dig' })).items.map((r) => r.name)).toEqual(['digits']);
        // LIKE wildcards in the keyword are taken literally, and case does not matter
        expect((await repo.list({ offset: 0, limit: 10, keyword: '%' })).items.map((r) => r.name)).toEqual(['cats_100%']);
        expect((await repo.list({ offset: 0, limit: 10, keyword: 'S_1' })).items.map((r) => r.name)).toEqual(['cats_100%']);
        expect((await repo.list({ offset: 1, limit: 1 })).items).toHaveLength(1);
        await expect(repo.get('nope')).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND' });
      }));

    it('numbers added versions after the highest ever given, even after a removal', () =>
      withRepo(async (repo) => {
        const s = await repo.create(meta('seq'), version());
        const v2 = await repo.addVersion(s.id, version({ weight: 0 }));
        const remaining = await repo.removeVersion(s.id, v2.id, () => undefined);
        expect(remaining.map((v) => v.seq)).toEqual([1]);
        const v3 = await repo.addVersion(s.id, version({ weight: 0 }));
        expect(v3.seq).toBe(3);
      }));

    it('keeps a version when the removal check refuses, inside the transaction', () =>
      withRepo(async (repo) => {
        const s = await repo.create(meta('keep'), version());
        const [v1] = await repo.versions(s.id);
        const refuse = () => {
          throw new Error('last version');
        };
        await expect(repo.removeVersion(s.id, v1!.id, refuse)).rejects.toThrow('last version');
        expect(await repo.versions(s.id)).toHaveLength(1);
      }));

    it('writes spec and status apart: a status write leaves the spec, a spec write leaves the status', () =>
      withRepo(async (repo) => {
        const s = await repo.create(meta('apart'), version());
        const [v] = await repo.versions(s.id);
        await repo.setVersionStatus(v!.id, 'Running', null, 1);
        await repo.setVersionSpec(v!.id, { desiredInstances: 3, spec: { resources: { cpuMillicores: 1000 } } });
        await repo.setWeights([{ id: v!.id, weight: 40 }]);
        const [after] = await repo.versions(s.id);
        expect([after?.status, after?.ready_instances, after?.desired_instances, after?.weight, JSON.parse(after?.spec ?? '{}').resources]).toEqual([
          'Running',
          1,
          3,
          40,
          { cpuMillicores: 1000 },
        ]);
        await repo.setMeta(s.id, { description: 'new', tags: { a: 'b' }, auth: false });
        await repo.setStatus(s.id, 'Running', null);
        const row = await repo.get('apart');
        expect([row.description, JSON.parse(row.tags), row.auth, row.status]).toEqual(['new', { a: 'b' }, 0, 'Running']);
      }));

    it('folds a repeated event into a count and lists the newest first', () =>
      withRepo(async (repo) => {
        const s = await repo.create(meta('events'), version());
        const e = { type: 'Warning' as const, reason: 'Unhealthy', object: 'instance/a', message: 'probe failed' };
        await repo.event(s.id, e);
        await repo.event(s.id, e);
        await repo.event(s.id, { ...e, reason: 'Started', type: 'Normal' });
        const events = await repo.events(s.id, 10);
        expect(events.map((x) => [x.reason, x.count])).toContainEqual(['Unhealthy', 2]);
        expect(events).toHaveLength(2);
      }));

    it('replaces the observed instances as one set and finds users of a model version', () =>
      withRepo(async (repo) => {
        const s = await repo.create(meta('inst'), version({ modelName: 'mnist', modelVersion: 2 }));
        const [v] = await repo.versions(s.id);
        const ts = new Date().toISOString();
        const instance = (id: string): InstanceRow => ({
          id,
          version_id: v!.id,
          service_name: 'inst',
          phase: 'Ready',
          ready: 1,
          restarts: 0,
          started_at: ts,
          node: 'local',
          url: 'http://127.0.0.1:1',
          pid: null,
          last_exit_reason: null,
          updated_at: ts,
        });
        await repo.replaceInstances([instance('a'), instance('b')]);
        await repo.replaceInstances([instance('c')]);
        expect((await repo.instances('inst')).map((i) => i.id)).toEqual(['c']);
        expect(await repo.usersOf('mnist')).toEqual(['inst']);
        expect(await repo.usersOf('mnist', 2)).toEqual(['inst']);
        expect(await repo.usersOf('mnist', 1)).toEqual([]);
      }));

    it('deletes a service with its versions and events', () =>
      withRepo(async (repo, db) => {
        const s = await repo.create(meta('gone'), version());
        await repo.event(s.id, { type: 'Normal', reason: 'Created', object: 'service', message: 'x' });
        await repo.delete(s.id);
        expect(await repo.find('gone')).toBeUndefined();
        expect(await db.kysely.selectFrom('service_versions').selectAll().execute()).toEqual([]);
        expect(await db.kysely.selectFrom('service_events').selectAll().execute()).toEqual([]);
      }));
  });
}
