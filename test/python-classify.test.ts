/**
 * templates/pytorch/classify with the fixture weights (quantized MobileNetV2 TorchScript)
 * on a real `modeldock instance --runtime torch1.13-py311-cpu`: cat, dog and butterfly
 * photos land in their ImageNet ranges via URL (a loopback server), data URI and base64;
 * bad items are 400s naming the item; with TI_INFERENCE_MAX_BATCH_SIZE concurrent calls
 * are joined and each caller gets its own answer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  base64Of,
  dataUriOf,
  FIXTURES,
  fixtureServer,
  get,
  metricValue,
  PHOTOS,
  post,
  RANGES,
  startInstance,
  tempDir,
  TEMPLATES,
  type FileServer,
  type Instance,
  type Kind,
} from './instance-harness.js';

interface Prediction {
  index: number;
  label: string;
  probability: number;
  top_k: { index: number; label: string; probability: number }[];
}

export function classifyPackage(): string {
  const dir = tempDir();
  fs.cpSync(path.join(TEMPLATES, 'pytorch/classify'), dir, { recursive: true });
  fs.copyFileSync(path.join(FIXTURES, 'pytorch-classify/mobilenet_quantized.pt'), path.join(dir, 'model.pt'));
  fs.copyFileSync(path.join(FIXTURES, 'imagenet_synset.txt'), path.join(dir, 'labels.txt'));
  return dir;
}

const all = (Object.keys(PHOTOS) as Kind[]).flatMap((kind) => PHOTOS[kind].map((file) => ({ kind, file })));

function expectInRanges(preds: Prediction[]): void {
  expect(preds).toHaveLength(all.length);
  preds.forEach((p, i) => {
    const [lo, hi] = RANGES[all[i]!.kind];
    expect(p.index, `${all[i]!.file} → ${p.index} ${p.label}`).toBeGreaterThanOrEqual(lo);
    expect(p.index, `${all[i]!.file} → ${p.index} ${p.label}`).toBeLessThanOrEqual(hi);
    expect(p.top_k).toHaveLength(5);
    expect(p.top_k[0]).toEqual({ index: p.index, label: p.label, probability: p.probability });
    expect(p.top_k.map((t) => t.probability)).toEqual([...p.top_k.map((t) => t.probability)].sort((a, b) => b - a));
  });
  const monarchs = preds.filter((_, i) => all[i]!.file.startsWith('butterfly-monarch'));
  expect(monarchs.map((p) => [p.index, p.label])).toEqual([
    [323, 'monarch, monarch butterfly, milkweed butterfly, Danaus plexippus'],
    [323, 'monarch, monarch butterfly, milkweed butterfly, Danaus plexippus'],
  ]);
}

describe('pytorch/classify template on the Python runtime (real instance)', () => {
  let files: FileServer;
  let inst: Instance;
  beforeAll(async () => {
    files = await fixtureServer();
    inst = await startInstance(['--model-dir', classifyPackage(), '--runtime', 'torch1.13-py311-cpu', '--allow-private-image-urls'], {
      MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS: '1',
    });
  }, 120_000);
  afterAll(async () => {
    await inst?.stop();
    await files?.close();
  });

  it('classifies the photos into their ImageNet ranges via URL, data URI and base64', async () => {
    const byUrl = await post(`${inst.url}/v1/models/m:predict`, { images: all.map((p) => `${files.url}/${p.file}`) });
    expect(byUrl.status, JSON.stringify(byUrl.body)).toBe(200);
    expectInRanges(byUrl.body.predictions);
    const byUri = await post(`${inst.url}/v1/models/m:predict`, { images: all.map((p) => dataUriOf(p.file)) });
    expectInRanges(byUri.body.predictions);
    const byB64 = await post(`${inst.url}/v1/models/m:predict`, { images: all.map((p) => base64Of(p.file)) });
    expectInRanges(byB64.body.predictions);
    expect(byB64.body).toEqual(byUri.body);
    expect(byUrl.body).toEqual(byUri.body);
  });

  it('answers a bad item with a 400 naming it, and keeps serving', async () => {
    const bad = await post(`${inst.url}/v1/models/m:predict`, { images: [base64Of('cat-kserve.jpg'), Buffer.from('not an image').toString('base64')] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('IMAGE_DECODE_FAILED');
    expect(bad.body.error.message).toMatch(/^images\[1\]: not a decodable image/);
    const missing = await post(`${inst.url}/v1/models/m:predict`, { images: [`${files.url}/nope.jpg`] });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'IMAGE_FETCH_FAILED', message: expect.stringMatching(/^images\[0\]: fetching .* answered HTTP 404/) });
    expect((await post(`${inst.url}/v1/models/m:predict`, { nothing: 1 })).status).toBe(400);
    const ok = await post(`${inst.url}/v1/models/m:predict`, { images: [base64Of('cat-jetson.jpg')] });
    expect(ok.body.predictions[0].index).toBe(283);
  });
});

describe('pytorch/classify with TI_INFERENCE_MAX_BATCH_SIZE=8 (real instance, batching)', () => {
  let inst: Instance;
  beforeAll(async () => {
    inst = await startInstance(['--model-dir', classifyPackage(), '--runtime', 'torch1.13-py311-cpu', '--max-batch-size', '8', '--max-queue-delay-ms', '20'], {
      TI_INFERENCE_MAX_BATCH_SIZE: '8',
    });
  }, 120_000);
  afterAll(async () => {
    await inst?.stop();
  });

  it('joins concurrent calls into one predict and gives every caller its own answer', async () => {
    const calls = all.map((p) => post(`${inst.url}/v1/models/m:predict`, { images: [base64Of(p.file)] }));
    const answers = await Promise.all(calls);
    expectInRanges(answers.map((a) => a.body.predictions[0] as Prediction));
    const metrics = (await get(`${inst.url}/metrics`)).body as string;
    const batches = metricValue(metrics, 'modeldock_instance_batch_size_count');
    const rows = metricValue(metrics, 'modeldock_instance_batch_size_sum');
    expect(rows).toBe(all.length);
    expect(batches).toBeLessThan(all.length);
  });
});
