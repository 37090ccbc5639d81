/**
 * The built-in ONNX image handler: an ONNX classifier plus modeldock.json needs no code.
 * Predict takes TI-ONE's `{"images": [...]}` and answers, per image, the top-k labels with
 * probabilities and the argmax class. All images of all bodies in a batch run as one
 * onnxruntime call when the model batches (dynamic first dimension, or `dynamicBatch`).
 * OIP v2 infer on the raw tensors stays available.
 */
import { DomainError } from '../../contracts/errors.js';
import type { OipModelMetadata } from '../../contracts/oip.js';
import { createImageHelpers, eachImage, type ImageHelpers } from '../images/image-helpers.js';
import type { ImagePolicy } from '../images/image-policy.js';
import { imageElements, imageShape, pixelsToTensor, type ImagePreprocess } from '../images/image-tensor.js';
import { halfToFloats } from '../../contracts/fp16.js';
import { readLabels, readPackageConfig, type PackageConfig } from '../package-config.js';
import type { LoadContext, Runtime, Tensor } from '../runtime.js';
import { OnnxRuntime } from './onnx-runtime.js';

export interface ClassScore {
  index: number;
  label: string;
  probability: number;
}

export interface ImagePrediction extends ClassScore {
  top_k: ClassScore[];
}

export class OnnxImageRuntime implements Runtime {
  readonly id = 'onnxruntime1.30-node20-cpu';
  private onnx!: OnnxRuntime;
  private cfg!: PackageConfig;
  private pre!: ImagePreprocess;
  private inputName!: string;
  private outputName!: string;
  private labels: string[] = [];
  private images: ImageHelpers;
  private rowsPerRun = 1;

  constructor(policy: ImagePolicy) {
    this.images = createImageHelpers(policy);
  }

  async load(ctx: LoadContext): Promise<void> {
    this.cfg = readPackageConfig(ctx.modelDir);
    this.onnx = new OnnxRuntime({ modelFile: this.cfg.model, dynamicBatch: this.cfg.dynamicBatch });
    await this.onnx.load({ ...ctx, maxBatchSize: Math.max(ctx.maxBatchSize, 1) });
    const meta = this.onnx.metadata();
    const input = this.cfg.input.name ? meta.inputs.find((i) => i.name === this.cfg.input.name) : meta.inputs.length === 1 ? meta.inputs[0] : undefined;
    if (!input) throw new Error(`modeldock.json input.name: the model's inputs are ${meta.inputs.map((i) => i.name).join(', ')}`);
    const output = this.cfg.output.name ? meta.outputs.find((o) => o.name === this.cfg.output.name) : meta.outputs[0];
    if (!output) throw new Error(`modeldock.json output.name: the model's outputs are ${meta.outputs.map((o) => o.name).join(', ')}`);
    this.inputName = input.name;
    this.outputName = output.name;
    const i = this.cfg.input;
    this.pre = {
      width: i.width,
      height: i.height,
      resize: i.resize,
      channels: i.channels,
      layout: i.layout,
      dtype: i.dtype,
      scale: i.scale,
      mean: i.mean,
      std: i.std,
    };
    if (input.datatype !== i.dtype) throw new Error(`modeldock.json input.dtype is ${i.dtype} but the model's input "${input.name}" is ${input.datatype}`);
    const want = imageShape(this.pre, 1);
    const fits = input.shape.length === 4 && input.shape.every((d, k) => k === 0 || d < 0 || d === want[k]);
    if (!fits)
      throw new Error(
        `modeldock.json input (${i.layout} ${i.channels} ${i.width}×${i.height}) does not fit the model's input shape [${input.shape.join(', ')}]`,
      );
    if (this.cfg.labels) this.labels = readLabels(ctx.modelDir, this.cfg.labels);
    this.rowsPerRun = input.shape[0] === -1 ? Math.max(1, ctx.maxBatchSize, this.images.policy.maxImagesPerRequest) : 1;
    ctx.log('info', 'image classifier ready', {
      input: input.name,
      output: output.name,
      labels: this.labels.length,
      topK: this.cfg.topK,
      rowsPerRun: this.rowsPerRun,
    });
  }

  metadata(): OipModelMetadata {
    return this.onnx.metadata();
  }

  /** How many predict bodies may come at once (each body may hold several images). */
  maxBatchSize(): number {
    return this.onnx.maxBatchSize();
  }

  infer(inputs: Tensor[], outputNames?: string[]): Promise<Tensor[]> {
    return this.onnx.infer(inputs, outputNames);
  }

  async predict(bodies: unknown[]): Promise<(unknown | Error)[]> {
    // decode every image of every body; a body with a bad image fails alone
    const decoded = await Promise.all(
      bodies.map(async (body) => {
        try {
          const items = this.images.list(body);
          return await eachImage(items, async (it, where) => this.images.pixels(await this.images.bytes(it, where), where, this.pre));
        } catch (e) {
          return e as Error;
        }
      }),
    );
    const pixels = decoded.flatMap((d) => (d instanceof Error ? [] : d));
    let scores: Float32Array[];
    try {
      scores = await this.run(pixels);
    } catch (e) {
      const err = new DomainError('MODEL_ERROR', `the model failed: ${(e as Error).message}`);
      return bodies.map(() => err);
    }
    let k = 0;
    return decoded.map((d) => (d instanceof Error ? d : { predictions: d.map(() => this.classify(scores[k++]!)) }));
  }

  /** Runs images in chunks of rowsPerRun; one score vector per image. */
  private async run(pixels: Buffer[]): Promise<Float32Array[]> {
    const per = imageElements(this.pre);
    const out: Float32Array[] = [];
    for (let start = 0; start < pixels.length; start += this.rowsPerRun) {
      const chunk = pixels.slice(start, start + this.rowsPerRun);
      const data = this.pre.dtype === 'FP16' ? new Uint16Array(per * chunk.length) : new Float32Array(per * chunk.length);
      chunk.forEach((px, i) => pixelsToTensor(px, this.pre, data, i * per));
      const [y] = await this.onnx.infer(
        [{ name: this.inputName, datatype: this.pre.dtype, shape: imageShape(this.pre, chunk.length), data }],
        [this.outputName],
      );
      const flat = y!.datatype === 'FP16' ? halfToFloats(y!.data as Uint16Array) : Float32Array.from(y!.data as unknown as ArrayLike<number>);
      const classes = flat.length / chunk.length;
      for (let i = 0; i < chunk.length; i++) out.push(flat.subarray(i * classes, (i + 1) * classes));
    }
    return out;
  }

  private classify(raw: Float32Array): ImagePrediction {
    const probs = this.cfg.output.softmax ? softmax(raw) : raw;
    const order = topK(probs, this.cfg.topK);
    const top = order.map((index) => ({ index, label: this.labels[index] ?? String(index), probability: probs[index]! }));
    return { ...top[0]!, top_k: top };
  }

  async close(): Promise<void> {
    await this.onnx?.close();
  }
}

export function softmax(x: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of x) if (v > max) max = v;
  const out = new Float32Array(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += out[i] = Math.exp(x[i]! - max);
  for (let i = 0; i < x.length; i++) out[i]! /= sum;
  return out;
}

/** Indices of the k largest values, largest first. */
export function topK(x: ArrayLike<number>, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (idx.length < k) {
      idx.push(i);
      idx.sort((a, b) => x[b]! - x[a]!);
    } else if (x[i]! > x[idx[k - 1]!]!) {
      idx[k - 1] = i;
      idx.sort((a, b) => x[b]! - x[a]!);
    }
  }
  return idx;
}
