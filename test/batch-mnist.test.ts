/**
 * Batch prediction end to end (issue 18 §1) on a real `modeldock up`: a training task
 * trains the MNIST CNN (examples/mnist-pytorch, 1 epoch), its output is imported with the
 * pytorch/mnist template's inference code, and a batch job runs it over 1,000 held-out
 * digit PNGs plus three bad inputs in the object store. Mid-job the job's instance is
 * SIGKILLed, and then the platform itself; after the restart the job resumes and ends
 * Succeeded. The results: exactly one line per input (none twice, none missing), the
 * digits right against their labels, the bad inputs as error lines, the summary's counts.
 * Then a JSONL job whose lines are mostly not JSON fails with the reason.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mnistSplit } from '../src/tasks/datasets/mnist.js';
import { eventually } from './support/platform.js';
import { api, type Json } from './support/reliability.js';
import { instanceProcesses, spawnUp, type UpProcess } from './support/up.js';
import { TEMPLATES } from './instance-harness.js';
import { cli } from './cli-harness.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-batch-'));
const children: ChildProcess[] = [];
const N = 1000;
const BAD = {
  'digits/bad-garbage.png': Buffer.from('definitely not a png'),
  'digits/bad-truncated.png': Buffer.alloc(0),
  'digits/bad-noise.jpg': Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)),
};
let p: UpProcess;

async function up(): Promise<UpProcess> {
  const u = await spawnUp(dataDir);
  children.push(u.child);
  return u;
}

async function kill(u: UpProcess): Promise<void> {
  const gone = new Promise((r) => u.child.once('exit', r));
  u.child.kill('SIGKILL');
  await gone;
}

async function put(base: string, key: string, body: Buffer | string): Promise<void> {
  const r = await fetch(`${base}/api/v1/storage/${key}`, { method: 'PUT', body });
  if (r.status !== 200) throw new Error(`PUT ${key}: ${r.status} ${await r.text()}`);
}

const job = async (base: string, name: string): Promise<Json> => (await api(base, 'GET', `/api/v1/batch-jobs/${name}`)).body;

/** Waits until the job has committed at least `n` results (and has not ended). */
function doneAtLeast(base: () => string, name: string, n: number): Promise<Json> {
  return eventually(
    async () => {
      const j = await job(base(), name);
      if (!['Pending', 'Running'].includes(j.state)) throw new Error(`the job ended before ${n} were done: ${JSON.stringify(j)}`);
      return j.progress.done >= n ? j : null;
    },
    120_000,
    `${name}: ${n} done`,
  );
}

/** Held-out digit i as a 28×28 PNG (light on dark, as MNIST has it). */
const digitPng = (i: number): Promise<Buffer> => {
  const { heldout } = mnistSplit();
  return sharp(Buffer.from(heldout.images.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } })
    .png()
    .toBuffer();
};

beforeAll(async () => {
  // the inputs, written straight into the folder store before it starts (1,000 digits named
  // by index and label, and three that are no images)
  const { heldout } = mnistSplit();
  expect(heldout.count).toBeGreaterThanOrEqual(N);
  const blobs = path.join(dataDir, 'blobs');
  fs.mkdirSync(path.join(blobs, 'digits'), { recursive: true });
  for (let k = 0; k < N; k++) fs.writeFileSync(path.join(blobs, `digits/${String(k).padStart(4, '0')}_${heldout.labels[k]}.png`), await digitPng(k));
  for (const [k, b] of Object.entries(BAD)) fs.writeFileSync(path.join(blobs, k), b);
  p = await up();
  const base = p.url;
  // the model: trained by a task, imported from it, the template's inference code added
  const task = await api(base, 'POST', '/api/v1/tasks', {
    name: 'mnist_train',
    runtime: 'torch1.13-py311-cpu',
    code: { type: 'example', name: 'mnist-pytorch' },
    command: 'python train.py',
    inputs: { mnist: 'datasets/mnist' },
    env: { EPOCHS: '1' },
  });
  expect(task.status, task.text).toBe(202);
  await eventually(
    async () => {
      const t = (await api(base, 'GET', '/api/v1/tasks/mnist_train')).body;
      if (['Failed', 'Stopped'].includes(t.state)) throw new Error(`training ${t.state}: ${t.reason}`);
      return t.state === 'Succeeded';
    },
    240_000,
    'mnist_train to succeed',
  );
  const imported = await api(base, 'POST', '/api/v1/models/mnist_train/versions', {
    source: { type: 'task', task: 'mnist_train' },
    format: 'torchscript',
    runtime: 'torch1.13-py311-cpu',
    createModel: true,
  });
  expect(imported.status, imported.text).toBe(202);
  await eventually(async () => (await api(base, 'GET', '/api/v1/models/mnist_train/versions/v1')).body.status === 'ready', 60_000, 'v1 ready');
  for (const f of ['model_service.py', 'config.json']) {
    const r = await fetch(`${base}/api/v1/models/mnist_train/versions/v1/files/${f}`, {
      method: 'PUT',
      body: fs.readFileSync(path.join(TEMPLATES, 'pytorch/mnist', f)),
    });
    expect(r.status, await r.text()).toBe(200);
  }
}, 400_000);

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const i of instanceProcesses(dataDir)) process.kill(i.pid, 'SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('batch prediction over 1,000 MNIST digits', () => {
  it('survives a killed instance and a killed platform: every input once in the results, digits right, bad inputs as error lines', async () => {
    const spec = {
      name: 'digits',
      model: 'mnist_train',
      modelVersion: 'v1',
      input: { path: 'digits' },
      instances: 1,
      resources: { cpuMillicores: 1000, memoryMiB: 1024 },
      batching: { maxBatchSize: 1, maxQueueDelayMs: 0 },
      concurrency: 1,
    };
    // one input at a time: results are committed about once a second in steps of a few hundred
    // at most (a part is cut at 500 lines), so the kills below land mid-job on a fast machine too
    const created = await api(p.url, 'POST', '/api/v1/batch-jobs', spec);
    expect(created.status, created.text).toBe(202);
    expect(created.body).toMatchObject({ name: 'digits', state: 'Pending', input: { path: 'digits', format: 'images' }, output: 'digits.digits.out' });
    expect((await api(p.url, 'POST', '/api/v1/batch-jobs', spec)).body.error.code).toBe('BATCH_JOB_EXISTS');

    // 1. the job's instance is killed mid-job: the backend restarts it, the job goes on
    const first = await doneAtLeast(() => p.url, 'digits', 1);
    expect(first.progress.total).toBe(N + 3);
    const [inst] = instanceProcesses(dataDir);
    process.kill(inst!.pid, 'SIGKILL');
    // 2. the platform is killed mid-job, and started again on the same data dir
    await doneAtLeast(() => p.url, 'digits', first.progress.done + 1);
    await kill(p);
    p = await up();
    const resumed = await job(p.url, 'digits');
    expect(resumed.state).toBe('Running');
    expect(resumed.progress.done).toBeLessThan(N + 3);
    // followed to its end with the CLI: progress lines (done/total, rate), exit 0
    const followed = await cli(p.url, ['batch', 'get', 'digits', '--follow']);
    expect([followed.code, followed.stderr]).toEqual([0, expect.stringMatching(/batch job digits: Succeeded: 1000 answered, 3 failed of 1003/)]);
    expect(followed.stderr).toMatch(/batch digits \d+\/1003 [\d.]+\/s/);
    const end = await job(p.url, 'digits');
    expect([end.state, end.reason]).toEqual(['Succeeded', undefined]);
    expect(end.progress).toMatchObject({ total: N + 3, done: N + 3, succeeded: N, failed: 3, percent: 100 });

    // 3. the results: one line per input, never twice, the digits against their labels
    const summary = JSON.parse((await api(p.url, 'GET', '/api/v1/storage/digits.digits.out/summary.json')).text);
    expect(summary).toMatchObject({ job: 'digits', state: 'Succeeded', total: N + 3, succeeded: N, failed: 3 });
    const stored = ((await api(p.url, 'GET', '/api/v1/storage?prefix=digits.digits.out/results')).body.items as { path: string }[]).map((o) => o.path);
    expect(stored.sort()).toEqual([...summary.parts].sort());
    const lines: Json[] = [];
    for (const part of summary.parts as string[])
      lines.push(
        ...(await api(p.url, 'GET', `/api/v1/storage/${part}`)).text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
      );
    const inputs = lines.map((l) => l.input as string);
    expect(inputs.length).toBe(N + 3);
    expect(new Set(inputs).size).toBe(N + 3);
    let right = 0;
    for (const l of lines.filter((x) => !(x.input as string).includes('/bad-'))) {
      const label = Number(/_(\d)\.png$/.exec(l.input)![1]);
      if (l.output?.predictions?.[0]?.digit === label) right++;
    }
    expect(right / N).toBeGreaterThanOrEqual(0.95);
    const errors = lines.filter((l) => l.error);
    expect(errors.map((l) => l.input).sort()).toEqual(Object.keys(BAD).sort());
    for (const e of errors) expect(e.error.code).toMatch(/^[A-Z_]+$/);
    expect(summary.throughputPerSecond).toBeGreaterThan(0);
  }, 300_000);

  it('fails a job once more than maxErrorRatio of its inputs failed, with the reason', async () => {
    const png = (await digitPng(0)).toString('base64');
    const body = ['{"images": ["' + png + '"]}', 'not json', '{"images": [', 'nope', '{"images": ["' + png + '"]}'].join('\n');
    await put(p.url, 'requests/few.jsonl', body);
    const created = await cli(p.url, [
      'batch',
      'create',
      'mostly-bad',
      '--model',
      'mnist_train:1',
      '--input',
      'requests/few.jsonl',
      '--max-error-ratio',
      '0.2',
      '--follow',
    ]);
    expect([created.code, created.stderr]).toEqual([1, expect.stringMatching(/batch job mostly-bad: Failed \(2 of 5 inputs failed/)]);
    const end = await job(p.url, 'mostly-bad');
    expect(end.input.format).toBe('jsonl');
    expect(end.state).toBe('Failed');
    expect(end.reason).toMatch(/inputs failed, more than maxErrorRatio 0.2/);
    expect((await api(p.url, 'DELETE', '/api/v1/batch-jobs/mostly-bad')).status).toBe(204);
    expect((await api(p.url, 'GET', '/api/v1/batch-jobs/mostly-bad')).body.error.code).toBe('BATCH_JOB_NOT_FOUND');
  }, 120_000);
});
