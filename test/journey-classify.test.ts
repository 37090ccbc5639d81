/**
 * Journey 2 of DESIGN.md §1 (the seed's 案例2), through the CLI against a real
 * `modeldock up`: download the inference code templates, take pytorch/classify, add the
 * third party's weights and labels, put the folder in object storage, import it as model
 * `classify` v1, deploy service `classify`, and send a cat, a butterfly and a dog — as
 * http URLs served from a local server and as base64 — getting each class back as the
 * most confident. The same with the ONNX classifier (onnx/classify) on the built-in handler.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, startPlatform, tmpDir, type RunningPlatform } from './cli-harness.js';

const FIXTURES = new URL('../examples/fixtures/', import.meta.url);
const fixture = (name: string) => new URL(name, FIXTURES);
const PHOTOS: [string, number, number][] = [
  ['cat-jetson.jpg', 281, 285],
  ['butterfly-monarch-in-may.jpg', 321, 326],
  ['dog-winml.jpg', 151, 268],
];

let platform: RunningPlatform;
let photos: http.Server;
let photosUrl: string;
let work: string;

beforeAll(async () => {
  // the photos are served over http from loopback, which instances refuse unless allowed
  platform = await startPlatform({ MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS: '1' });
  photos = http.createServer((req, res) => {
    const name = path.basename(req.url ?? '');
    if (!PHOTOS.some(([p]) => p === name)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/jpeg' });
    fs.createReadStream(fixture(name)).pipe(res);
  });
  await new Promise<void>((r) => photos.listen(0, '127.0.0.1', r));
  photosUrl = `http://127.0.0.1:${(photos.address() as { port: number }).port}`;
  work = tmpDir('journey2');
  const zip = path.join(work, 'templates.zip');
  expect((await cli(platform.url, ['templates', 'download', '--out', zip])).code).toBe(0);
  execFileSync('unzip', ['-q', zip, '-d', path.join(work, 'tpl')]);
}, 120_000);

afterAll(async () => {
  photos?.close();
  await platform?.stop();
});

interface Prediction {
  index: number;
  label: string;
  probability: number;
}

async function deployAndCall(template: string, weights: [string, string], model: string): Promise<void> {
  const dir = path.join(work, 'tpl', template);
  fs.copyFileSync(fixture(weights[0]), path.join(dir, weights[1]));
  fs.copyFileSync(fixture('imagenet_synset.txt'), path.join(dir, 'labels.txt'));
  expect((await cli(platform.url, ['storage', 'put', dir, `cos/${model}`])).code).toBe(0);
  const imported = await cli(platform.url, ['--json', 'models', 'import', model, '--source', 'storage', '--path', `cos/${model}`]);
  expect(imported.stderr).not.toMatch(/error/);
  expect(JSON.parse(imported.stdout)).toMatchObject({ model, version: 'v1', status: 'ready' });
  const created = await cli(platform.url, ['--json', 'services', 'create', model, '--model', model, '--model-version', 'v1', '--memory', '2048']);
  expect([created.code, created.stderr]).toEqual([0, '']);
  expect(JSON.parse(created.stdout)).toMatchObject({ name: model, status: 'Running', versions: [{ readyInstances: 1 }] });

  for (const [photo, lo, hi] of PHOTOS) {
    const byUrl = await cliJson<{ predictions: Prediction[] }>(platform.url, ['call', model, '--json', JSON.stringify({ images: [`${photosUrl}/${photo}`] })]);
    const byBase64 = await cliJson<{ predictions: Prediction[] }>(platform.url, ['call', model, '--image', fileOf(photo)]);
    for (const answer of [byUrl, byBase64]) {
      const top = answer.predictions[0]!;
      expect([photo, top.index >= lo && top.index <= hi]).toEqual([photo, true]);
    }
  }
}

const fileOf = (name: string) => new URL(name, FIXTURES).pathname;

describe('journey 2: a third-party classifier', () => {
  it('pytorch/classify with the fixture MobileNetV2 on the Python runtime', async () => {
    await deployAndCall('pytorch/classify', ['pytorch-classify/mobilenet_quantized.pt', 'model.pt'], 'classify');
    const runtime = (await cliJson<{ versions: { runtime: string }[] }>(platform.url, ['services', 'show', 'classify'])).versions[0]!.runtime;
    expect(runtime).toBe('torch1.13-py311-cpu');
  });

  it('onnx/classify with the fixture SqueezeNet on the built-in image handler', async () => {
    await deployAndCall('onnx/classify', ['squeezenet1.1-fp16.onnx', 'model.onnx'], 'classify-onnx');
  });
});
