/**
 * Training tasks over REST, in process (Fastify inject) with real task runs: small Node
 * scripts as the code, so each run takes well under a second. The PyTorch example and
 * journey 1 are in test/journey-mnist.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, testPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { multipart } from '../../../test/support/multipart.js';
import { rawZip } from '../../../test/support/raw-zip.js';

let p: TestPlatform;
beforeEach(async () => {
  p = await testPlatform();
});
afterEach(async () => {
  await p.close();
});

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => p.app.inject({ method, url, ...(payload ? { payload } : {}) });
const NODE = 'node20-handler';

/** A script that reads its input, prints, and writes an output file and metrics.json. */
const TRAIN_JS = `
const fs = require('fs'), path = require('path');
const words = fs.readFileSync(path.join(process.env.MODELDOCK_INPUT_DATA, 'words.txt'), 'utf8').trim().split(/\\s+/);
console.log('epoch 1: read ' + words.length + ' words, lr=' + process.env.LR);
console.error('a warning on stderr');
fs.writeFileSync(path.join(process.env.MODELDOCK_OUTPUT_DIR, 'model.txt'), words.reverse().join(' '));
fs.writeFileSync(path.join(process.env.MODELDOCK_OUTPUT_DIR, 'metrics.json'), JSON.stringify({ accuracy: 0.75, words: words.length }));
`;

async function putCode(folder: string, files: Record<string, string>): Promise<void> {
  for (const [name, body] of Object.entries(files)) await p.blobs.put(`${folder}/${name}`, Buffer.from(body));
}

async function createTask(name: string, extra: object = {}) {
  await putCode('data/words', { 'words.txt': 'one two three four' });
  await putCode(`code/${name}`, { 'train.js': TRAIN_JS });
  return call('POST', '/api/v1/tasks', {
    name,
    runtime: NODE,
    code: { type: 'storage', path: `code/${name}` },
    command: 'node train.js',
    inputs: { data: 'data/words' },
    env: { LR: '0.01' },
    ...extra,
  });
}

const finalState = (name: string, want = ['Succeeded', 'Failed', 'Stopped']) =>
  eventually(
    async () => {
      const t = (await call('GET', `/api/v1/tasks/${name}`)).json();
      return want.includes(t.state) ? t : undefined;
    },
    30_000,
    `task ${name} to end`,
  );

describe('training tasks API', () => {
  it('runs a task Pending → Running → Succeeded with its logs, outputs and metrics; a model version imports its output', async () => {
    const r = await createTask('wordcount');
    expect(r.statusCode, r.body).toBe(202);
    expect(r.json()).toMatchObject({
      name: 'wordcount',
      state: 'Pending',
      runtime: NODE,
      output: 'tasks/wordcount',
      latestRun: { run: 1, state: 'Pending', outputPath: 'tasks/wordcount/run-1' },
    });
    const t = await finalState('wordcount');
    expect(t.state, t.reason).toBe('Succeeded');
    expect(t.runs).toHaveLength(1);
    expect(t.latestRun).toMatchObject({ exitCode: 0, metrics: { accuracy: 0.75, words: 4 } });
    expect(Date.parse(t.latestRun.finishedAt)).toBeGreaterThanOrEqual(Date.parse(t.latestRun.startedAt));

    const logs = (await call('GET', '/api/v1/tasks/wordcount/logs')).json();
    expect(logs.done).toBe(true);
    const lines = logs.items.map((l: { stream: string; line: string }) => `${l.stream}: ${l.line}`);
    expect(lines).toEqual(expect.arrayContaining(['stdout: epoch 1: read 4 words, lr=0.01', 'stderr: a warning on stderr']));
    expect(lines.some((l: string) => l.startsWith('system: running: node train.js'))).toBe(true);
    const after = (await call('GET', `/api/v1/tasks/wordcount/logs?after=${logs.cursor}`)).json();
    expect(after).toMatchObject({ items: [], cursor: logs.cursor, done: true });

    const outputs = (await call('GET', '/api/v1/tasks/wordcount/outputs')).json();
    expect(outputs.items.map((o: { path: string }) => o.path).sort()).toEqual(['metrics.json', 'model.txt']);
    const file = await call('GET', `/api/v1/storage/${outputs.items.find((o: { path: string }) => o.path === 'model.txt').storagePath}`);
    expect(file.body).toBe('four three two one');

    const imp = await call('POST', '/api/v1/models/wordcount/versions', {
      source: { type: 'task', task: 'wordcount' },
      format: 'custom',
      runtime: NODE,
      createModel: true,
    });
    expect(imp.statusCode, imp.body).toBe(202);
    const v = await eventually(async () => {
      const got = (await call('GET', '/api/v1/models/wordcount/versions/v1')).json();
      return got.status !== 'importing' ? got : undefined;
    });
    expect(v).toMatchObject({
      status: 'ready',
      source: { type: 'task', task: 'wordcount', run: '1', path: 'tasks/wordcount/run-1' },
      metrics: { accuracy: 0.75, words: 4 },
    });
    expect(v.files.map((f: { path: string }) => f.path).sort()).toEqual(['metrics.json', 'model.txt']);
  });

  it('lists tasks with their state, and filters by state and keyword', async () => {
    await createTask('good-one');
    await finalState('good-one');
    await putCode('code/bad', { 'train.js': 'process.exit(2)' });
    await call('POST', '/api/v1/tasks', { name: 'bad-one', runtime: NODE, code: { type: 'storage', path: 'code/bad' }, command: 'node train.js' });
    await finalState('bad-one');
    const all = (await call('GET', '/api/v1/tasks')).json();
    expect(all.total).toBe(2);
    expect(all.items.map((t: { name: string; state: string }) => [t.name, t.state]).sort()).toEqual([
      ['bad-one', 'Failed'],
      ['good-one', 'Succeeded'],
    ]);
    expect((await call('GET', '/api/v1/tasks?state=Failed')).json().items.map((t: { name: string }) => t.name)).toEqual(['bad-one']);
    expect((await call('GET', '/api/v1/tasks?keyword=good')).json().items.map((t: { name: string }) => t.name)).toEqual(['good-one']);
  });

  it('fails a run with the exit code and the last error line; import from it is refused; a restart is a new run', async () => {
    await putCode('code/flaky', {
      'train.js': `if (!require('fs').existsSync('/tmp/never-${process.pid}')) { console.error('RuntimeError: CUDA out of memory'); process.exit(3); }`,
    });
    await call('POST', '/api/v1/tasks', { name: 'flaky', runtime: NODE, code: { type: 'storage', path: 'code/flaky' }, command: 'node train.js' });
    const t = await finalState('flaky');
    expect(t).toMatchObject({ state: 'Failed', latestRun: { exitCode: 3 } });
    expect(t.reason).toContain('RuntimeError: CUDA out of memory');
    const imp = await call('POST', '/api/v1/models/flaky/versions', {
      source: { type: 'task', task: 'flaky' },
      format: 'custom',
      runtime: NODE,
      createModel: true,
    });
    expect([imp.statusCode, imp.json().error.code]).toEqual([409, 'TASK_NOT_SUCCEEDED']);
    expect(imp.json().error.message).toContain('CUDA out of memory');
    expect((await call('GET', '/api/v1/models/flaky')).statusCode).toBe(404);

    const again = await call('POST', '/api/v1/tasks/flaky/actions', { action: 'restart' });
    expect(again.statusCode).toBe(202);
    expect(again.json().latestRun).toMatchObject({ run: 2, state: 'Pending', outputPath: 'tasks/flaky/run-2' });
    const t2 = await eventually(async () => {
      const got = (await call('GET', '/api/v1/tasks/flaky')).json();
      return got.runs.length === 2 && got.state === 'Failed' ? got : undefined;
    });
    expect(t2.runs.map((r: { run: number; state: string }) => [r.run, r.state])).toEqual([
      [1, 'Failed'],
      [2, 'Failed'],
    ]);
    expect((await call('GET', '/api/v1/tasks/flaky/logs?run=1')).json().run).toBe(1);
    expect((await call('GET', '/api/v1/tasks/flaky/logs?run=9')).json().error.code).toBe('TASK_RUN_NOT_FOUND');
  });

  it('stops a running task; delete waits until it has ended, then removes its code and outputs', async () => {
    await putCode('code/forever', { 'train.js': 'console.log("training forever"); setInterval(() => {}, 1000);' });
    await call('POST', '/api/v1/tasks', { name: 'forever', runtime: NODE, code: { type: 'storage', path: 'code/forever' }, command: 'node train.js' });
    await eventually(async () => (await call('GET', '/api/v1/tasks/forever')).json().state === 'Running', 20_000, 'Running');
    const del = await call('DELETE', '/api/v1/tasks/forever');
    expect([del.statusCode, del.json().error.code]).toEqual([409, 'TASK_RUNNING']);
    expect((await call('POST', '/api/v1/tasks/forever/actions', { action: 'restart' })).json().error.code).toBe('TASK_RUNNING');
    expect((await call('POST', '/api/v1/tasks/forever/actions', { action: 'stop' })).statusCode).toBe(202);
    const t = await finalState('forever');
    expect(t.state).toBe('Stopped');
    expect((await call('POST', '/api/v1/tasks/forever/actions', { action: 'stop' })).json().error.code).toBe('TASK_FINISHED');
    expect((await p.blobs.list('tasks/forever')).length).toBeGreaterThan(0);
    expect((await call('DELETE', '/api/v1/tasks/forever')).statusCode).toBe(204);
    expect(await p.blobs.list('tasks/forever')).toEqual([]);
    expect((await call('GET', '/api/v1/tasks/forever')).json().error.code).toBe('TASK_NOT_FOUND');
  });

  it('runs at most two at once; a third waits Pending with the reason, then runs', async () => {
    await putCode('code/slow', { 'train.js': 'console.log("busy"); setTimeout(() => {}, 60_000);' });
    for (const name of ['one', 'two', 'three'])
      await call('POST', '/api/v1/tasks', { name, runtime: NODE, code: { type: 'storage', path: 'code/slow' }, command: 'node train.js' });
    await eventually(async () => (await call('GET', '/api/v1/tasks?state=Running')).json().total === 2, 20_000, 'two Running');
    const third = await eventually(
      async () => {
        const items = (await call('GET', '/api/v1/tasks?state=Pending')).json().items;
        return items.length === 1 && items[0].reason ? items : undefined;
      },
      10_000,
      'the third to say why it waits',
    );
    expect(third[0].reason).toBe('waiting: 2 runs are going, at most 2 at once');
    const running = (await call('GET', '/api/v1/tasks?state=Running')).json().items.map((t: { name: string }) => t.name);
    await call('POST', `/api/v1/tasks/${running[0]}/actions`, { action: 'stop' });
    await eventually(async () => (await call('GET', `/api/v1/tasks/${third[0].name}`)).json().state === 'Running', 20_000, 'the third to run');
    expect((await call('GET', `/api/v1/tasks/${third[0].name}`)).json().reason).toBeUndefined();
  });

  it('takes uploaded code (multipart: spec then files, or one zip)', async () => {
    const zip = rawZip([
      { name: 'proj/main.js', data: Buffer.from('require("./lib/say.js")("from a zip")') },
      { name: 'proj/lib/say.js', data: Buffer.from('module.exports = (s) => console.log(s)') },
    ]);
    const mp = multipart([
      { name: 'spec', value: JSON.stringify({ name: 'zipped', runtime: NODE, code: { type: 'upload' }, command: 'node main.js' }) },
      { name: 'code', filename: 'proj.zip', data: zip },
    ]);
    const r = await p.app.inject({ method: 'POST', url: '/api/v1/tasks', payload: mp.payload, headers: mp.headers });
    expect(r.statusCode, r.body).toBe(202);
    expect(r.json().code).toMatchObject({ type: 'upload' });
    const t = await finalState('zipped');
    expect(t.state, t.reason).toBe('Succeeded');
    const lines = (await call('GET', '/api/v1/tasks/zipped/logs')).json().items.map((l: { line: string }) => l.line);
    expect(lines).toContain('from a zip');
  });

  it('refuses bad specs with a clear error and stores nothing', async () => {
    await putCode('code/ok', { 'train.js': 'console.log(1)' });
    const base = { name: 'bad', runtime: NODE, code: { type: 'storage', path: 'code/ok' }, command: 'node train.js' };
    const cases: [object, number, string, string?][] = [
      [{ ...base, name: '-bad name' }, 400, 'INVALID_NAME'],
      [{ ...base, runtime: 'cuda99' }, 400, 'UNKNOWN_RUNTIME'],
      [{ ...base, command: '' }, 400, 'INVALID_ARGUMENT', 'command'],
      [{ ...base, inputs: { data: 'no/such/folder' } }, 400, 'SOURCE_NOT_FOUND', 'inputs.data'],
      [{ ...base, inputs: { '9bad': 'code/ok' } }, 400, 'INVALID_ARGUMENT'],
      [{ ...base, inputs: { data: '../etc' } }, 400, 'INVALID_PATH'],
      [{ ...base, output: 'models/sneaky' }, 403, 'FORBIDDEN', 'output'],
      [{ ...base, code: { type: 'example', name: 'no-such-example' } }, 404, 'EXAMPLE_NOT_FOUND'],
      [{ ...base, code: { type: 'storage', path: 'empty/folder' } }, 400, 'SOURCE_NOT_FOUND'],
      [{ ...base, code: { type: 'upload' } }, 400, 'INVALID_ARGUMENT', 'code.type'],
      [{ ...base, resources: { cpuMillicores: 1, memoryMiB: 1024 } }, 400, 'INVALID_ARGUMENT'],
      [{ ...base, env: { 'BAD-KEY': 'x' } }, 400, 'INVALID_ARGUMENT'],
      [{ ...base, surprise: true }, 400, 'INVALID_ARGUMENT'],
    ];
    for (const [body, status, code, field] of cases) {
      const r = await call('POST', '/api/v1/tasks', body);
      expect([JSON.stringify(body), r.statusCode, r.json().error?.code]).toEqual([JSON.stringify(body), status, code]);
      if (field) expect(r.json().error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    expect((await call('GET', '/api/v1/tasks')).json().total).toBe(0);
    expect(await p.blobs.list('tasks')).toEqual([]);
    expect((await call('POST', '/api/v1/tasks', base)).statusCode).toBe(202);
    const dup = await call('POST', '/api/v1/tasks', base);
    expect([dup.statusCode, dup.json().error.code]).toEqual([409, 'TASK_EXISTS']);
    expect((await p.blobs.list('tasks/bad')).filter((o) => o.key.includes('/code-')).length).toBe(1);
  });

  it('refuses an env or a command that no process can be given, naming the field, in JSON and multipart creates', async () => {
    await putCode('code/ok', { 'train.js': 'console.log(1)' });
    const base = { name: 'envy', runtime: NODE, code: { type: 'storage', path: 'code/ok' }, command: 'node train.js' };
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`V${i}`, 'x']));
    const huge = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`V${i}`, 'x'.repeat(4000)]));
    const cases: [object, string][] = [
      [{ env: { 'BAD-KEY': 'x' } }, 'env.BAD-KEY'],
      [{ env: { '1ST': 'x' } }, 'env.1ST'],
      [{ env: { 'A B': 'x' } }, 'env.A B'],
      [{ env: { 'A\u0000B': 'x' } }, 'env.A\\x00B'],
      [{ env: { '': 'x' } }, 'env'],
      [{ env: { ['N'.repeat(129)]: 'x' } }, `env.${'N'.repeat(40)}…`],
      [{ env: { LR: 'a\u0000b' } }, 'env.LR'],
      [{ env: { LR: 'x'.repeat(4097) } }, 'env.LR'],
      [{ env: { MODELDOCK_OUTPUT_DIR: '/tmp/elsewhere' } }, 'env.MODELDOCK_OUTPUT_DIR'],
      [{ env: { MODELDOCK_INPUT_DATA: '/tmp/elsewhere' } }, 'env.MODELDOCK_INPUT_DATA'],
      [{ env: many }, 'env'],
      [{ env: huge }, 'env'],
      [{ env: { LR: 1 } }, 'env.LR'],
      [{ command: 'node train.js\u0000 --evil' }, 'command'],
    ];
    for (const [extra, field] of cases) {
      const r = await call('POST', '/api/v1/tasks', { ...base, ...extra });
      const what = JSON.stringify(extra).slice(0, 80);
      expect([what, r.statusCode, r.json().error?.code]).toEqual([what, 400, 'INVALID_ARGUMENT']);
      expect([what, r.json().error.details.fields.map((f: { field: string }) => f.field)]).toEqual([what, expect.arrayContaining([field])]);
    }
    const mp = multipart([
      { name: 'spec', value: JSON.stringify({ ...base, code: { type: 'upload' }, env: { OK: 'fine', BAD: 'a\u0000b' } }) },
      { name: 'f', filename: 'train.js', data: Buffer.from('console.log(1)') },
    ]);
    const up = await p.app.inject({ method: 'POST', url: '/api/v1/tasks', payload: mp.payload, headers: mp.headers });
    expect([up.statusCode, up.json().error.code, up.json().error.message]).toEqual([400, 'INVALID_ARGUMENT', expect.stringContaining('env.BAD')]);
    expect((await call('GET', '/api/v1/tasks')).json().total).toBe(0);
    const ok = await call('POST', '/api/v1/tasks', { ...base, env: { _UNDER: '', MixedCase9: 'ünïcode is fine', OMP_NUM_THREADS: '1' } });
    expect(ok.statusCode, ok.body).toBe(202);
  });

  it('marks a run the platform lost (killed mid-run) as Failed with the reason, and clears its work folder', async () => {
    const { TasksRepo } = await import('../../tasks/tasks-repo.js');
    const repo = new TasksRepo(p.db.kysely);
    const { run } = await repo.create(
      {
        name: 'lost',
        description: '',
        runtime: NODE,
        code: '{"type":"storage","path":"code/x"}',
        command: 'true',
        inputs: '{}',
        output: 'tasks/lost',
        env: '{}',
        resources: '{"cpuMillicores":1000,"memoryMiB":512}',
        timeout_ms: 60_000,
        tags: '{}',
      },
      (n) => `tasks/lost/run-${n}`,
    );
    // What a platform killed mid-run leaves behind: a run stored as Running that no runner knows.
    await p.db.kysely.updateTable('task_runs').set({ state: 'Running', started_at: new Date().toISOString() }).where('id', '=', run.id).execute();
    const leftover = path.join(p.dataDir, 'task-runs', run.id, 'code');
    fs.mkdirSync(leftover, { recursive: true });
    await p.taskController.reconcile();
    expect(fs.existsSync(path.dirname(leftover))).toBe(false);
    const t = (await call('GET', '/api/v1/tasks/lost')).json();
    expect(t.state).toBe('Failed');
    expect(t.reason).toMatch(/interrupted: the platform stopped while the run was Running/);
  });

  it('lists the built-in examples and datasets', async () => {
    expect((await call('GET', '/api/v1/task-examples')).json().items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'mnist-pytorch', runtime: 'torch1.13-py311-cpu', command: 'python train.py', inputs: { mnist: 'datasets/mnist' } }),
      ]),
    );
    const ds = (await call('GET', '/api/v1/datasets')).json().items;
    expect(ds).toEqual([expect.objectContaining({ name: 'mnist', path: 'datasets/mnist', train: 8995, heldout: 1005 })]);
    const files = (await call('GET', '/api/v1/storage?prefix=datasets/mnist')).json().items.map((o: { path: string }) => o.path);
    expect(files).toContain('datasets/mnist/heldout-images-idx3-ubyte');
  });
});
