/**
 * The contract TasksRepo passes on every database the store supports: unique names, runs
 * numbered per task, a run's state moved only while it is active, the list filtered by the
 * latest run's state, and log lines read by cursor, keyword and tail.
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../store/db/connect.js';
import { TasksRepo, type NewTask } from './tasks-repo.js';

const task = (name: string): NewTask => ({
  name,
  description: '',
  runtime: 'torch1.13-py311-cpu',
  code: '{}',
  command: 'python train.py',
  inputs: '[]',
  output: '{}',
  env: '{}',
  resources: '{}',
  timeout_ms: 60_000,
  tags: '{}',
});
const out = (run: number) => `tasks/out/run-${run}`;

export function describeTasksRepo(name: string, open: () => Promise<Db>): void {
  describe(`TasksRepo contract: ${name}`, () => {
    const withRepo = async (fn: (repo: TasksRepo) => Promise<void>) => {
      const db = await open();
      try {
        await fn(new TasksRepo(db.kysely));
      } finally {
        await db.close();
      }
    };

    it('creates a task with run 1 Pending and refuses a duplicate name', () =>
      withRepo(async (repo) => {
        const { task: t, run } = await repo.create(task('train'), out);
        expect([run.run, run.state, run.output_path]).toEqual([1, 'Pending', 'tasks/out/run-1']);
        await expect(repo.create(task('train'), out)).rejects.toMatchObject({ code: 'TASK_EXISTS' });
        expect((await repo.get('train')).id).toBe(t.id);
        await expect(repo.get('nope')).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
      }));

    it('moves a run only while it is active, and numbers reruns after the last', () =>
      withRepo(async (repo) => {
        const { task: t, run } = await repo.create(task('states'), out);
        expect(await repo.setState(run.id, { state: 'Running', startedAt: new Date().toISOString() })).toBe(true);
        expect(await repo.setState(run.id, { state: 'Succeeded', exitCode: 0, finishedAt: new Date().toISOString() })).toBe(true);
        // an ended run stays ended
        expect(await repo.setState(run.id, { state: 'Failed', reason: 'late' })).toBe(false);
        expect((await repo.runById(run.id))?.state).toBe('Succeeded');
        const second = await repo.addRun(t.id, out);
        expect([second.run, second.output_path]).toEqual([2, 'tasks/out/run-2']);
        expect((await repo.activeRuns()).map((r) => r.id)).toEqual([second.id]);
        expect((await repo.latestRuns([t.id])).get(t.id)?.run).toBe(2);
        await repo.requestStop(second.id);
        expect((await repo.run(t.id, 2))?.stop_requested).toBe(1);
      }));

    it('filters the list by the latest run state and by keyword', () =>
      withRepo(async (repo) => {
        const a = await repo.create(task('alpha'), out);
        await repo.create(task('beta_%'), out);
        await repo.setState(a.run.id, { state: 'Failed', reason: 'x' });
        expect((await repo.list({ offset: 0, limit: 10, state: 'Failed' })).items.map((t) => t.name)).toEqual(['alpha']);
        // a rerun makes the latest run Pending again
        await repo.addRun(a.task.id, out);
        expect((await repo.list({ offset: 0, limit: 10, state: 'Failed' })).total).toBe(0);
        expect((await repo.list({ offset: 0, limit: 10, keyword: '%' })).items.map((t) => t.name)).toEqual(['beta_%']);
      }));

    it('reads log lines after a cursor, by keyword, and the tail', () =>
      withRepo(async (repo) => {
        const { run } = await repo.create(task('logs'), out);
        const ts = new Date().toISOString();
        await repo.appendLogs(Array.from({ length: 5 }, (_, i) => ({ run_id: run.id, seq: i + 1, ts, stream: 'stdout', line: `epoch ${i + 1} loss 0.${i}` })));
        expect(await repo.lastLogSeq(run.id)).toBe(5);
        expect((await repo.logs(run.id, 3, 10)).map((l) => l.seq)).toEqual([4, 5]);
        expect((await repo.logs(run.id, 0, 10, 'EPOCH 2')).map((l) => l.seq)).toEqual([2]);
        expect((await repo.logs(run.id, 0, 10, '0.%')).map((l) => l.seq)).toEqual([]);
        expect((await repo.tailLogs(run.id, 2)).map((l) => l.seq)).toEqual([4, 5]);
      }));
  });
}
