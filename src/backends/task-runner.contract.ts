/**
 * The contract every TaskRunner passes: a run gets its code, inputs and environment, its
 * output lands in the object store when it succeeds, a failing command fails with the
 * reason, and stop, timeout and the memory limit end a run with the right state.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/platform.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import type { ObservedRun, RunLogLine, TaskRunner, TaskRunTemplate } from './task-runner.js';

/**
 * How long the background `sleep` of the stop test asks for: a number no other process on
 * the machine is likely to sleep for, so `gone()` can look for it (a plain `sleep 300`
 * also matched whatever else was sleeping 300 s on the machine, and failed the test).
 */
export const ORPHAN_SLEEP = '3017';

export interface TaskRunnerFixture {
  runner: TaskRunner;
  blobs: BlobStore;
  /** a runtime whose `node` is on the PATH */
  nodeRuntime: string;
  /** whether the run's process tree is gone (after a stop or a kill) */
  gone(runId: string): Promise<boolean>;
  close(): Promise<void>;
}

let n = 0;

export function describeTaskRunner(name: string, setup: () => Promise<TaskRunnerFixture>): void {
  describe(`TaskRunner contract: ${name}`, () => {
    const withRunner = async (fn: (f: TaskRunnerFixture, logs: RunLogLine[]) => Promise<void>) => {
      const f = await setup();
      const logs: RunLogLine[] = [];
      f.runner.onLog((l) => logs.push(l));
      try {
        await fn(f, logs);
      } finally {
        await f.close();
      }
    };
    const template = async (f: TaskRunnerFixture, script: string, over: Partial<TaskRunTemplate> = {}): Promise<TaskRunTemplate> => {
      const id = `run-${process.pid}-${++n}`;
      await f.blobs.put(`code/${id}/main.js`, Buffer.from(script));
      return {
        runId: id,
        task: 'contract',
        run: 1,
        runtime: f.nodeRuntime,
        codePath: `code/${id}`,
        command: 'node main.js',
        inputs: {},
        outputPath: `out/${id}`,
        env: {},
        resources: { cpuMillicores: 1000, memoryMiB: 512 },
        timeoutMs: 60_000,
        ...over,
      };
    };
    const final = (f: TaskRunnerFixture, id: string) =>
      eventually(
        () => {
          const r = f.runner.get(id);
          return r && ['Succeeded', 'Failed', 'Stopped'].includes(r.phase) ? r : undefined;
        },
        30_000,
        `run ${id} to end`,
      );

    it('runs the command with code, inputs and env laid out; the output lands in the object store', () =>
      withRunner(async (f, logs) => {
        await f.blobs.put('data/ds/a.txt', Buffer.from('alpha'));
        await f.blobs.put('data/ds/sub/b.txt', Buffer.from('beta'));
        const script = `
          const fs = require('fs'), path = require('path');
          const inp = process.env.MODELDOCK_INPUT_TRAIN;
          const text = fs.readFileSync(path.join(inp, 'a.txt'), 'utf8') + '+' + fs.readFileSync(path.join(inp, 'sub/b.txt'), 'utf8');
          fs.mkdirSync(path.join(process.env.MODELDOCK_OUTPUT_DIR, 'nested'), { recursive: true });
          fs.writeFileSync(path.join(process.env.MODELDOCK_OUTPUT_DIR, 'nested/result.txt'), text + ' ' + process.env.GREETING);
          console.log('hello from the task', process.env.MODELDOCK_TASK, process.env.MODELDOCK_RUN);
          console.log('secret visible:', process.env.MODELDOCK_TEST_SECRET ?? 'no');`;
        const t = await template(f, script, { inputs: { train: 'data/ds/' }, env: { GREETING: 'hi' } });
        const phases: string[] = [];
        f.runner.onChange((r: ObservedRun) => r.runId === t.runId && phases.push(r.phase));
        process.env.MODELDOCK_TEST_SECRET = 'platform-only';
        try {
          await f.runner.start(t);
          const r = await final(f, t.runId);
          expect(r.phase, r.reason).toBe('Succeeded');
          expect(r.exitCode).toBe(0);
          expect(r.startedAt && r.finishedAt).toBeTruthy();
        } finally {
          delete process.env.MODELDOCK_TEST_SECRET;
        }
        expect(phases).toEqual(['Starting', 'Running', 'Succeeded']);
        expect((await f.blobs.read(`${t.outputPath}/nested/result.txt`)).toString()).toBe('alpha+beta hi');
        const out = logs.filter((l) => l.runId === t.runId && l.stream === 'stdout').map((l) => l.line);
        expect(out).toEqual(['hello from the task contract 1', 'secret visible: no']);
      }));

    it('fails with the exit code and the last error line; the output is not stored', () =>
      withRunner(async (f) => {
        const t = await template(
          f,
          `require('fs').writeFileSync(process.env.MODELDOCK_OUTPUT_DIR + '/half.txt', 'x'); console.error('ValueError: bad learning rate'); process.exit(3);`,
        );
        await f.runner.start(t);
        const r = await final(f, t.runId);
        expect(r.phase).toBe('Failed');
        expect(r.exitCode).toBe(3);
        expect(r.reason).toContain('code 3');
        expect(r.reason).toContain('ValueError: bad learning rate');
        expect(await f.blobs.list(t.outputPath)).toEqual([]);
      }));

    it('fails when an input folder holds nothing', () =>
      withRunner(async (f) => {
        const t = await template(f, `console.log('never')`, { inputs: { data: 'nothing/here' } });
        await f.runner.start(t);
        const r = await final(f, t.runId);
        expect(r.phase).toBe('Failed');
        expect(r.reason).toContain('input "data"');
      }));

    it('stops a run and everything it started', () =>
      withRunner(async (f, logs) => {
        const t = await template(
          f,
          `require('child_process').spawn('sleep', ['${ORPHAN_SLEEP}'], { stdio: 'ignore' }); console.log('started'); setInterval(() => {}, 1000);`,
        );
        await f.runner.start(t);
        await eventually(() => logs.some((l) => l.runId === t.runId && l.line === 'started'), 20_000, 'the run to print');
        await f.runner.stop(t.runId, 2_000);
        expect(f.runner.get(t.runId)?.phase).toBe('Stopped');
        await eventually(() => f.gone(t.runId), 10_000, 'the process tree to go');
      }));

    it('discards what a run the runner does not know left behind, and nothing of a run it does', () =>
      withRunner(async (f, logs) => {
        const t = await template(f, `console.log('up'); setInterval(() => {}, 1000);`);
        await f.runner.start(t);
        await eventually(() => logs.some((l) => l.runId === t.runId && l.line === 'up'), 20_000, 'the run to print');
        await f.runner.discard(t.runId);
        expect(f.runner.get(t.runId)?.phase).toBe('Running');
        await f.runner.discard('a-run-from-before-a-crash');
        await f.runner.stop(t.runId, 1_000);
      }));

    it('ends a run past its timeout as Failed', () =>
      withRunner(async (f) => {
        const t = await template(f, `setInterval(() => {}, 1000);`, { timeoutMs: 1_000 });
        await f.runner.start(t);
        const r = await final(f, t.runId);
        expect(r.phase).toBe('Failed');
        expect(r.reason).toMatch(/timed out/);
      }));

    it('ends a run over its memory limit as Failed (OOMKilled)', () =>
      withRunner(async (f) => {
        const t = await template(f, `const keep = []; setInterval(() => { const b = Buffer.alloc(32 << 20); b.fill(1); keep.push(b); }, 20);`, {
          resources: { cpuMillicores: 500, memoryMiB: 128 },
        });
        await f.runner.start(t);
        const r = await final(f, t.runId);
        expect(r.phase).toBe('Failed');
        expect(r.reason).toMatch(/OOMKilled: .* over its memory limit of 128 MiB/);
      }));
  });
}
