/**
 * Batch job rows: the job (spec columns, stop asked = spec; state, counts = status) and
 * its committed result parts. commitPart() is the one step that makes results count:
 * the part row (with the input keys it holds) and the job's counts go in one transaction.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { BatchState } from '../contracts/batch.js';
import { DomainError } from '../contracts/errors.js';
import type { BatchJobPartsTable, BatchJobsTable, Database } from '../store/db/schema.js';
import { sourcesOf } from './states.js';
import { containsText } from '../store/db/like.js';

export type JobRow = Selectable<BatchJobsTable>;
export type PartRow = Selectable<BatchJobPartsTable>;
export type NewJob = Omit<
  JobRow,
  'id' | 'created_at' | 'updated_at' | 'stop_requested' | 'state' | 'reason' | 'total' | 'succeeded' | 'failed' | 'run_ms' | 'started_at' | 'finished_at'
>;

const now = () => new Date().toISOString();
const ACTIVE: BatchState[] = ['Pending', 'Running'];

export class BatchRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(j: NewJob): Promise<JobRow> {
    const ts = now();
    const row: JobRow = {
      ...j,
      id: randomUUID(),
      stop_requested: 0,
      state: 'Pending',
      reason: null,
      total: null,
      succeeded: 0,
      failed: 0,
      run_ms: 0,
      created_at: ts,
      started_at: null,
      finished_at: null,
      updated_at: ts,
    };
    try {
      await this.db.insertInto('batch_jobs').values(row).execute();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') throw new DomainError('BATCH_JOB_EXISTS', `batch job "${j.name}" already exists`);
      throw e;
    }
    return row;
  }

  async find(name: string): Promise<JobRow | undefined> {
    return this.db.selectFrom('batch_jobs').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async get(name: string): Promise<JobRow> {
    const j = await this.find(name);
    if (!j) throw new DomainError('BATCH_JOB_NOT_FOUND', `batch job "${name}" does not exist`);
    return j;
  }

  async byId(id: string): Promise<JobRow | undefined> {
    return this.db.selectFrom('batch_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(o: { offset: number; limit: number; keyword?: string; state?: string }): Promise<{ items: JobRow[]; total: number }> {
    let q = this.db.selectFrom('batch_jobs');
    if (o.keyword) q = q.where(containsText('name', o.keyword));
    if (o.state) q = q.where('state', '=', o.state);
    const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const items = await q.selectAll().orderBy('created_at', 'desc').orderBy('name').offset(o.offset).limit(o.limit).execute();
    return { items, total: Number(total.n) };
  }

  async active(): Promise<JobRow[]> {
    return this.db.selectFrom('batch_jobs').selectAll().where('state', 'in', ACTIVE).orderBy('created_at').execute();
  }

  /** Jobs holding (or about to hold) instances in a resource group. */
  async activeIn(group: string): Promise<JobRow[]> {
    return this.db.selectFrom('batch_jobs').selectAll().where('resource_group', '=', group).where('state', 'in', ACTIVE).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('batch_jobs').where('id', '=', id).execute();
  }

  /** Spec: the user asked the job to stop. */
  async requestStop(id: string): Promise<void> {
    await this.db.updateTable('batch_jobs').set({ stop_requested: 1, updated_at: now() }).where('id', '=', id).execute();
  }

  /** Status: moves the job only along the transition table; false when it could not (it had ended). */
  async setState(
    id: string,
    s: { state: BatchState; reason?: string | null; total?: number; startedAt?: string; finishedAt?: string; runMs?: number },
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('batch_jobs')
      .set({
        state: s.state,
        updated_at: now(),
        ...(s.reason !== undefined ? { reason: s.reason } : {}),
        ...(s.total !== undefined ? { total: s.total } : {}),
        ...(s.startedAt !== undefined ? { started_at: s.startedAt } : {}),
        ...(s.finishedAt !== undefined ? { finished_at: s.finishedAt } : {}),
        ...(s.runMs ? { run_ms: sql<number>`run_ms + ${Math.round(s.runMs)}` } : {}),
      })
      .where('id', '=', id)
      .where('state', 'in', sourcesOf(s.state))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async parts(jobId: string): Promise<PartRow[]> {
    return this.db.selectFrom('batch_job_parts').selectAll().where('job_id', '=', jobId).orderBy('part').execute();
  }

  /**
   * Records a written part file as done, with the job's counts and running time, in one
   * transaction. Refused (false) once the job has ended: its results are final.
   */
  async commitPart(jobId: string, p: { part: number; keys: string[]; failed: number; runMs: number }): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('batch_jobs')
        .set({
          succeeded: sql<number>`succeeded + ${p.keys.length - p.failed}`,
          failed: sql<number>`failed + ${p.failed}`,
          run_ms: sql<number>`run_ms + ${Math.round(p.runMs)}`,
          updated_at: now(),
        })
        .where('id', '=', jobId)
        .where('state', '=', 'Running')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await tx
        .insertInto('batch_job_parts')
        .values({ job_id: jobId, part: p.part, keys: JSON.stringify(p.keys), lines: p.keys.length, failed: p.failed, created_at: now() })
        .execute();
      return true;
    });
  }

  /** Adds running time with no part (a stretch that ended with nothing new to write). */
  async commitRunTime(jobId: string, ms: number): Promise<boolean> {
    const r = await this.db
      .updateTable('batch_jobs')
      .set({ run_ms: sql<number>`run_ms + ${Math.round(ms)}` })
      .where('id', '=', jobId)
      .where('state', '=', 'Running')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
