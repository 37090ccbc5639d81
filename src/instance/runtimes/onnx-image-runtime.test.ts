import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { base64Of, dataUriOf, PHOTOS, RANGES, squeezenetPackage, type Kind } from '../../../test/instance-harness.js';
import { DEFAULT_IMAGE_POLICY } from '../images/image-policy.js';
import { runtimeContract } from '../runtime.contract.js';
import { OnnxImageRuntime, topK, type ImagePrediction } from './onnx-image-runtime.js';

const inRange = (kind: Kind, index: number) => index >= RANGES[kind][0] && index <= RANGES[kind][1];

runtimeContract({
  name: 'onnx image handler (SqueezeNet FP16 + modeldock.json)',
  create: () => new OnnxImageRuntime(DEFAULT_IMAGE_POLICY),
  modelDir: squeezenetPackage,
  tensors: true,
  maxBatchSize: 4,
  bodies: [{ images: [base64Of('cat-jetson.jpg')] }, { images: [dataUriOf('butterfly-monarch-crop.jpg'), base64Of('dog-winml.jpg')] }],
  badBody: { images: ['not base64 at all!'] },
  check: (_b, r) => {
    const p = (r as { predictions: ImagePrediction[] }).predictions[0]!;
    expect(p.top_k).toHaveLength(5);
    expect(p.index).toBe(p.top_k[0]!.index);
  },
});

describe('OnnxImageRuntime', () => {
  const ctx = (modelDir: string) => ({ modelDir, modelName: 'm', env: {}, threads: 1, maxBatchSize: 4, log: () => undefined });

  it('puts every cat, dog and butterfly photo in its ImageNet range, in one batched body', async () => {
    const rt = new OnnxImageRuntime(DEFAULT_IMAGE_POLICY);
    await rt.load(ctx(squeezenetPackage()));
    const items = (Object.keys(PHOTOS) as Kind[]).flatMap((kind) => PHOTOS[kind].map((file) => ({ kind, file })));
    const [answer] = await rt.predict([{ images: items.map((i) => base64Of(i.file)) }]);
    const preds = (answer as { predictions: ImagePrediction[] }).predictions;
    expect(preds.map((p, i) => [items[i]!.file, inRange(items[i]!.kind, p.index)])).toEqual(items.map((i) => [i.file, true]));
    // the documented top-1 of the Persian cat and the monarchs (fixtures README)
    expect(preds[2]).toMatchObject({ index: 283, label: 'Persian cat' });
    expect(preds[2]!.probability).toBeCloseTo(0.9946, 3);
    expect(preds.slice(-2).map((p) => p.index)).toEqual([323, 323]);
    await rt.close();
  });

  it('names a wrong modeldock.json field at load', async () => {
    const dir = squeezenetPackage();
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'modeldock.json'), 'utf8'));
    cfg.input.width = 100;
    fs.writeFileSync(path.join(dir, 'modeldock.json'), JSON.stringify(cfg));
    await expect(new OnnxImageRuntime(DEFAULT_IMAGE_POLICY).load(ctx(dir))).rejects.toThrow(/does not fit the model's input shape/);
    cfg.input.channels = 'CMYK';
    fs.writeFileSync(path.join(dir, 'modeldock.json'), JSON.stringify(cfg));
    await expect(new OnnxImageRuntime(DEFAULT_IMAGE_POLICY).load(ctx(dir))).rejects.toThrow(/modeldock.json is invalid: \/input\/channels/);
  });

  it('topK orders the largest first', () => {
    expect(topK([0.1, 0.5, 0.2, 0.9, 0.3], 3)).toEqual([3, 1, 4]);
  });
});
