/**
 * The Runtime seam: what runs one model version's package inside an instance process.
 * Implementations: onnx (onnxruntime-node in process), python (tiinfer worker over a
 * pipe), node (a model_service.js/.ts handler), and the built-in ONNX image handler.
 * Every implementation passes the shared contract suite (runtime.contract.ts).
 *
 * The HTTP layer (src/instance/server) decodes requests, calls one function here (through
 * the batcher when batching is on), and encodes the answer (STYLE.md §6).
 */
import type { OipDatatype, OipInferRequest, OipModelMetadata } from '../contracts/oip.js';

/** A decoded tensor: row-major data in a typed array (FP16 as Uint16Array of half bits) or strings for BYTES. */
export interface Tensor {
  name: string;
  datatype: OipDatatype;
  shape: number[];
  data: ArrayBufferView | string[] | boolean[];
}

export interface LoadContext {
  modelDir: string;
  /** the model's name as served (OIP `/v2/models/{name}`) */
  modelName: string;
  env: Record<string, string>;
  /** intra-op threads from the instance spec */
  threads: number;
  maxBatchSize: number;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

export interface Runtime {
  readonly id: string;
  /** Loads the package. Throws with a clear reason when the model cannot serve. */
  load(ctx: LoadContext): Promise<void>;
  /**
   * OIP tensor metadata (code packages: what they declare, possibly empty lists), or null
   * when the runtime knows none. Without `infer`, v2 calls go through infer-adapter.ts.
   */
  metadata(): OipModelMetadata | null;
  /** The largest batch this runtime can run in one call (1 = no batching). */
  maxBatchSize(): number;
  /**
   * Optional: how many batches (or single calls) may run at the same time, e.g. the
   * number of Python workers. Default: 1 when batching, else 4.
   */
  concurrency?(): number;
  /**
   * OIP v2 inference on tensors (present when metadata() is not null). `inputs` may hold
   * several requests joined along dimension 0 by the batcher.
   */
  infer?(inputs: Tensor[], outputNames?: string[]): Promise<Tensor[]>;
  /**
   * Optional, for packages that take OIP v2 requests whole (a KServe model.py): one
   * response (`{outputs: [...]}` JSON) or Error per request, in order.
   */
  inferRequests?(requests: OipInferRequest[]): Promise<(unknown | Error)[]>;
  /**
   * TI-ONE predict: each body goes through preprocess → predict → postprocess; when
   * several bodies come at once, predict receives them as one batch. One result (or
   * Error) per body, in order.
   */
  predict(bodies: unknown[]): Promise<(unknown | Error)[]>;
  close(): Promise<void>;
}
