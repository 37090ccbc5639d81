/**
 * ONNX runtime (`onnxruntime1.30-node20-cpu`): onnxruntime-node in the instance process.
 * Intra-op threads come from the instance spec. Serves OIP v2 tensors (FP16 as half bits
 * both ways); a model whose inputs all have a dynamic first dimension runs batches.
 * TI-ONE predict on a plain ONNX package takes an OIP infer request as the body.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { DomainError } from '../../contracts/errors.js';
import type { OipDatatype, OipInferRequest, OipModelMetadata, OipTensorMetadata } from '../../contracts/oip.js';
import type { LoadContext, Runtime, Tensor } from '../runtime.js';
import { checkInputs, decodeInput, encodeOutput } from '../tensors.js';
import { makeBatchDimSymbolic } from './onnx-batch-dim.js';

export { ort };

const ORT_TO_OIP: Record<string, OipDatatype> = {
  bool: 'BOOL',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  float16: 'FP16',
  float32: 'FP32',
  float64: 'FP64',
  string: 'BYTES',
};
const OIP_TO_ORT = Object.fromEntries(Object.entries(ORT_TO_OIP).map(([k, v]) => [v, k])) as Record<OipDatatype, ort.Tensor.Type>;

export interface OnnxOptions {
  /** the .onnx file, relative to the model dir (default: model.onnx, or the only .onnx file) */
  modelFile?: string;
  /** make a fixed batch dimension of 1 symbolic at load (see onnx-batch-dim.ts) */
  dynamicBatch?: boolean;
}

/** The one .onnx file of a package: model.onnx, else the only *.onnx at the top level. */
export function findOnnxFile(modelDir: string, modelFile?: string): string {
  if (modelFile) {
    const p = path.resolve(modelDir, modelFile);
    if (!p.startsWith(path.resolve(modelDir) + path.sep) || !fs.existsSync(p)) throw new Error(`the model file "${modelFile}" is not in the package`);
    return p;
  }
  const files = fs.readdirSync(modelDir).filter((f) => f.toLowerCase().endsWith('.onnx'));
  if (files.includes('model.onnx')) return path.join(modelDir, 'model.onnx');
  if (files.length === 1) return path.join(modelDir, files[0]!);
  if (files.length === 0) throw new Error(`no .onnx file in ${modelDir}`);
  throw new Error(`several .onnx files in the package (${files.join(', ')}): name one model.onnx, or set "model" in modeldock.json`);
}

function tensorMeta(m: ort.InferenceSession.ValueMetadata): OipTensorMetadata {
  if (!m.isTensor) throw new Error(`"${m.name}" is not a tensor; only tensor inputs and outputs are served`);
  const datatype = ORT_TO_OIP[m.type];
  if (!datatype) throw new Error(`"${m.name}" has type ${m.type}, which OIP v2 cannot carry`);
  return { name: m.name, datatype, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) };
}

export class OnnxRuntime implements Runtime {
  readonly id: string = 'onnxruntime1.30-node20-cpu';
  session!: ort.InferenceSession;
  private meta!: OipModelMetadata;
  private batch = 1;

  constructor(private readonly opts: OnnxOptions = {}) {}

  async load(ctx: LoadContext): Promise<void> {
    const file = findOnnxFile(ctx.modelDir, this.opts.modelFile);
    let bytes: Uint8Array = fs.readFileSync(file);
    if (this.opts.dynamicBatch) {
      const r = makeBatchDimSymbolic(Buffer.from(bytes));
      bytes = r.bytes;
      ctx.log('info', 'made the batch dimension symbolic', { inputs: r.inputs, outputs: r.outputs });
    }
    this.session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: Math.max(1, ctx.threads),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const inputs = this.session.inputMetadata.map(tensorMeta);
    const outputs = this.session.outputMetadata.map(tensorMeta);
    this.meta = { name: ctx.modelName, platform: 'onnxruntime_onnx', versions: ['1'], inputs, outputs };
    const dynamic = inputs.length > 0 && inputs.every((i) => i.shape.length > 0 && i.shape[0] === -1);
    this.batch = dynamic ? Math.max(1, ctx.maxBatchSize) : 1;
    ctx.log('info', 'onnx model loaded', { file: path.basename(file), inputs, outputs, maxBatchSize: this.batch });
  }

  metadata(): OipModelMetadata {
    return this.meta;
  }

  maxBatchSize(): number {
    return this.batch;
  }

  async infer(inputs: Tensor[], outputNames?: string[]): Promise<Tensor[]> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const t of inputs) feeds[t.name] = new ort.Tensor(OIP_TO_ORT[t.datatype], t.data as ort.Tensor.DataType, t.shape);
    const wanted = outputNames?.length ? outputNames : this.meta.outputs.map((o) => o.name);
    const out = await this.session.run(feeds, wanted);
    return wanted.map((name) => {
      const v = out[name]!;
      return { name, datatype: ORT_TO_OIP[v.type]!, shape: [...v.dims], data: v.data as Tensor['data'] };
    });
  }

  /** Plain ONNX package: each body is an OIP infer request; answers `{outputs: [...]}`. */
  async predict(bodies: unknown[]): Promise<(unknown | Error)[]> {
    const results: (unknown | Error)[] = [];
    for (const body of bodies) {
      try {
        const req = body as OipInferRequest;
        if (!req || !Array.isArray(req.inputs))
          throw new DomainError('INVALID_INPUT', 'a plain ONNX package takes an OIP v2 infer request as the predict body: {"inputs": [...]}');
        const inputs = req.inputs.map((i) => decodeInput(i));
        checkInputs(inputs, this.meta.inputs);
        const outs = await this.infer(
          inputs,
          req.outputs?.map((o) => o.name),
        );
        results.push({ outputs: outs.map(encodeOutput) });
      } catch (e) {
        results.push(e as Error);
      }
    }
    return results;
  }

  async close(): Promise<void> {
    await this.session?.release();
  }
}
