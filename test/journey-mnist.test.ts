/**
 * Journey 1 of DESIGN.md §1 (the seed's 案例1), through the CLI against a real
 * `modeldock up`: the training task `mnist_train` runs examples/mnist-pytorch on the
 * built-in mnist dataset → its output is imported as model `mnist_train` v1 (source task,
 * torchscript, torch runtime) → the pytorch/mnist template's inference script and config
 * are uploaded into v1 → service `mnist-pytorch-infer` (postpaid, 1 instance, manual,
 * auth off) → Running → digits come back from photos sent by http URL and as base64.
 * Then the whole held-out split goes through the service as JPEG, as MNIST has it and
 * inverted to dark-on-light at 200×200; each must be read at ≥ 97%.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mnistSplit } from '../src/tasks/datasets/mnist.js';
import { cli, cliJson, startPlatform, tmpDir, type RunningPlatform } from './cli-harness.js';

let platform: RunningPlatform;
let photos: http.Server;
let photosUrl: string;
let work: string;
const served = new Map<string, Buffer>();

/** Held-out digit i as a JPEG: as stored (light on dark, 28×28), or inverted and scaled to 200×200. */
async function digitJpeg(i: number, inverted: boolean): Promise<Buffer> {
  const { heldout } = mnistSplit();
  let px = Buffer.from(heldout.images.subarray(i * 784, (i + 1) * 784));
  if (inverted) px = Buffer.from(px.map((v) => 255 - v));
  const img = sharp(px, { raw: { width: 28, height: 28, channels: 1 } });
  return (inverted ? img.resize(200, 200, { kernel: 'cubic' }) : img).jpeg({ quality: 90 }).toBuffer();
}

beforeAll(async () => {
  platform = await startPlatform({ MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS: '1' });
  photos = http.createServer((req, res) => {
    const body = served.get(path.basename(req.url ?? ''));
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/jpeg' }).end(body);
  });
  await new Promise<void>((r) => photos.listen(0, '127.0.0.1', r));
  photosUrl = `http://127.0.0.1:${(photos.address() as { port: number }).port}`;
  work = tmpDir('journey1');
}, 120_000);

afterAll(async () => {
  photos?.close();
  await platform?.stop();
});

interface Answer {
  predictions: { digit: number; probability: number }[];
}

describe('journey 1: a model trained on the platform', () => {
  it('trains mnist_train, imports it, adds the inference code, serves it as mnist-pytorch-infer, and reads the held-out digits at ≥ 97%', async () => {
    // 1. the training task, followed to its end
    const trained = await cli(platform.url, ['tasks', 'create', 'mnist_train', '--example', 'mnist-pytorch', '--follow']);
    expect([trained.code, trained.stderr]).toEqual([0, expect.stringMatching(/task mnist_train run 1: Succeeded .*"accuracy"/)]);
    expect(trained.stdout).toMatch(/epoch 1\/\d+: loss/);
    const outputs = await cliJson<{ items: { path: string }[] }>(platform.url, ['tasks', 'outputs', 'mnist_train']);
    expect(outputs.items.map((f) => f.path).sort()).toEqual(['metrics.json', 'model.pt']);

    // 2. import as model mnist_train v1 (source task; format and runtime inferred from model.pt)
    const imported = await cliJson<{ version: string; status: string; format: string; runtime: string; source: object; metrics: { accuracy: number } }>(
      platform.url,
      ['models', 'import', 'mnist_train', '--task', 'mnist_train'],
    );
    expect(imported).toMatchObject({
      version: 'v1',
      status: 'ready',
      format: 'torchscript',
      runtime: 'torch1.13-py311-cpu',
      source: { type: 'task', task: 'mnist_train', run: '1' },
    });
    expect(imported.metrics.accuracy).toBeGreaterThanOrEqual(0.97);

    // 3. upload the template's inference script and config into v1
    const zip = path.join(work, 'templates.zip');
    expect((await cli(platform.url, ['templates', 'download', '--out', zip])).code).toBe(0);
    execFileSync('unzip', ['-q', zip, '-d', path.join(work, 'tpl')]);
    const tpl = path.join(work, 'tpl', 'pytorch', 'mnist');
    const up = await cli(platform.url, ['models', 'files', 'upload', 'mnist_train', 'v1', path.join(tpl, 'model_service.py'), path.join(tpl, 'config.json')]);
    expect([up.code, up.stderr]).toEqual([0, '']);
    const files = await cliJson<{ path: string }[] | { items: { path: string }[] }>(platform.url, ['models', 'files', 'ls', 'mnist_train', 'v1']);
    const names = (Array.isArray(files) ? files : files.items).map((f) => f.path).sort();
    expect(names).toEqual(['config.json', 'metrics.json', 'model.pt', 'model_service.py']);

    // 4. the service: postpaid, one instance, manual scaling, auth off; the CLI waits for Running
    const created = await cli(platform.url, [
      '--json',
      'services',
      'create',
      'mnist-pytorch-infer',
      '--model',
      'mnist_train',
      '--model-version',
      'v1',
      '--instances',
      '1',
      '--billing',
      'postpaid',
      '--memory',
      '2048',
    ]);
    expect([created.code, created.stderr]).toEqual([0, '']);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'mnist-pytorch-infer', status: 'Running', billingMode: 'postpaid', auth: false });

    // 5. a digit photo by URL, and one as base64
    const seven = mnistSplit().heldout.labels.indexOf(7);
    served.set('seven.jpg', await digitJpeg(seven, true));
    const byUrl = await cliJson<Answer>(platform.url, ['call', 'mnist-pytorch-infer', '--json', JSON.stringify({ images: [`${photosUrl}/seven.jpg`] })]);
    expect(byUrl.predictions[0]!.digit).toBe(7);
    const two = mnistSplit().heldout.labels.indexOf(2);
    fs.writeFileSync(path.join(work, 'two.jpg'), await digitJpeg(two, false));
    const byBase64 = await cliJson<Answer>(platform.url, ['call', 'mnist-pytorch-infer', '--image', path.join(work, 'two.jpg')]);
    expect(byBase64.predictions[0]!.digit).toBe(2);

    // 6. the whole held-out split through the service, both ways, as JPEG
    const predict = `${platform.url}/mnist-pytorch-infer/v1/models/m:predict`;
    const { heldout } = mnistSplit();
    const results: Record<string, number> = {};
    for (const inverted of [false, true]) {
      let right = 0;
      for (let start = 0; start < heldout.count; start += 50) {
        const idx = Array.from({ length: Math.min(50, heldout.count - start) }, (_, k) => start + k);
        const images = await Promise.all(idx.map(async (i) => (await digitJpeg(i, inverted)).toString('base64')));
        const res = await fetch(predict, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ images }) });
        expect(res.status).toBe(200);
        const answer = (await res.json()) as Answer;
        idx.forEach((i, k) => (right += answer.predictions[k]!.digit === heldout.labels[i] ? 1 : 0));
      }
      results[inverted ? 'inverted_200x200_jpeg' : 'jpeg_28x28'] = right / heldout.count;
    }
    fs.mkdirSync('test-artifacts', { recursive: true });
    fs.writeFileSync(
      'test-artifacts/journey-mnist.json',
      `${JSON.stringify({ heldout: heldout.count, trainingMetrics: imported.metrics, accuracyThroughService: results }, null, 2)}\n`,
    );
    expect(results.jpeg_28x28).toBeGreaterThanOrEqual(0.97);
    expect(results.inverted_200x200_jpeg).toBeGreaterThanOrEqual(0.97);
  }, 300_000);
});
