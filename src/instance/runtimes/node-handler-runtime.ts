/**
 * Node handler runtime (`node20-handler`, and `onnxruntime1.30-node20-cpu` packages with a
 * model_service): a class with the TI-ONE methods, loaded in the instance process.
 *
 *   export default class Model {
 *     constructor(modelDir: string, ctx: HandlerContext) {}
 *     async load() {}
 *     async preprocess(body) { return input }
 *     async predict(input) { return output }     // a list in, a list out when maxBatchSize > 1
 *     async postprocess(output) { return answer }
 *   }
 *
 * `ctx` carries onnxruntime-node (`ctx.ort`), the image toolkit (`ctx.images`), a
 * logger, the environment, and `ctx.badInput(message)` for 400 answers. Batching: a
 * handler whose `maxBatchSize` property (or TI_INFERENCE_MAX_BATCH_SIZE) is above 1 gets
 * several preprocessed inputs in one predict call. OIP v2: `inputs` / `outputs` properties
 * (OIP tensor metadata), or modeldock.json's, are the model's metadata; v2 calls reach the
 * handler as a JSON body through the data plane's adapter (infer-adapter.ts).
 */
import * as ort from 'onnxruntime-node';
import { DomainError } from '../../contracts/errors.js';
import type { OipModelMetadata } from '../../contracts/oip.js';
import { createImageHelpers, type ImageHelpers } from '../images/image-helpers.js';
import type { ImagePolicy } from '../images/image-policy.js';
import type { LoadContext, Runtime } from '../runtime.js';
import { declaredSignature, mergeSignature, parseSignature, type Signature } from '../signature.js';
import { findHandlerFile, loadHandlerModule, type LoadedModule } from './node-handler-loader.js';

export interface HandlerContext {
  modelDir: string;
  modelName: string;
  env: Record<string, string>;
  threads: number;
  ort: typeof ort;
  images: ImageHelpers;
  log: LoadContext['log'];
  /** an error answered as 400 INVALID_INPUT with this message */
  badInput(message: string): Error;
}

interface Handler {
  maxBatchSize?: number;
  inputs?: unknown;
  outputs?: unknown;
  load?(): unknown;
  preprocess?(body: unknown): unknown;
  predict(input: unknown): unknown;
  postprocess?(output: unknown): unknown;
  close?(): unknown;
}

type HandlerClass = new (modelDir: string, ctx: HandlerContext) => Handler;

function findClass(exports: Record<string, unknown>): HandlerClass | undefined {
  const isClass = (v: unknown): v is HandlerClass =>
    typeof v === 'function' && typeof (v as { prototype?: { predict?: unknown } }).prototype?.predict === 'function';
  const def = exports.default as Record<string, unknown> | undefined;
  const candidates = [
    exports.default,
    exports.Model,
    exports.ModelService,
    def?.default,
    def?.Model,
    ...Object.values(exports),
    ...(def && typeof def === 'object' ? Object.values(def) : []),
  ];
  return candidates.find(isClass);
}

export class NodeHandlerRuntime implements Runtime {
  readonly id: string;
  private handler!: Handler;
  private module?: LoadedModule;
  private batch = 1;
  private images: ImageHelpers;
  private signature: Signature = { inputs: [], outputs: [] };
  private modelName = 'model';

  constructor(policy: ImagePolicy, id = 'node20-handler') {
    this.id = id;
    this.images = createImageHelpers(policy);
  }

  async load(ctx: LoadContext): Promise<void> {
    const file = findHandlerFile(ctx.modelDir);
    if (!file) throw new Error('no model_service.ts or model_service.js in the package');
    this.modelName = ctx.modelName;
    const ownSignature = declaredSignature(ctx.modelDir);
    this.module = await loadHandlerModule(file);
    const Cls = findClass(this.module.exports);
    if (!Cls) throw new Error(`${file} exports no class with a predict() method (export default class … { predict() {} })`);
    const hctx: HandlerContext = {
      modelDir: ctx.modelDir,
      modelName: ctx.modelName,
      env: ctx.env,
      threads: ctx.threads,
      ort,
      images: this.images,
      log: ctx.log,
      badInput: (message) => new DomainError('INVALID_INPUT', message),
    };
    this.handler = new Cls(ctx.modelDir, hctx);
    await this.handler.load?.();
    this.signature = mergeSignature(ownSignature, parseSignature({ inputs: this.handler.inputs, outputs: this.handler.outputs }, `${file} (inputs/outputs)`));
    const fromEnv = Number(ctx.env.TI_INFERENCE_MAX_BATCH_SIZE ?? 1);
    const declared = Number(this.handler.maxBatchSize ?? fromEnv);
    this.batch = Number.isInteger(declared) && declared > 1 ? declared : 1;
    ctx.log('info', 'node handler loaded', { file, maxBatchSize: this.batch });
  }

  metadata(): OipModelMetadata {
    return { name: this.modelName, versions: ['1'], platform: this.id, ...this.signature };
  }

  maxBatchSize(): number {
    return this.batch;
  }

  async predict(bodies: unknown[]): Promise<(unknown | Error)[]> {
    const h = this.handler;
    const pre = await Promise.all(bodies.map(async (b) => settle(async () => (h.preprocess ? h.preprocess(b) : b))));
    const ok = pre.map((p, i) => [p, i] as const).filter(([p]) => !(p instanceof Error));
    const outputs: (unknown | Error)[] = pre.slice();
    if (this.batch > 1 && ok.length > 0) {
      const out = await settle(async () => h.predict(ok.map(([p]) => p)));
      ok.forEach(([, i], k) => {
        outputs[i] =
          out instanceof Error
            ? out
            : Array.isArray(out) && out.length === ok.length
              ? out[k]
              : new DomainError('MODEL_ERROR', `predict() got a list of ${ok.length} inputs and must answer a list of ${ok.length} outputs`);
      });
    } else {
      for (const [p, i] of ok) outputs[i] = await settle(async () => h.predict(p));
    }
    return Promise.all(outputs.map(async (o) => (o instanceof Error ? o : settle(async () => (h.postprocess ? h.postprocess(o) : o)))));
  }

  async close(): Promise<void> {
    await settle(async () => this.handler?.close?.());
    this.module?.dispose();
  }
}

async function settle(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    return await fn();
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}
