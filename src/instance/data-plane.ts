/**
 * The instance's data plane (KServe's DataPlane): OIP v2 infer and TI-ONE predict over
 * one Runtime, each through a dynamic batcher. Runtimes without tensor infer answer v2
 * through infer-adapter.ts (whole requests for KServe packages, else a JSON body). HTTP knows nothing of this beyond calling
 * `infer` / `predict` / `metadata` (STYLE.md §6).
 */
import { DomainError, isDomainError } from '../contracts/errors.js';
import type { OipInferRequest, OipInferResponse, OipModelMetadata } from '../contracts/oip.js';
import { Batcher } from './batcher.js';
import type { Runtime, Tensor } from './runtime.js';
import { decodeInputs, encodeOutputAs, wantsBinary } from './binary-tensors.js';
import { bodyOfTensors, requestOfTensors, tensorsOfAnswer, tensorsOfResponse } from './infer-adapter.js';
import { checkInputs, concatRows, rowKey, splitRows } from './tensors.js';

export interface DataPlaneOptions {
  modelName: string;
  /** the batching cap from the instance flags; undefined: the runtime's own */
  maxBatchSize?: number;
  maxQueueDelayMs: number;
  maxQueue: number;
  onBatch?: (rows: number) => void;
}

/** An infer answer: the JSON response, and the raw bytes of the outputs asked for as binary (in output order). */
export interface InferAnswer {
  response: OipInferResponse;
  binary: Buffer[];
}

interface InferItem {
  inputs: Tensor[];
  outputs?: string[];
}

/** A runtime's error as the caller sees it: domain errors as they are, anything else a 500 naming the cause. */
export function modelError(e: unknown): DomainError {
  if (isDomainError(e)) return e;
  const err = new DomainError('MODEL_ERROR', `the model failed: ${(e as Error)?.message ?? String(e)}`);
  (err as { cause?: unknown }).cause = e;
  return err;
}

export class DataPlane {
  readonly batchSize: number;
  private readonly inferBatcher?: Batcher<InferItem, Tensor[]>;
  private readonly predictBatcher: Batcher<unknown, unknown>;
  private readonly requestBatcher?: Batcher<OipInferRequest, unknown>;
  private readonly meta: OipModelMetadata | null;

  constructor(
    private readonly runtime: Runtime,
    private readonly opts: DataPlaneOptions,
  ) {
    const own = Math.max(1, runtime.maxBatchSize());
    this.batchSize = opts.maxBatchSize ? Math.min(opts.maxBatchSize, own) : own;
    const concurrency = Math.max(1, runtime.concurrency?.() ?? (this.batchSize > 1 ? 1 : 4));
    const common = { maxQueueDelayMs: opts.maxQueueDelayMs, maxQueue: opts.maxQueue, concurrency, onBatch: opts.onBatch };
    this.meta = runtime.metadata();
    if (this.meta && runtime.infer) {
      const infer = runtime.infer.bind(runtime);
      this.inferBatcher = new Batcher<InferItem, Tensor[]>({
        ...common,
        maxBatchSize: this.batchSize,
        rows: (it) => it.inputs[0]?.shape[0] ?? 1,
        key: (it) => rowKey(it.inputs, it.outputs),
        run: async (items) => {
          if (items.length === 1) return [await infer(items[0]!.inputs, items[0]!.outputs)];
          const out = await infer(concatRows(items.map((i) => i.inputs)), items[0]!.outputs);
          return splitRows(
            out,
            items.map((i) => i.inputs[0]!.shape[0]!),
          );
        },
      });
    }
    this.predictBatcher = new Batcher<unknown, unknown>({ ...common, maxBatchSize: this.batchSize, run: (bodies) => runtime.predict(bodies) });
    const whole = runtime.inferRequests;
    if (!this.inferBatcher && whole)
      this.requestBatcher = new Batcher<OipInferRequest, unknown>({ ...common, maxBatchSize: 1, run: (reqs) => whole.call(runtime, reqs) });
  }

  get queued(): number {
    return (this.inferBatcher?.queued ?? 0) + (this.requestBatcher?.queued ?? 0) + this.predictBatcher.queued;
  }

  metadata(): OipModelMetadata {
    return this.meta
      ? { ...this.meta, name: this.opts.modelName }
      : { name: this.opts.modelName, platform: this.runtime.id, versions: ['1'], inputs: [], outputs: [] };
  }

  /** `binary`: the bytes after the JSON part of a binary-extension request (binary-tensors.ts). */
  async infer(req: OipInferRequest, deadlineMs: number, binary?: Buffer): Promise<InferAnswer> {
    if (!req || typeof req !== 'object' || !Array.isArray(req.inputs))
      throw new DomainError('INVALID_TENSOR', 'the body must be an OIP v2 infer request: {"inputs": [{"name", "shape", "datatype", "data"}]}');
    const meta = this.metadata();
    const inputs = decodeInputs(req.inputs, binary);
    // tensor runtimes always know their inputs; code packages are checked when they declare them
    if (this.inferBatcher || meta.inputs.length) checkInputs(inputs, meta.inputs);
    const outputs = req.outputs?.map((o) => o?.name);
    if (outputs && meta.outputs.length) {
      for (const name of outputs) {
        if (!meta.outputs.some((o) => o.name === name))
          throw new DomainError('INVALID_TENSOR', `the model has no output "${name}" (outputs: ${meta.outputs.map((o) => o.name).join(', ')})`);
      }
    }
    const rows = inputs.map((t) => t.shape[0]);
    if (this.inferBatcher && this.batchSize > 1 && rows.some((r) => r !== rows[0]))
      throw new DomainError('INVALID_TENSOR', 'all inputs must have the same first (batch) dimension');
    const wanted = outputs?.length ? outputs : undefined;
    let result: Tensor[];
    try {
      if (this.inferBatcher) result = await this.inferBatcher.submit({ inputs, outputs: wanted }, deadlineMs);
      else if (this.requestBatcher) result = tensorsOfResponse(await this.requestBatcher.submit(requestOfTensors(req, inputs), deadlineMs), wanted);
      else result = tensorsOfAnswer(await this.predictBatcher.submit(bodyOfTensors(inputs), deadlineMs), meta.outputs, wanted);
    } catch (e) {
      throw modelError(e);
    }
    const bytes: Buffer[] = [];
    const outs = result.map((t) => {
      const o = encodeOutputAs(t, wantsBinary(req, t.name));
      if (o.bytes) bytes.push(o.bytes);
      return o.output;
    });
    return { response: { model_name: this.opts.modelName, model_version: '1', ...(req.id !== undefined ? { id: req.id } : {}), outputs: outs }, binary: bytes };
  }

  async predict(body: unknown, deadlineMs: number): Promise<unknown> {
    try {
      return await this.predictBatcher.submit(body, deadlineMs);
    } catch (e) {
      throw modelError(e);
    }
  }

  /** Resolves when nothing waits or runs. */
  async drained(): Promise<void> {
    await Promise.all([this.inferBatcher?.drained(), this.requestBatcher?.drained(), this.predictBatcher.drained()]);
  }
}
