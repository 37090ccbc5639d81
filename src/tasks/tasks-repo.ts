/** Task rows: tasks (spec), their runs (stop asked = spec, state = status) and log lines. */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { DomainError } from '../contracts/errors.js';
import { containsText } from '../store/db/like.js';
import type { TaskState } from '../contracts/tasks.js';
import type { Database, TaskRunsTable, TasksTable } from '../store/db/schema.js';

export type TaskRow = Selectable<TasksTable>;
export type RunRow = Selectable<TaskRunsTable>;

const now = () => new Date().toISOString();
const ACTIVE: TaskState[] = ['Pending', 'Starting', 'Running'];

export type NewTask = Omit<TaskRow, 'id' | 'created_at' | 'updated_at'>;

export class TasksRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts the task and its first run (Pending) in one transaction. */
  async create(t: NewTask, outputPath: (run: number) => string): Promise<{ task: TaskRow; run: RunRow }> {
    const ts = now();
    const task: TaskRow = { ...t, id: randomUUID(), created_at: ts, updated_at: ts };
    const run = newRun(task.id, 1, outputPath(1), ts);
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx.insertInto('tasks').values(task).execute();
        await tx.insertInto('task_runs').values(run).execute();
      });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
        throw new DomainError('TASK_EXISTS', `task "${t.name}" already exists`);
      throw e;
    }
    return { task, run };
  }

  async find(name: string): Promise<TaskRow | undefined> {
    return this.db.selectFrom('tasks').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async get(name: string): Promise<TaskRow> {
    const t = await this.find(name);
    if (!t) throw new DomainError('TASK_NOT_FOUND', `task "${name}" does not exist`);
    return t;
  }

  async byId(id: string): Promise<TaskRow | undefined> {
    return this.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(opts: { offset: number; limit: number; keyword?: string; state?: string }): Promise<{ items: TaskRow[]; total: number }> {
    let q = this.db.selectFrom('tasks');
    if (opts.keyword) q = q.where(containsText('tasks.name', opts.keyword));
    if (opts.state) {
      const state = opts.state;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('task_runs as r')
            .select('r.id')
            .whereRef('r.task_id', '=', 'tasks.id')
            .where('r.state', '=', state)
            .where(
              'r.run',
              '=',
              eb
                .selectFrom('task_runs as m')
                .select((m) => m.fn.max('m.run').as('mx'))
                .whereRef('m.task_id', '=', 'tasks.id'),
            ),
        ),
      );
    }
    const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const items = await q.selectAll('tasks').orderBy('created_at', 'desc').orderBy('name').offset(opts.offset).limit(opts.limit).execute();
    return { items, total: Number(total.n) };
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('tasks').where('id', '=', id).execute();
  }

  // ---- runs ----

  async runs(taskId: string): Promise<RunRow[]> {
    return this.db.selectFrom('task_runs').selectAll().where('task_id', '=', taskId).orderBy('run').execute();
  }

  async latestRuns(taskIds: string[]): Promise<Map<string, RunRow>> {
    const out = new Map<string, RunRow>();
    if (!taskIds.length) return out;
    const rows = await this.db.selectFrom('task_runs').selectAll().where('task_id', 'in', taskIds).orderBy('run').execute();
    for (const r of rows) out.set(r.task_id, r);
    return out;
  }

  async run(taskId: string, run: number): Promise<RunRow | undefined> {
    return this.db.selectFrom('task_runs').selectAll().where('task_id', '=', taskId).where('run', '=', run).executeTakeFirst();
  }

  async runById(id: string): Promise<RunRow | undefined> {
    return this.db.selectFrom('task_runs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async activeRuns(): Promise<RunRow[]> {
    return this.db.selectFrom('task_runs').selectAll().where('state', 'in', ACTIVE).orderBy('created_at').execute();
  }

  /** A new Pending run, numbered after the last one. */
  async addRun(taskId: string, outputPath: (run: number) => string): Promise<RunRow> {
    return this.db.transaction().execute(async (tx) => {
      const last = await tx
        .selectFrom('task_runs')
        .select((eb) => eb.fn.max('run').as('mx'))
        .where('task_id', '=', taskId)
        .executeTakeFirst();
      const n = Number(last?.mx ?? 0) + 1;
      const row = newRun(taskId, n, outputPath(n), now());
      await tx.insertInto('task_runs').values(row).execute();
      await tx.updateTable('tasks').set({ updated_at: row.created_at }).where('id', '=', taskId).execute();
      return row;
    });
  }

  /** Spec: the user asked the run to stop. */
  async requestStop(runId: string): Promise<void> {
    await this.db.updateTable('task_runs').set({ stop_requested: 1 }).where('id', '=', runId).execute();
  }

  /** Status: what the runner observed. Only moves a run that has not ended. */
  async setState(
    runId: string,
    s: { state: TaskState; reason?: string | null; exitCode?: number | null; startedAt?: string | null; finishedAt?: string | null; metrics?: string | null },
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('task_runs')
      .set({
        state: s.state,
        ...(s.reason !== undefined ? { reason: s.reason } : {}),
        ...(s.exitCode !== undefined ? { exit_code: s.exitCode } : {}),
        ...(s.startedAt !== undefined ? { started_at: s.startedAt } : {}),
        ...(s.finishedAt !== undefined ? { finished_at: s.finishedAt } : {}),
        ...(s.metrics !== undefined ? { metrics: s.metrics } : {}),
      })
      .where('id', '=', runId)
      .where('state', 'in', ACTIVE)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  // ---- logs ----

  async appendLogs(lines: { run_id: string; seq: number; ts: string; stream: string; line: string }[]): Promise<void> {
    if (!lines.length) return;
    await this.db.insertInto('task_logs').values(lines).execute();
  }

  async lastLogSeq(runId: string): Promise<number> {
    const r = await this.db
      .selectFrom('task_logs')
      .select((eb) => eb.fn.max('seq').as('mx'))
      .where('run_id', '=', runId)
      .executeTakeFirst();
    return Number(r?.mx ?? 0);
  }

  async logs(runId: string, after: number, limit: number, keyword?: string) {
    let q = this.db.selectFrom('task_logs').selectAll().where('run_id', '=', runId).where('seq', '>', after);
    if (keyword) q = q.where(containsText('line', keyword));
    return q.orderBy('seq').limit(limit).execute();
  }

  async tailLogs(runId: string, limit: number) {
    const rows = await this.db.selectFrom('task_logs').selectAll().where('run_id', '=', runId).orderBy('seq', 'desc').limit(limit).execute();
    return rows.reverse();
  }
}

function newRun(taskId: string, run: number, outputPath: string, ts: string): RunRow {
  return {
    id: randomUUID(),
    task_id: taskId,
    run,
    stop_requested: 0,
    state: 'Pending',
    reason: null,
    exit_code: null,
    output_path: outputPath,
    metrics: null,
    created_at: ts,
    started_at: null,
    finished_at: null,
  };
}
