/**
 * The two journeys of DESIGN.md §1 as `modeldock demo` runs them: each step through the
 * REST API (as the CLI would), printed with the CLI command that does the same.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelVersion } from '../contracts/resources.js';
import type { Task, TaskLogLine } from '../contracts/tasks.js';
import type { ApiClient } from './client.js';
import { walkDir } from './local-files.js';

export interface DemoContext {
  api: ApiClient;
  /** where images are served over http for the calls by URL */
  photosUrl: string;
  templatesDir: string;
  say(line: string): void;
}

const poll = async <T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 600_000): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
};

function step(ctx: DemoContext, n: string, title: string, command: string): void {
  ctx.say(`\n▶ ${n} ${title}\n  $ ${command}`);
}

async function waitVersion(ctx: DemoContext, model: string, version: string): Promise<ModelVersion> {
  const v = await poll(async () => {
    const got = await ctx.api.json<ModelVersion>('GET', `/api/v1/models/${model}/versions/${version}`);
    return got.status === 'importing' ? undefined : got;
  }, `${model} ${version} to import`);
  if (v.status !== 'ready') throw new Error(`${model} ${version} failed to import: ${v.error}`);
  return v;
}

async function waitRunning(ctx: DemoContext, service: string): Promise<void> {
  let last = '';
  await poll(async () => {
    const s = await ctx.api.json<{ status: string; reason?: string }>('GET', `/api/v1/services/${service}`);
    if (s.status !== last) ctx.say(`  ${service}: ${s.status}${s.reason ? ` (${s.reason})` : ''}`);
    last = s.status;
    if (s.status === 'Failed') throw new Error(`service ${service} failed: ${s.reason}`);
    return s.status === 'Running' ? true : undefined;
  }, `${service} to be Running`);
}

const predict = (ctx: DemoContext, service: string, images: string[]) =>
  ctx.api.json<{ predictions: Record<string, unknown>[] }>('POST', `/${service}/v1/models/m:predict`, { json: { images } });

/** Journey 1: train mnist_train, import it, add the inference code, serve and call it. */
export async function journeyTrained(ctx: DemoContext, digit: { file: string; label: number; base64: string }): Promise<void> {
  ctx.say('\n══ Journey 1: a model trained on the platform ══');
  step(ctx, '1.1', 'train a CNN on the built-in mnist dataset (training task)', 'modeldock tasks create mnist_train --example mnist-pytorch --follow');
  await ctx.api.json<Task>('POST', '/api/v1/tasks', {
    json: {
      name: 'mnist_train',
      runtime: 'torch1.13-py311-cpu',
      code: { type: 'example', name: 'mnist-pytorch' },
      command: 'python train.py',
      inputs: { mnist: 'datasets/mnist' },
    },
  });
  let after: number | undefined;
  await poll(async () => {
    const r = await ctx.api.json<{ items: TaskLogLine[]; cursor: number; done: boolean }>('GET', '/api/v1/tasks/mnist_train/logs', { query: { after } });
    for (const l of r.items) ctx.say(`  ${l.stream === 'system' ? '[modeldock] ' : ''}${l.line}`);
    after = r.cursor;
    return r.done ? true : undefined;
  }, 'the training task');
  const task = await ctx.api.json<Task>('GET', '/api/v1/tasks/mnist_train');
  if (task.state !== 'Succeeded') throw new Error(`the training task ${task.state}: ${task.reason}`);

  step(ctx, '1.2', 'import its output as model mnist_train v1 (source: task)', 'modeldock models import mnist_train --task mnist_train');
  await ctx.api.json('POST', '/api/v1/models/mnist_train/versions', {
    json: { source: { type: 'task', task: 'mnist_train' }, format: 'torchscript', runtime: 'torch1.13-py311-cpu', createModel: true },
  });
  const v = await waitVersion(ctx, 'mnist_train', 'v1');
  ctx.say(`  mnist_train v1 ready: ${v.fileCount} files, metrics ${JSON.stringify(v.metrics)}`);

  step(
    ctx,
    '1.3',
    'upload the inference code and config of the pytorch/mnist template into v1',
    'modeldock models files upload mnist_train v1 tpl/pytorch/mnist/model_service.py tpl/pytorch/mnist/config.json',
  );
  const files = (await walkDir(path.join(ctx.templatesDir, 'pytorch', 'mnist'))).filter((f) => ['model_service.py', 'config.json'].includes(f.path));
  const stored = await ctx.api.uploadFiles('mnist_train', 'v1', files);
  ctx.say(`  uploaded ${stored.map((f) => f.path).join(', ')}`);

  step(
    ctx,
    '1.4',
    'deploy it as service mnist-pytorch-infer (postpaid, 1 instance, manual scaling, auth off)',
    'modeldock services create mnist-pytorch-infer --model mnist_train --model-version v1 --instances 1 --memory 2048',
  );
  await ctx.api.json('POST', '/api/v1/services', {
    json: {
      name: 'mnist-pytorch-infer',
      billingMode: 'postpaid',
      auth: false,
      version: { model: 'mnist_train', modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 2048 }, scaling: { mode: 'manual', instances: 1 } },
    },
  });
  await waitRunning(ctx, 'mnist-pytorch-infer');

  step(
    ctx,
    '1.5',
    `call it with a photo of a ${digit.label} (by URL, then as base64)`,
    `modeldock call mnist-pytorch-infer '{"images":["${ctx.photosUrl}/${digit.file}"]}'`,
  );
  const byUrl = await predict(ctx, 'mnist-pytorch-infer', [`${ctx.photosUrl}/${digit.file}`]);
  ctx.say(`  by URL:    ${JSON.stringify(byUrl.predictions[0])}`);
  const byBase64 = await predict(ctx, 'mnist-pytorch-infer', [digit.base64]);
  ctx.say(`  by base64: ${JSON.stringify(byBase64.predictions[0])}`);
}

/** Journey 2: a third party's ImageNet classifier from object storage. */
export async function journeyThirdParty(ctx: DemoContext, fixtures: string, work: string): Promise<void> {
  ctx.say('\n══ Journey 2: a third-party model ══');
  const dir = path.join(work, 'classify');
  step(
    ctx,
    '2.1',
    "take the pytorch/classify template and add the third party's weights and labels",
    'modeldock templates download --out templates.zip && unzip templates.zip -d tpl; cp mobilenet_quantized.pt tpl/pytorch/classify/model.pt; cp imagenet_synset.txt tpl/pytorch/classify/labels.txt',
  );
  fs.cpSync(path.join(ctx.templatesDir, 'pytorch', 'classify'), dir, { recursive: true });
  fs.copyFileSync(path.join(fixtures, 'pytorch-classify', 'mobilenet_quantized.pt'), path.join(dir, 'model.pt'));
  fs.copyFileSync(path.join(fixtures, 'imagenet_synset.txt'), path.join(dir, 'labels.txt'));

  step(
    ctx,
    '2.2',
    'put the folder into object storage and import it as model classify v1',
    'modeldock storage put tpl/pytorch/classify cos/classify && modeldock models import classify --source storage --path cos/classify',
  );
  for (const f of await walkDir(dir)) await ctx.api.putStorage({ ...f, path: `cos/classify/${f.path}` });
  await ctx.api.json('POST', '/api/v1/models/classify/versions', {
    json: { source: { type: 'storage', path: 'cos/classify' }, format: 'torchscript', runtime: 'torch1.13-py311-cpu', createModel: true },
  });
  const v = await waitVersion(ctx, 'classify', 'v1');
  ctx.say(`  classify v1 ready: ${v.fileCount} files`);

  step(ctx, '2.3', 'deploy service classify', 'modeldock services create classify --model classify --model-version v1 --memory 2048');
  await ctx.api.json('POST', '/api/v1/services', {
    json: {
      name: 'classify',
      billingMode: 'postpaid',
      version: { model: 'classify', modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 2048 }, scaling: { mode: 'manual', instances: 1 } },
    },
  });
  await waitRunning(ctx, 'classify');

  step(ctx, '2.4', 'send a cat, a butterfly and a dog', `modeldock call classify '{"images":["${ctx.photosUrl}/cat-jetson.jpg"]}'`);
  for (const photo of ['cat-jetson.jpg', 'butterfly-monarch-in-may.jpg', 'dog-winml.jpg']) {
    const r = await predict(ctx, 'classify', [`${ctx.photosUrl}/${photo}`]);
    const top = r.predictions[0] as { label?: string; probability?: number };
    ctx.say(`  ${photo.padEnd(30)} → ${top.label} (${top.probability})`);
  }
}
