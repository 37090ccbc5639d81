/**
 * The Python runtime (`torch1.13-py311-cpu`): a TI-ONE `model_service.py` (a `tiinfer.Model`
 * subclass) or a KServe custom predictor's `model.py` (a `kserve.Model` handed to
 * `kserve.ModelServer().start`), served by supervised worker processes under
 * /usr/bin/python3 (python/modeldock_worker). Node does HTTP and batching; Python only
 * runs the package. KServe packages take OIP v2 requests whole (`inferRequests`, as
 * `InferRequest`); tiinfer packages get v2 tensors through the data plane's adapter.
 *
 * TI-ONE's variables: `TI_INFERENCE_NUMS` inference processes (the batcher runs that many
 * calls at once), `TI_INFERENCE_MAX_BATCH_SIZE` > 1 hands predict a list (the instance's
 * batcher joins concurrent requests), `TI_PREPROCESS_NUMS` / `TI_POSTPROCESS_NUMS` > 0 run
 * preprocess / postprocess in processes of their own (values pass between them pickled),
 * `TI_MODEL_DIR` and the working directory are the package folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DomainError, ERROR_CODES, type ErrorCode } from '../../contracts/errors.js';
import type { OipInferRequest, OipModelMetadata } from '../../contracts/oip.js';
import { RUNTIME_IDS } from '../../runtime-catalog/catalog.js';
import type { ImagePolicy } from '../images/image-policy.js';
import type { LoadContext, Runtime } from '../runtime.js';
import { declaredSignature, mergeSignature, parseSignature, type Signature } from '../signature.js';
import { WorkerPool } from './python-pool.js';
import { errorOf, jsonItem, OP, STAGE, TAG, type Item } from './python-protocol.js';
import type { LoadReport, WorkerRole } from './python-worker.js';

export const DEFAULT_PYTHON = '/usr/bin/python3';

/** The package kinds the Python runtime serves, by the file it runs. */
export type PythonPackageKind = 'tiinfer' | 'kserve';

export function pythonPackageKind(modelDir: string): PythonPackageKind | undefined {
  if (fs.existsSync(path.join(modelDir, 'model_service.py'))) return 'tiinfer';
  if (fs.existsSync(path.join(modelDir, 'model.py'))) return 'kserve';
  return undefined;
}

export interface PythonRuntimeOptions {
  /** the interpreter (default: MODELDOCK_PYTHON, else /usr/bin/python3) */
  pythonPath?: string;
  /** image input limits handed to tiinfer.images (else MODELDOCK_* variables from the environment apply) */
  imagePolicy?: ImagePolicy;
}

type Slot = Item | Error;

function count(env: Record<string, string>, name: string, def: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > 64) throw new Error(`${name}=${raw} is not a whole number from ${min} to 64`);
  return n;
}

function policyEnv(p: ImagePolicy | undefined): Record<string, string> {
  if (!p) return {};
  return {
    MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS: p.allowPrivateAddresses ? '1' : '0',
    MODELDOCK_IMAGE_FETCH_TIMEOUT_MS: String(p.fetchTimeoutMs),
    MODELDOCK_IMAGE_MAX_BYTES: String(p.maxImageBytes),
    MODELDOCK_IMAGE_MAX_REDIRECTS: String(p.maxRedirects),
    MODELDOCK_IMAGE_MAX_PIXELS: String(p.maxPixels),
    MODELDOCK_IMAGE_MAX_PER_REQUEST: String(p.maxImagesPerRequest),
  };
}

export class PythonRuntime implements Runtime {
  readonly id = RUNTIME_IDS.torch;
  private readonly python: string;
  private inferPool?: WorkerPool;
  private prePool?: WorkerPool;
  private postPool?: WorkerPool;
  private batch = 1;
  private inferNums = 1;
  private log: LoadContext['log'] = () => undefined;
  private signature: Signature = { inputs: [], outputs: [] };
  private modelName = 'model';
  report?: LoadReport;
  kind?: PythonPackageKind;
  /** OIP v2 requests handed to the model whole (KServe packages only; set at load) */
  inferRequests?: (requests: OipInferRequest[]) => Promise<(unknown | Error)[]>;

  constructor(private readonly opts: PythonRuntimeOptions = {}) {
    this.python = opts.pythonPath ?? process.env.MODELDOCK_PYTHON ?? DEFAULT_PYTHON;
  }

  async load(ctx: LoadContext): Promise<void> {
    this.log = ctx.log;
    const modelDir = path.resolve(ctx.modelDir);
    this.modelName = ctx.modelName;
    this.kind = pythonPackageKind(modelDir);
    if (!this.kind) {
      throw new Error(
        'no model_service.py or model.py in the package: the Python runtime runs a TI-ONE model_service.py defining a tiinfer.Model subclass, or a KServe model.py starting kserve.ModelServer (see docs/model-package.md)',
      );
    }
    const declared = declaredSignature(modelDir);
    const env = { ...ctx.env, ...policyEnv(this.opts.imagePolicy), TI_MODEL_DIR: modelDir };
    this.inferNums = count(env, 'TI_INFERENCE_NUMS', 1, 1);
    let preNums = count(env, 'TI_PREPROCESS_NUMS', 0, 0);
    let postNums = count(env, 'TI_POSTPROCESS_NUMS', 0, 0);
    if (this.kind === 'kserve' && preNums + postNums > 0) {
      ctx.log('warn', 'TI_PREPROCESS_NUMS / TI_POSTPROCESS_NUMS are ignored for a KServe model.py: its stages run in the inference workers');
      preNums = postNums = 0;
    }
    count(env, 'TI_INFERENCE_MAX_BATCH_SIZE', 1, 1);
    const pool = (role: WorkerRole, n: number) =>
      new WorkerPool({ python: this.python, role, modelDir, env, threads: Math.max(1, ctx.threads), log: ctx.log }, n, ctx.log);
    this.inferPool = pool('infer', this.inferNums);
    this.prePool = preNums > 0 ? pool('pre', preNums) : undefined;
    this.postPool = postNums > 0 ? pool('post', postNums) : undefined;
    const pools = [this.inferPool, this.prePool, this.postPool].filter((p): p is WorkerPool => !!p);
    const started = await Promise.allSettled(pools.map((p) => p.start()));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all(pools.map((p) => p.close()));
      throw new Error((failed.reason as Error).message);
    }
    const report = (started[0] as PromiseFulfilledResult<LoadReport>).value;
    this.report = report;
    this.batch = Math.max(1, Number(report.maxBatchSize ?? 1));
    if (report.warning) ctx.log('warn', report.warning);
    this.signature = mergeSignature(
      declared,
      parseSignature(
        { inputs: report.inputs ?? undefined, outputs: report.outputs ?? undefined },
        `${report.class ?? 'the model'}.get_input_types/get_output_types`,
      ),
    );
    if (this.kind === 'kserve') this.inferRequests = (requests) => this.run(OP.run | OP.v2 | STAGE.all, requests);
    const req = report.requirements;
    if (req?.file)
      ctx.log(
        'info',
        `requirements.txt: ${req.found.map((f) => `${f.requirement} → ${f.module} ${f.version ?? ''}`.trim()).join(', ') || 'nothing to check'}${req.skipped.length ? `; not checked: ${req.skipped.join(', ')}` : ''}`,
        { requirements: req },
      );
    ctx.log('info', 'python model loaded', {
      kind: this.kind,
      class: report.class,
      python: this.python,
      inferenceWorkers: this.inferNums,
      preprocessWorkers: preNums,
      postprocessWorkers: postNums,
      maxBatchSize: this.batch,
      torch: report.torch,
    });
  }

  metadata(): OipModelMetadata {
    return { name: this.modelName, versions: ['1'], platform: this.kind === 'kserve' ? `${this.id} (kserve)` : this.id, ...this.signature };
  }

  maxBatchSize(): number {
    return this.batch;
  }

  concurrency(): number {
    return this.inferNums;
  }

  /** pids of the live workers (inference, then pre/postprocess), for logs and tests */
  workerPids(): number[] {
    return [this.inferPool, this.prePool, this.postPool].flatMap((p) => p?.pids() ?? []);
  }

  async predict(bodies: unknown[]): Promise<(unknown | Error)[]> {
    if (this.kind === 'kserve') return this.run(OP.run | STAGE.all, bodies);
    if (!this.inferPool) throw new DomainError('MODEL_NOT_READY', 'the model is not loaded');
    let slots: Slot[] = bodies.map(itemOf);
    if (this.prePool) slots = await this.perItem(this.prePool, STAGE.pre, slots);
    const stages = STAGE.predict | (this.prePool ? 0 : STAGE.pre) | (this.postPool ? 0 : STAGE.post);
    slots = await this.batchCall(this.inferPool, stages, slots);
    if (this.postPool) slots = await this.perItem(this.postPool, STAGE.post, slots);
    return slots.map((s) => this.result(s));
  }

  /** One op over the inference workers (KServe packages: every stage runs there). */
  private async run(op: number, bodies: unknown[]): Promise<(unknown | Error)[]> {
    if (!this.inferPool) throw new DomainError('MODEL_NOT_READY', 'the model is not loaded');
    const slots = await this.batchCall(this.inferPool, op, bodies.map(itemOf));
    return slots.map((s) => this.result(s));
  }

  async close(): Promise<void> {
    const pools = [this.inferPool, this.prePool, this.postPool];
    this.inferPool = this.prePool = this.postPool = undefined;
    await Promise.all(pools.map((p) => p?.close()));
  }

  private async batchCall(pool: WorkerPool, stages: number, slots: Slot[]): Promise<Slot[]> {
    const idx = slots.map((s, i) => (s instanceof Error || s.tag === TAG.error ? -1 : i)).filter((i) => i >= 0);
    if (idx.length === 0) return slots;
    const out = slots.slice();
    try {
      const items = await pool.run((w) =>
        w.call(
          OP.run | stages,
          idx.map((i) => slots[i] as Item),
        ),
      );
      idx.forEach((i, k) => (out[i] = items[k] ?? new DomainError('MODEL_ERROR', 'the Python worker answered fewer items than it was sent')));
    } catch (e) {
      for (const i of idx) out[i] = e as Error;
    }
    return out;
  }

  private perItem(pool: WorkerPool, stages: number, slots: Slot[]): Promise<Slot[]> {
    return Promise.all(slots.map(async (s) => (await this.batchCall(pool, stages, [s]))[0]!));
  }

  private result(s: Slot): unknown {
    if (s instanceof Error) return s;
    if (s.tag === TAG.json) return JSON.parse(s.data.toString('utf8')) as unknown;
    if (s.tag !== TAG.error) return new DomainError('MODEL_ERROR', 'the Python worker answered an undecodable item');
    const e = errorOf(s);
    const code = e.code && e.code in ERROR_CODES && /^(INVALID_|IMAGE_)/.test(e.code) ? (e.code as ErrorCode) : 'MODEL_ERROR';
    if (e.traceback) this.log('error', `model_service.py raised: ${e.message}`, { traceback: e.traceback });
    return new DomainError(code, e.message);
  }
}

/** One body as a worker item; a body JSON cannot carry (nested past the stack) fails alone, not its whole batch. */
function itemOf(body: unknown): Slot {
  try {
    return jsonItem(body);
  } catch (e) {
    return new DomainError('INVALID_INPUT', `the request body cannot be handed to the model: ${(e as Error).message}`);
  }
}

/** The factory the instance uses for `torch1.13-py311-cpu` (select-runtime.ts). */
export function createPythonRuntime(opts: PythonRuntimeOptions = {}): Runtime {
  return new PythonRuntime(opts);
}
