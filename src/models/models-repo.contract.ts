/** The contract ModelsRepo passes on every database the store supports (SQLite, PostgreSQL). */
import { describe, expect, it } from 'vitest';
import type { Db } from '../store/db/connect.js';
import { ModelsRepo } from './models-repo.js';

export function describeModelsRepo(name: string, open: () => Promise<Db>): void {
  describe(`ModelsRepo contract: ${name}`, () => {
    const withRepo = async (fn: (repo: ModelsRepo, db: Db) => Promise<void>) => {
      const db = await open();
      try {
        await fn(new ModelsRepo(db.kysely), db);
      } finally {
        await db.close();
      }
    };

    it('creates models with tags, refuses duplicates, filters and pages', () =>
      withRepo(async (repo) => {
        await repo.createModel({ name: 'a_model', description: 'Handwritten DIGITS', tags: { team: 'cv' } });
        await repo.createModel({ name: 'b-model', description: '100%_sure', tags: { team: 'nlp', tier: 'gold' } });
        await expect(repo.createModel({ name: 'a_model', description: '', tags: {} })).rejects.toMatchObject({ code: 'MODEL_EXISTS' });
        expect((await repo.listModels({ keyword: 'digits', offset: 0, limit: 10 })).items.map((m) => m.name)).toEqual(['a_model']);
        // LIKE wildcards in the keyword are taken literally
        expect((await repo.listModels({ keyword: '%_', offset: 0, limit: 10 })).items.map((m) => m.name)).toEqual(['b-model']);
        expect((await repo.listModels({ tags: { team: 'nlp', tier: 'gold' }, offset: 0, limit: 10 })).total).toBe(1);
        const page = await repo.listModels({ offset: 1, limit: 1 });
        expect([page.items.length, page.total]).toEqual([1, 2]);
        expect((await repo.getModel('b-model')).tags).toEqual({ team: 'nlp', tier: 'gold' });
      }));

    it('allocates version numbers atomically under concurrency', () =>
      withRepo(async (repo) => {
        const m = await repo.createModel({ name: 'conc', description: '', tags: {} });
        const numbers = await Promise.all(Array.from({ length: 20 }, () => repo.allocateVersionNumber(m.id)));
        expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      }));

    it('completes an import with every file in one step, and keeps totals in step', () =>
      withRepo(async (repo) => {
        const m = await repo.createModel({ name: 'files', description: '', tags: {} });
        const v = await repo.insertVersion({
          modelId: m.id,
          number: 1,
          sourceType: 'upload',
          source: { type: 'upload' },
          format: 'onnx',
          runtime: 'x',
          metrics: null,
          moveMode: 'copy',
          description: '',
          storagePath: 'models/files/v1',
        });
        const big = 5 * 1024 ** 3; // sizes over 2^32 survive
        await repo.completeImport(v.id, [
          { path: 'a', size: big, sha256: 'aa' },
          { path: 'b/c', size: 2, sha256: 'bb' },
        ]);
        const done = await repo.versionById(v.id);
        expect([done?.status, Number(done?.size), done?.file_count]).toEqual(['ready', big + 2, 2]);
        await repo.putFiles(v.id, [
          { path: 'b/c', size: 5, sha256: 'cc' },
          { path: 'd', size: 1, sha256: 'dd' },
        ]);
        expect(await repo.deleteFile(v.id, 'a')).toBe(true);
        expect(await repo.deleteFile(v.id, 'a')).toBe(false);
        const after = await repo.versionById(v.id);
        expect([Number(after?.size), after?.file_count]).toEqual([6, 2]);
        expect((await repo.listFiles(v.id)).map((f) => [f.path, Number(f.size), f.sha256])).toEqual([
          ['b/c', 5, 'cc'],
          ['d', 1, 'dd'],
        ]);
      }));

    it('deletes a model with its versions, files and tags', () =>
      withRepo(async (repo, db) => {
        const m = await repo.createModel({ name: 'gone', description: '', tags: { a: 'b' } });
        const v = await repo.insertVersion({
          modelId: m.id,
          number: 1,
          sourceType: 'upload',
          source: {},
          format: 'onnx',
          runtime: 'x',
          metrics: null,
          moveMode: 'copy',
          description: '',
          storagePath: 's',
        });
        await repo.completeImport(v.id, [{ path: 'a', size: 1, sha256: 'x' }]);
        await repo.deleteModel(m.id);
        expect(await repo.findModel('gone')).toBeUndefined();
        expect(await db.kysely.selectFrom('version_files').selectAll().execute()).toEqual([]);
        expect(await db.kysely.selectFrom('model_tags').selectAll().execute()).toEqual([]);
      }));
  });
}
