/**
 * Model repository rows: models, their tags, versions and version files.
 * Portable Kysely only (runs on SQLite and PostgreSQL; see models-repo.contract.ts).
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { DomainError } from '../contracts/errors.js';
import type { Database, ModelsTable, ModelVersionsTable, VersionFilesTable } from '../store/db/schema.js';

export type ModelRow = Selectable<ModelsTable> & { tags: Record<string, string> };
export type VersionRow = Selectable<ModelVersionsTable>;
export type FileRow = Selectable<VersionFilesTable>;

export interface ModelFilter {
  keyword?: string;
  tags?: Record<string, string>;
  format?: string;
  source?: string;
  offset: number;
  limit: number;
}

export interface NewVersion {
  modelId: string;
  number: number;
  sourceType: string;
  source: unknown;
  format: string;
  runtime: string;
  /** the name asked for, when it was mapped onto `runtime` */
  runtimeRequested?: string;
  metrics: string | null;
  moveMode: string;
  description: string;
  storagePath: string;
}

const now = () => new Date().toISOString();

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export class ModelsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async createModel(input: { name: string; description: string; tags: Record<string, string> }): Promise<ModelRow> {
    const id = randomUUID();
    const ts = now();
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('models')
          .values({ id, name: input.name, description: input.description, next_version: 0, created_at: ts, updated_at: ts })
          .execute();
        await insertTags(tx, id, input.tags);
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new DomainError('MODEL_EXISTS', `model "${input.name}" already exists`);
      throw e;
    }
    return { id, name: input.name, description: input.description, next_version: 0, created_at: ts, updated_at: ts, tags: input.tags };
  }

  async findModel(name: string): Promise<ModelRow | undefined> {
    const row = await this.db.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) return undefined;
    const tags = await this.tagsOf([row.id]);
    return { ...row, tags: tags.get(row.id) ?? {} };
  }

  async getModel(name: string): Promise<ModelRow> {
    const m = await this.findModel(name);
    if (!m) throw new DomainError('MODEL_NOT_FOUND', `model "${name}" does not exist`);
    return m;
  }

  async updateModel(id: string, patch: { description?: string; tags?: Record<string, string> }): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('models')
        .set({ ...(patch.description !== undefined ? { description: patch.description } : {}), updated_at: now() })
        .where('id', '=', id)
        .execute();
      if (patch.tags) {
        await tx.deleteFrom('model_tags').where('model_id', '=', id).execute();
        await insertTags(tx, id, patch.tags);
      }
    });
  }

  async deleteModel(id: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const versions = tx.selectFrom('model_versions').select('id').where('model_id', '=', id);
      await tx.deleteFrom('version_files').where('version_id', 'in', versions).execute();
      await tx.deleteFrom('model_versions').where('model_id', '=', id).execute();
      await tx.deleteFrom('model_tags').where('model_id', '=', id).execute();
      await tx.deleteFrom('models').where('id', '=', id).execute();
    });
  }

  async listModels(f: ModelFilter): Promise<{ items: ModelRow[]; total: number }> {
    let q = this.db.selectFrom('models');
    if (f.keyword) {
      const kw = `%${f.keyword.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) =>
        eb.or([eb(sql`lower(models.name)`, 'like', sql`${kw} escape '\\'`), eb(sql`lower(models.description)`, 'like', sql`${kw} escape '\\'`)]),
      );
    }
    for (const [k, v] of Object.entries(f.tags ?? {})) {
      q = q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('model_tags')
            .select('model_tags.key')
            .whereRef('model_tags.model_id', '=', 'models.id')
            .where('model_tags.key', '=', k)
            .where('model_tags.value', '=', v),
        ),
      );
    }
    if (f.format || f.source) {
      q = q.where(({ exists, selectFrom }) => {
        let sub = selectFrom('model_versions').select('model_versions.id').whereRef('model_versions.model_id', '=', 'models.id');
        if (f.format) sub = sub.where('model_versions.format', '=', f.format);
        if (f.source) sub = sub.where('model_versions.source_type', '=', f.source);
        return exists(sub);
      });
    }
    const totalRow = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await q.selectAll('models').orderBy('models.created_at', 'desc').orderBy('models.name').offset(f.offset).limit(f.limit).execute();
    const tags = await this.tagsOf(rows.map((r) => r.id));
    return { items: rows.map((r) => ({ ...r, tags: tags.get(r.id) ?? {} })), total: Number(totalRow.n) };
  }

  /** Version stats for a page of models: count and latest number. */
  async versionStats(modelIds: string[]): Promise<Map<string, { count: number; latest: number | null }>> {
    const out = new Map<string, { count: number; latest: number | null }>();
    if (!modelIds.length) return out;
    const rows = await this.db
      .selectFrom('model_versions')
      .select(['model_id', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('number').as('latest')])
      .where('model_id', 'in', modelIds)
      .groupBy('model_id')
      .execute();
    for (const r of rows) out.set(r.model_id, { count: Number(r.n), latest: r.latest === null ? null : Number(r.latest) });
    return out;
  }

  private async tagsOf(ids: string[]): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    if (!ids.length) return out;
    const rows = await this.db.selectFrom('model_tags').selectAll().where('model_id', 'in', ids).orderBy('key').execute();
    for (const r of rows) {
      const t = out.get(r.model_id) ?? {};
      t[r.key] = r.value;
      out.set(r.model_id, t);
    }
    return out;
  }

  /** Atomically takes the next version number of a model (v1, v2, … even under concurrency). */
  async allocateVersionNumber(modelId: string): Promise<number> {
    const row = await this.db
      .updateTable('models')
      .set((eb) => ({ next_version: eb('next_version', '+', 1), updated_at: now() }))
      .where('id', '=', modelId)
      .returning('next_version')
      .executeTakeFirst();
    if (!row) throw new DomainError('MODEL_NOT_FOUND', 'model disappeared while importing');
    return Number(row.next_version);
  }

  async insertVersion(v: NewVersion): Promise<VersionRow> {
    const row: VersionRow = {
      id: randomUUID(),
      model_id: v.modelId,
      number: v.number,
      status: 'importing',
      error: null,
      source_type: v.sourceType,
      source: JSON.stringify(v.source),
      format: v.format,
      runtime: v.runtime,
      runtime_requested: v.runtimeRequested ?? null,
      metrics: v.metrics,
      move_mode: v.moveMode,
      description: v.description,
      storage_path: v.storagePath,
      size: 0,
      file_count: 0,
      created_at: now(),
      ready_at: null,
    };
    await this.db.insertInto('model_versions').values(row).execute();
    return row;
  }

  async findVersion(modelId: string, number: number): Promise<VersionRow | undefined> {
    return this.db.selectFrom('model_versions').selectAll().where('model_id', '=', modelId).where('number', '=', number).executeTakeFirst();
  }

  async versionById(id: string): Promise<VersionRow | undefined> {
    return this.db.selectFrom('model_versions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listVersions(modelId: string): Promise<VersionRow[]> {
    return this.db.selectFrom('model_versions').selectAll().where('model_id', '=', modelId).orderBy('number').execute();
  }

  async listVersionsByStatus(status: string): Promise<VersionRow[]> {
    return this.db.selectFrom('model_versions').selectAll().where('status', '=', status).orderBy('created_at').execute();
  }

  async failVersion(id: string, error: string): Promise<void> {
    await this.db.updateTable('model_versions').set({ status: 'failed', error }).where('id', '=', id).where('status', '=', 'importing').execute();
  }

  async deleteVersion(id: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('version_files').where('version_id', '=', id).execute();
      await tx.deleteFrom('model_versions').where('id', '=', id).execute();
    });
  }

  /** Records a finished import: every file and the ready status, in one transaction. */
  async completeImport(id: string, files: { path: string; size: number; sha256: string }[]): Promise<void> {
    const ts = now();
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('version_files').where('version_id', '=', id).execute();
      for (let i = 0; i < files.length; i += 200) {
        const chunk = files.slice(i, i + 200).map((f) => ({ version_id: id, path: f.path, size: f.size, sha256: f.sha256, updated_at: ts }));
        await tx.insertInto('version_files').values(chunk).execute();
      }
      const size = files.reduce((a, f) => a + f.size, 0);
      await tx.updateTable('model_versions').set({ status: 'ready', error: null, size, file_count: files.length, ready_at: ts }).where('id', '=', id).execute();
    });
  }

  async listFiles(versionId: string): Promise<FileRow[]> {
    return this.db.selectFrom('version_files').selectAll().where('version_id', '=', versionId).orderBy('path').execute();
  }

  async findFile(versionId: string, path: string): Promise<FileRow | undefined> {
    return this.db.selectFrom('version_files').selectAll().where('version_id', '=', versionId).where('path', '=', path).executeTakeFirst();
  }

  /** Adds or replaces files of a ready version, keeping its size and count in step. */
  async putFiles(versionId: string, files: { path: string; size: number; sha256: string }[]): Promise<void> {
    const ts = now();
    await this.db.transaction().execute(async (tx) => {
      for (const f of files) {
        await tx.deleteFrom('version_files').where('version_id', '=', versionId).where('path', '=', f.path).execute();
        await tx.insertInto('version_files').values({ version_id: versionId, path: f.path, size: f.size, sha256: f.sha256, updated_at: ts }).execute();
      }
      await refreshTotals(tx, versionId);
    });
  }

  async deleteFile(versionId: string, path: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx.deleteFrom('version_files').where('version_id', '=', versionId).where('path', '=', path).executeTakeFirst();
      await refreshTotals(tx, versionId);
      return Number(r.numDeletedRows) > 0;
    });
  }
}

async function insertTags(tx: Kysely<Database>, modelId: string, tags: Record<string, string>): Promise<void> {
  const rows = Object.entries(tags).map(([key, value]) => ({ model_id: modelId, key, value }));
  if (rows.length) await tx.insertInto('model_tags').values(rows).execute();
}

async function refreshTotals(tx: Kysely<Database>, versionId: string): Promise<void> {
  const t = await tx
    .selectFrom('version_files')
    .select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('size').as('bytes')])
    .where('version_id', '=', versionId)
    .executeTakeFirstOrThrow();
  await tx
    .updateTable('model_versions')
    .set({ size: Number(t.bytes ?? 0), file_count: Number(t.n) })
    .where('id', '=', versionId)
    .execute();
}
