/**
 * The data plane: TI-ONE predict (`POST /{service}/v1/models/m:predict`) and Open Inference
 * Protocol v2 (metadata, readiness, infer — JSON or binary tensors). A call token (services
 * with auth on) is given per call or as the client's token.
 */
import type { OipInferRequest, OipModelMetadata } from '../contracts/oip.js';
import { OIP_HEADER_LENGTH } from '../contracts/oip.js';
import { VERSION_HEADER } from '../contracts/service-ops.js';
import type { HttpClient } from './http.js';
import { packInfer, unpackInfer, type BinaryInput, type InferAnswer } from './tensors.js';

export interface CallOptions {
  /** a call token, instead of the client's */
  token?: string;
  /** the service version to serve the call (1, 2 or "v2"), bypassing the traffic weights */
  version?: number | string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface InferOptions extends CallOptions {
  /** ask for every output as raw bytes (decoded back into `data`) */
  binaryOutput?: boolean;
}

const seg = encodeURIComponent;

export class CallsApi {
  constructor(private readonly http: HttpClient) {}

  /** TI-ONE predict: the body goes to the package's preprocess, e.g. {images: ["data:image/jpeg;base64,…"]}. */
  predict<T = unknown>(service: string, body: unknown, opts: CallOptions = {}): Promise<T> {
    return this.http.json('POST', `/${seg(service)}/v1/models/m:predict`, { json: body, ...this.callOpts(opts) });
  }

  /** OIP v2 model metadata: inputs and outputs with their datatypes and shapes. */
  metadata(service: string, opts: CallOptions = {}): Promise<OipModelMetadata> {
    return this.http.json('GET', `/v2/models/${seg(service)}`, this.callOpts(opts));
  }

  /** Whether the service has a ready instance (OIP v2 readiness). */
  async ready(service: string, opts: CallOptions = {}): Promise<boolean> {
    const res = await this.http.request('GET', `/v2/models/${seg(service)}/ready`, this.callOpts(opts)).catch((e: { status?: number }) => {
      if (e.status === 503) return undefined;
      throw e;
    });
    await res?.body?.cancel();
    return res !== undefined;
  }

  /**
   * OIP v2 infer. When an input has a typed array as `data`, every input goes as binary
   * tensor data; binary outputs come back decoded into `data`.
   */
  async infer(
    service: string,
    req: Omit<OipInferRequest, 'inputs'> & { inputs: (OipInferRequest['inputs'][number] | BinaryInput)[] },
    opts: InferOptions = {},
  ): Promise<InferAnswer> {
    const path =
      opts.version === undefined
        ? `/v2/models/${seg(service)}/infer`
        : `/v2/models/${seg(service)}/versions/${seg(String(opts.version).replace(/^v/i, ''))}/infer`;
    const withParams = opts.binaryOutput ? { ...req, parameters: { ...req.parameters, binary_data_output: true } } : req;
    const binaryIn = req.inputs.some((i) => ArrayBuffer.isView(i.data));
    const { version: _v, ...rest } = opts;
    const call = this.callOpts(rest);
    if (!binaryIn && !opts.binaryOutput) return this.http.json('POST', path, { json: withParams, ...call });
    let res: Response;
    if (binaryIn) {
      const packed = packInfer(withParams as Parameters<typeof packInfer>[0]);
      res = await this.http.request('POST', path, {
        ...call,
        headers: { ...call.headers, [OIP_HEADER_LENGTH]: String(packed.headerLength) },
        body: { data: packed.body, contentType: 'application/octet-stream', length: packed.body.length },
      });
    } else res = await this.http.request('POST', path, { json: withParams, ...call });
    const len = res.headers.get(OIP_HEADER_LENGTH);
    return unpackInfer(new Uint8Array(await res.arrayBuffer()), len === null ? undefined : Number(len));
  }

  private callOpts(opts: CallOptions): { headers: Record<string, string>; timeoutMs?: number; signal?: AbortSignal } {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.version !== undefined) headers[VERSION_HEADER] = String(opts.version);
    return { headers, timeoutMs: opts.timeoutMs, signal: opts.signal };
  }
}
