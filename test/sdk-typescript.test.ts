/**
 * The TypeScript SDK (src/client) driving both journeys of DESIGN.md §1 against a real
 * platform listening on a port, with real instances: nothing but the SDK talks to it.
 * Journey 2 (classify): templates downloaded, pytorch/classify + the fixture weights
 * imported as a folder upload with progress, service with auth on and a call token, a cat
 * photo by TI-ONE predict, scale and weights; the ONNX classifier over OIP v2 with binary
 * FP16 tensors both ways. Journey 1 (MNIST): the training task followed to its end through
 * its logs, imported from the task, the template's code uploaded, digits read back.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import { mnistSplit } from '../src/tasks/datasets/mnist.js';
import { ModeldockClient, ModeldockError, importFolder, saveTo, uploadVersionFiles } from '../src/client/node/index.js';

const FIXTURES = new URL('../examples/fixtures/', import.meta.url).pathname;
const TORCH = 'torch1.13-py311-cpu';
let p: Platform;
let sdk: ModeldockClient;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-sdk-ts-'));
  p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir: path.join(work, 'data'), port: 0, logLevel: 'silent' } }));
  sdk = new ModeldockClient({ baseUrl: p.url, timeoutMs: 30_000 });
  await sdk.health();
  const zip = path.join(work, 'templates.zip');
  expect((await saveTo(await sdk.catalog.downloadTemplates(), zip)).size).toBeGreaterThan(1000);
  execFileSync('unzip', ['-q', zip, '-d', path.join(work, 'tpl')]);
}, 120_000);

afterAll(async () => {
  await p?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const version = (model: string, memoryMiB = 2048) => ({
  model,
  modelVersion: 'v1',
  resources: { cpuMillicores: 1000, memoryMiB },
  scaling: { mode: 'manual' as const, instances: 1 },
});
/** The error a call fails with (the test fails if it succeeds). */
async function failure(call: Promise<unknown>): Promise<ModeldockError> {
  const e = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModeldockError);
  return e as ModeldockError;
}
const dataUrl = (file: string) => `data:image/jpeg;base64,${fs.readFileSync(file).toString('base64')}`;

interface Prediction {
  index: number;
  label: string;
  probability: number;
}

describe('the TypeScript SDK against a running platform', () => {
  it('journey 2: imports pytorch/classify as a folder upload with progress, serves it with a token, and the cat comes back a cat', async () => {
    const dir = path.join(work, 'tpl', 'pytorch', 'classify');
    fs.copyFileSync(path.join(FIXTURES, 'pytorch-classify/mobilenet_quantized.pt'), path.join(dir, 'model.pt'));
    fs.copyFileSync(path.join(FIXTURES, 'imagenet_synset.txt'), path.join(dir, 'labels.txt'));

    const seen: [number, number][] = [];
    const started = await importFolder(
      sdk,
      'classify',
      dir,
      { format: 'torchscript', runtime: TORCH, createModel: true },
      { onProgress: (sent, total) => seen.push([sent, total]) },
    );
    expect(started).toMatchObject({ model: 'classify', version: 'v1' });
    const total = fs.readdirSync(dir).reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0);
    expect(seen.at(-1)).toEqual([total, total]);
    const ready = await sdk.models.waitForVersion('classify', 'v1', { timeoutMs: 120_000 });
    expect(ready.files?.map((f) => f.path).sort()).toEqual(
      ['README.md', 'labels.txt', 'model.pt', 'model_service.py', 'template.json'].filter((f) => fs.existsSync(path.join(dir, f))).sort(),
    );

    await sdk.services.create({ name: 'classify', auth: true, version: version('classify') });
    const running = await sdk.services.waitFor('classify', 'Running', { timeoutMs: 180_000 });
    expect(running.versions[0]).toMatchObject({ readyInstances: 1, weight: 100 });

    // auth on: no token is a 401 with its stable code, nothing reaches the model
    const refused = await failure(sdk.calls.predict('classify', { images: [dataUrl(path.join(FIXTURES, 'cat-jetson.jpg'))] }));
    expect([refused.status, refused.code]).toEqual([401, 'UNAUTHENTICATED']);
    const token = await sdk.services.createToken('classify', { name: 'sdk', limits: { perDay: 100 } });
    const photos: [string, number, number][] = [
      ['cat-jetson.jpg', 281, 285],
      ['dog-winml.jpg', 151, 268],
    ];
    for (const [photo, lo, hi] of photos) {
      const answer = await sdk.calls.predict<{ predictions: Prediction[] }>(
        'classify',
        { images: [dataUrl(path.join(FIXTURES, photo))] },
        { token: token.token },
      );
      const top = answer.predictions[0]!;
      expect([photo, top.index >= lo && top.index <= hi, top.label]).toEqual([photo, true, expect.any(String)]);
      if (photo.startsWith('cat')) expect(top.label).toMatch(/cat/i);
    }
    expect((await sdk.services.listTokens('classify'))[0]!.usage?.day).toBe(2);

    // scale and weights
    await sdk.services.scale('classify', 2);
    const two = await sdk.services.waitFor('classify', 'Running', { timeoutMs: 180_000 });
    expect(two.versions[0]).toMatchObject({ desiredInstances: 2, readyInstances: 2 });
    expect((await sdk.services.instances('classify')).filter((i) => i.ready)).toHaveLength(2);
    const weighted = await sdk.services.setWeights('classify', [{ version: 1, weight: 100 }]);
    expect(weighted.versions[0]!.weight).toBe(100);
    const bad = await failure(sdk.services.setWeights('classify', [{ version: 9, weight: 100 }]));
    expect([bad.status >= 400 && bad.status < 500, typeof bad.code]).toEqual([true, 'string']);
    await sdk.services.delete('classify');
  }, 600_000);

  it('journey 2 over OIP v2: the ONNX classifier reads a cat sent as a binary FP16 tensor and answers in binary', async () => {
    const dir = path.join(work, 'tpl', 'onnx', 'classify');
    fs.copyFileSync(path.join(FIXTURES, 'squeezenet1.1-fp16.onnx'), path.join(dir, 'model.onnx'));
    fs.copyFileSync(path.join(FIXTURES, 'imagenet_synset.txt'), path.join(dir, 'labels.txt'));
    await importFolder(sdk, 'classify-onnx', dir, { format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true });
    await sdk.models.waitForVersion('classify-onnx', 'v1', { timeoutMs: 60_000 });
    await sdk.services.create({ name: 'classify-onnx', version: version('classify-onnx', 1024) });
    await sdk.services.waitFor('classify-onnx', 'Running', { timeoutMs: 120_000 });
    expect(await sdk.calls.ready('classify-onnx')).toBe(true);
    const meta = await sdk.calls.metadata('classify-onnx');
    expect(meta.inputs[0]).toMatchObject({ name: 'data_0', datatype: 'FP16' });

    // the template's preprocessing (modeldock.json): 224×224 fill, BGR, NCHW, minus the mean
    const rgb = await sharp(path.join(FIXTURES, 'cat-jetson.jpg')).removeAlpha().resize(224, 224, { fit: 'fill' }).raw().toBuffer();
    const x = new Float32Array(3 * 224 * 224);
    const mean = [104, 117, 123];
    [2, 1, 0].forEach((src, k) => {
      for (let i = 0; i < 224 * 224; i++) x[k * 224 * 224 + i] = rgb[i * 3 + src]! - mean[k]!;
    });
    const answer = await sdk.calls.infer(
      'classify-onnx',
      { inputs: [{ name: 'data_0', datatype: 'FP16', shape: [1, 3, 224, 224], data: x }] },
      { binaryOutput: true },
    );
    const out = answer.outputs[0]!;
    expect(out.parameters).toMatchObject({ binary_data_size: 2000 });
    const scores = out.data as number[];
    const top = scores.indexOf(Math.max(...scores));
    expect(top >= 281 && top <= 285).toBe(true);

    // the call is in the service's log: followed as server-sent events until an access line shows
    const ac = new AbortController();
    const lines: string[] = [];
    for await (const l of sdk.services.followLogs('classify-onnx', { signal: ac.signal })) {
      lines.push(`${l.stream} ${l.line}`);
      if (l.stream === 'access') ac.abort();
    }
    expect(lines.some((l) => l.startsWith('access') && l.includes('infer'))).toBe(true);
    await sdk.services.delete('classify-onnx');
  }, 300_000);

  it('journey 1: trains mnist_train following its logs, imports it from the task, adds the inference code, and reads digits', async () => {
    await sdk.tasks.create({
      name: 'mnist_train',
      runtime: TORCH,
      code: { type: 'example', name: 'mnist-pytorch' },
      command: 'python train.py',
      inputs: { mnist: 'datasets/mnist' },
      env: { EPOCHS: '2' },
    });
    const lines: string[] = [];
    for await (const l of sdk.tasks.followLogs('mnist_train')) lines.push(l.line);
    expect(lines.join('\n')).toMatch(/epoch 1\/\d+: loss/);
    const run = await sdk.tasks.waitFor('mnist_train', { timeoutMs: 10_000 });
    expect(run.state).toBe('Succeeded');
    expect((await sdk.tasks.outputs('mnist_train')).items.map((f) => f.path).sort()).toEqual(['metrics.json', 'model.pt']);

    await sdk.models.importVersion('mnist_train', { source: { type: 'task', task: 'mnist_train' }, format: 'torchscript', runtime: TORCH, createModel: true });
    const v1 = await sdk.models.waitForVersion('mnist_train', 'v1', { timeoutMs: 120_000 });
    // 2 epochs, not the example's 4: the CLI journey checks the full run; this one the SDK
    expect(v1.metrics).toMatchObject({ epochs: 2, accuracy: expect.any(Number) });
    expect((v1.metrics as { accuracy: number }).accuracy).toBeGreaterThanOrEqual(0.95);
    const tpl = new URL('../templates/pytorch/mnist/', import.meta.url).pathname;
    await uploadVersionFiles(sdk, 'mnist_train', 'v1', [path.join(tpl, 'model_service.py'), path.join(tpl, 'config.json')]);
    expect((await sdk.models.listFiles('mnist_train', 'v1')).map((f) => f.path).sort()).toEqual([
      'config.json',
      'metrics.json',
      'model.pt',
      'model_service.py',
    ]);

    await sdk.services.create({ name: 'mnist-pytorch-infer', billingMode: 'postpaid', version: version('mnist_train') });
    await sdk.services.waitFor('mnist-pytorch-infer', 'Running', { timeoutMs: 180_000 });
    const { heldout } = mnistSplit();
    for (const digit of [7, 2]) {
      const i = heldout.labels.indexOf(digit);
      const px = Buffer.from(heldout.images.subarray(i * 784, (i + 1) * 784)).map((v) => 255 - v);
      const jpeg = await sharp(Buffer.from(px), { raw: { width: 28, height: 28, channels: 1 } })
        .resize(200, 200, { kernel: 'cubic' })
        .jpeg({ quality: 90 })
        .toBuffer();
      const answer = await sdk.calls.predict<{ predictions: { digit: number }[] }>('mnist-pytorch-infer', { images: [jpeg.toString('base64')] });
      expect(answer.predictions[0]!.digit).toBe(digit);
    }
    const missing = await failure(sdk.tasks.get('no-such-task'));
    expect([missing.status, missing.code]).toEqual([404, 'TASK_NOT_FOUND']);
  }, 900_000);
});
