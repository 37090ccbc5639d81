import type { Kysely } from 'kysely';

/** Training tasks, their runs (one per start or restart) and the runs' log lines. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('runtime', 'text', (c) => c.notNull())
    /** JSON: the code source as given, plus `path`, the object-store folder holding the code */
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('command', 'text', (c) => c.notNull())
    .addColumn('inputs', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('output', 'text', (c) => c.notNull())
    .addColumn('env', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('resources', 'text', (c) => c.notNull())
    .addColumn('timeout_ms', 'integer', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('task_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('run', 'integer', (c) => c.notNull())
    // spec (user-owned): stop asked for
    .addColumn('stop_requested', 'integer', (c) => c.notNull().defaultTo(0))
    // status (system-owned)
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('exit_code', 'integer')
    .addColumn('output_path', 'text', (c) => c.notNull())
    .addColumn('metrics', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addUniqueConstraint('task_runs_run', ['task_id', 'run'])
    .execute();
  await db.schema.createIndex('task_runs_state').on('task_runs').column('state').execute();

  await db.schema
    .createTable('task_logs')
    .addColumn('run_id', 'text', (c) => c.notNull().references('task_runs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('ts', 'text', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('line', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('task_logs_pk', ['run_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('task_logs').execute();
  await db.schema.dropTable('task_runs').execute();
  await db.schema.dropTable('tasks').execute();
}
