/**
 * The ONNX classifier template served by a real `modeldock instance`: photos via URL,
 * data URI and base64 land in their ImageNet ranges; OIP v2 infer matches onnxruntime
 * called directly; bad items are 400s naming the item; private URLs are refused by default.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floatsToHalf, halfToFloats } from '../src/contracts/fp16.js';
import {
  base64Of,
  dataUriOf,
  fixtureServer,
  get,
  PHOTOS,
  post,
  RANGES,
  squeezenetPackage,
  startInstance,
  type FileServer,
  type Instance,
  type Kind,
} from './instance-harness.js';

const RUNTIME = 'onnxruntime1.30-node20-cpu';
const kinds = Object.keys(PHOTOS) as Kind[];
const all = kinds.flatMap((kind) => PHOTOS[kind].map((file) => ({ kind, file })));

describe('instance: onnx/classify (SqueezeNet FP16)', () => {
  let inst: Instance;
  let files: FileServer;
  let dir: string;
  beforeAll(async () => {
    dir = squeezenetPackage();
    files = await fixtureServer();
    inst = await startInstance(['--model-dir', dir, '--runtime', RUNTIME, '--model-name', 'classify', '--max-batch-size', '8'], {
      MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS: '1',
    });
  });
  afterAll(async () => {
    await inst?.stop();
    await files?.close();
  });

  const forms = {
    url: (f: string) => `${files.url}/${f}`,
    'data URI': dataUriOf,
    base64: base64Of,
  };

  for (const [form, encode] of Object.entries(forms)) {
    it(`classifies every cat, dog and butterfly photo given as ${form}`, async () => {
      const r = await post(`${inst.url}/v1/models/m:predict`, { images: all.map((p) => encode(p.file)) });
      expect(r.status).toBe(200);
      const got = (r.body.predictions as { index: number; label: string; top_k: unknown[] }[]).map((p, i) => {
        const [lo, hi] = RANGES[all[i]!.kind];
        return [all[i]!.file, p.index >= lo && p.index <= hi];
      });
      expect(got).toEqual(all.map((p) => [p.file, true]));
      expect(r.body.predictions[0].top_k).toHaveLength(5);
    });
  }

  it('serves OIP v2 metadata and answers infer with the probabilities onnxruntime gives directly', async () => {
    const meta = await get(`${inst.url}/v2/models/classify`);
    expect(meta.body).toMatchObject({
      name: 'classify',
      inputs: [{ name: 'data_0', datatype: 'FP16', shape: [-1, 3, 224, 224] }],
      outputs: [{ name: 'softmaxout_1', datatype: 'FP16' }],
    });
    const x = Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => ((i * 7919) % 200) - 100);
    const r = await post(`${inst.url}/v2/models/classify/versions/1/infer`, {
      id: 'req-1',
      inputs: [{ name: 'data_0', shape: [1, 3, 224, 224], datatype: 'FP16', data: Array.from(x) }],
      outputs: [{ name: 'softmaxout_1' }],
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ model_name: 'classify', id: 'req-1', outputs: [{ name: 'softmaxout_1', datatype: 'FP16', shape: [1, 1000, 1, 1] }] });
    const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'));
    const direct = await session.run({ data_0: new ort.Tensor('float16', floatsToHalf(x), [1, 3, 224, 224]) });
    expect(r.body.outputs[0].data).toEqual(Array.from(halfToFloats(direct.softmaxout_1!.data as Uint16Array)));
    await session.release();
  });

  it('answers 400 naming the failing item, the tensor, or the field', async () => {
    const good = base64Of('cat-kserve.jpg');
    const cases: [unknown, string, RegExp][] = [
      [{ images: [good, 'this is not base64!'] }, 'IMAGE_DECODE_FAILED', /^images\[1\]: /],
      [{ images: [good, good, Buffer.from('plain text').toString('base64')] }, 'IMAGE_DECODE_FAILED', /^images\[2\]: not a decodable image/],
      [{ images: [`${'http'}://127.0.0.1:1/nothing.jpg`] }, 'IMAGE_FETCH_FAILED', /^images\[0\]: 127\.0\.0\.1 refused the connection \(ECONNREFUSED\)/],
      [{ images: [good, 'data:text/html;base64,PGI+'] }, 'IMAGE_DECODE_FAILED', /^images\[1\]: the data URI's type "text\/html"/],
      [{ images: [] }, 'INVALID_INPUT', /"images" is empty/],
      [{ pictures: [good] }, 'INVALID_INPUT', /\{"images"/],
    ];
    for (const [body, code, message] of cases) {
      const r = await post(`${inst.url}/v1/models/m:predict`, body);
      expect([r.status, r.body.error.code]).toEqual([400, code]);
      expect(r.body.error.message).toMatch(message);
    }
    const url = await post(`${inst.url}/v1/models/m:predict`, { images: [good, `${files.url}/imagenet_synset.txt`] });
    expect(url.body.error.message).toMatch(/^images\[1\]: content type "text\/plain" is not an image/);
    const bad = await post(`${inst.url}/v1/models/m:predict`, '{"images": [');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'INVALID_JSON']);
    const shape = await post(`${inst.url}/v2/models/classify/infer`, {
      inputs: [{ name: 'data_0', shape: [1, 3, 224, 223], datatype: 'FP16', data: new Array(3 * 224 * 223).fill(0) }],
    });
    expect([shape.status, shape.body.code]).toEqual([400, 'INVALID_TENSOR']);
    expect(shape.body.error).toMatch(/input "data_0" must have shape \[-1, 3, 224, 224\]/);
    const dtype = await post(`${inst.url}/v2/models/classify/infer`, { inputs: [{ name: 'data_0', shape: [1, 1], datatype: 'FP32', data: [0] }] });
    expect(dtype.body.error).toMatch(/must be FP16, got FP32/);
    const out = await post(`${inst.url}/v2/models/classify/infer`, {
      inputs: [{ name: 'data_0', shape: [1, 3, 224, 224], datatype: 'FP16', data: new Array(3 * 224 * 224).fill(0) }],
      outputs: [{ name: 'prob' }],
    });
    expect(out.body.error).toMatch(/no output "prob"/);
    const other = await get(`${inst.url}/v2/models/other`);
    expect([other.status, other.body.code]).toEqual([404, 'MODEL_NOT_FOUND']);
  });

  it('refuses image URLs to loopback when private addresses are not allowed', async () => {
    const strict = await startInstance(['--model-dir', dir, '--runtime', RUNTIME]);
    try {
      const r = await post(`${strict.url}/v1/models/m:predict`, { images: [base64Of('cat-kserve.jpg'), `${files.url}/cat-kserve.jpg`] });
      expect([r.status, r.body.error.code]).toEqual([400, 'IMAGE_ADDRESS_REFUSED']);
      expect(r.body.error.message).toMatch(/^images\[1\]: 127\.0\.0\.1 is a private or local address/);
    } finally {
      await strict.stop();
    }
  });

  it('keeps health, readiness and metrics on the OIP paths', async () => {
    expect((await get(`${inst.url}/v2/health/live`)).body).toEqual({ live: true });
    expect((await get(`${inst.url}/v2/health/ready`)).body).toEqual({ ready: true });
    expect((await get(`${inst.url}/v2/models/classify/ready`)).body).toEqual({ name: 'classify', ready: true });
    const m = await get(`${inst.url}/metrics`);
    expect(m.body).toMatch(/modeldock_instance_requests_total\{route="predict",code="200"\} \d+/);
    expect(m.body).toMatch(/modeldock_instance_requests_total\{route="predict",code="400"\} \d+/);
    expect(fs.existsSync(dir)).toBe(true);
  });
});
