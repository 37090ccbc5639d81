/**
 * The data plane over gRPC: `inference.GRPCInferenceService` of the Open Inference Protocol
 * v2 (KServe's grpc_predict_v2.proto), on its own port, over the same GatewayCore as the
 * REST routes — so the same auth (`authorization: Bearer <token>` metadata), routing by
 * weights, limits, access lines and metrics. A ModelInfer is sent to the instance as the
 * REST binary-tensor infer call (infer-message.ts); errors become gRPC statuses with the
 * modeldock code in the trailing metadata (grpc-status.ts).
 */
import { performance } from 'node:perf_hooks';
import {
  Metadata,
  Server,
  ServerCredentials,
  setLogger,
  status as Status,
  type handleUnaryCall,
  type ServiceError,
  type UntypedServiceImplementation,
  type MethodDefinition,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { DomainError, isDomainError } from '../../contracts/errors.js';
import type { OipModelMetadata, OipTensorMetadata } from '../../contracts/oip.js';
import { VERSION_HEADER, versionSeqOf } from '../../contracts/service-ops.js';
import type { Logger } from '../../log.js';
import type { Call, GatewayCore, Op, Outcome } from '../gateway-core.js';
import { inferBody, inferResponse, type GrpcInferRequest, type GrpcInferResponse } from './infer-message.js';
import { CODE_KEY, grpcError, GRPC_STATUS_BY_KIND } from './grpc-status.js';
import { decodeInferRequest, encodeInferResponse } from './infer-codec.js';
import { inferenceService, SERVICE_NAME } from './proto.js';

export interface GrpcGatewayDeps {
  core: GatewayCore;
  log: Logger;
  /** the server's version, for ServerMetadata */
  version: string;
  /** the largest request message taken (the REST body limit) */
  maxMessageBytes: number;
  /** protocol extensions ServerMetadata names */
  extensions?: string[];
}

interface NamedRequest {
  name: string;
  version?: string;
}

/** A version as the protocol names it ("1", or "v1" as the control plane shows it); undefined: by weight. */
export function versionSeq(version: string | undefined, service: string): number | undefined {
  if (!version) return undefined;
  const seq = versionSeqOf(version);
  if (seq === undefined)
    throw new DomainError('SERVICE_VERSION_NOT_FOUND', `service "${service}" has no version "${version.slice(0, 40)}" (versions are 1, 2, …)`);
  return seq;
}

export class GrpcGateway {
  private server?: Server;
  private bound?: number;

  /** the port it listens on; undefined before listen and after close */
  get port(): number | undefined {
    return this.bound;
  }

  constructor(private readonly deps: GrpcGatewayDeps) {}

  /** Listens on host:port (0: any free port); answers the port. */
  async listen(host: string, port: number): Promise<number> {
    // grpc-js's own lines (to stderr by default) go to the platform's log, as debug: what
    // matters reaches the caller as an error (a port in use, say)
    const line = (...args: unknown[]) => this.deps.log.debug({ source: 'grpc-js' }, args.map(String).join(' '));
    setLogger({ error: line, info: line, debug: line });
    // channelz (grpc-js's per-call introspection counters) off: nothing here reads it
    const server = new Server({ 'grpc.max_receive_message_length': this.deps.maxMessageBytes, 'grpc.enable_channelz': 0 });
    server.addService(gatewayService(), this.handlers());
    const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, ServerCredentials.createInsecure(), (err, p) => {
        if (!err) return resolve(p);
        // grpcAddress, not address: Node's own EADDRINUSE from the HTTP listen carries `address` too
        const e = new Error(`gRPC: cannot listen on ${address}: ${err.message}`) as NodeJS.ErrnoException & { grpcAddress?: string };
        e.code = /EADDRINUSE|address already in use/i.test(err.message) ? 'EADDRINUSE' : 'GRPC_LISTEN_FAILED';
        e.grpcAddress = address;
        reject(e);
      }),
    );
    this.server = server;
    this.bound = bound;
    return bound;
  }

  /** Stops taking calls; calls in flight get up to `graceMs` to finish. */
  async close(graceMs = 2_000): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.bound = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private handlers(): UntypedServiceImplementation {
    return {
      ServerLive: this.unary(async () => ({ live: true })),
      ServerReady: this.unary(async () => ({ ready: true })),
      ServerMetadata: this.unary(async () => ({ name: 'modeldock', version: this.deps.version, extensions: this.deps.extensions ?? [] })),
      ModelReady: this.unary((req: NamedRequest, md) => this.modelReady(req, md)),
      ModelMetadata: this.unary((req: NamedRequest, md) => this.modelMetadata(req, md)),
      ModelInfer: this.unary((req: GrpcInferRequest, md) => this.modelInfer(req, md)),
    };
  }

  /**
   * A call as GatewayCore takes it; logged as `GRPC /inference.GRPCInferenceService/<rpc>`.
   * The metadata REST reads from headers: `authorization`, and `x-modeldock-version`.
   */
  private callOf(service: string, op: Op, rpc: string, md: Metadata): Call {
    const text = (key: string) => {
      const v = md.get(key)[0];
      return typeof v === 'string' ? v : undefined;
    };
    const c: Call = { service, op, method: 'GRPC', url: `/${SERVICE_NAME}/${rpc}`, authorization: text('authorization'), t0: performance.now() };
    const version = text(VERSION_HEADER);
    if (version !== undefined) c.version = version;
    return c;
  }

  private async modelInfer(req: GrpcInferRequest, md: Metadata): Promise<GrpcInferResponse> {
    const { core } = this.deps;
    const c = this.callOf(req.model_name, 'infer', 'ModelInfer', md);
    let raw: boolean;
    try {
      c.seq = versionSeq(req.model_version, req.model_name);
      const b = inferBody(req);
      c.body = b.body;
      c.headerLength = b.headerLength;
      c.contentType = 'application/octet-stream';
      raw = b.raw;
    } catch (e) {
      throw core.fail(c, e);
    }
    const o = await core.call(c);
    if (o.status !== 200) throw o;
    return inferResponse(o, req.model_name, raw);
  }

  private async modelMetadata(req: NamedRequest, md: Metadata) {
    const { core } = this.deps;
    const c = this.callOf(req.name, 'metadata', 'ModelMetadata', md);
    try {
      c.seq = versionSeq(req.version, req.name);
    } catch (e) {
      throw core.fail(c, e);
    }
    const o = await core.call(c);
    if (o.status !== 200) throw o;
    let m: Partial<OipModelMetadata>;
    try {
      m = JSON.parse(typeof o.body === 'string' ? o.body : o.body.toString('utf8')) as Partial<OipModelMetadata>;
    } catch {
      throw new DomainError('MODEL_ERROR', "the instance's model metadata is not JSON");
    }
    const tensor = (t: OipTensorMetadata) => ({ name: t.name, datatype: t.datatype, shape: t.shape });
    return {
      name: m.name ?? req.name,
      versions: m.versions ?? [],
      platform: m.platform ?? '',
      inputs: (m.inputs ?? []).map(tensor),
      outputs: (m.outputs ?? []).map(tensor),
    };
  }

  /** Ready: not stopped, and (the version asked for, or a version with traffic) has a ready instance. Unknown: NOT_FOUND. */
  private async modelReady(req: NamedRequest, md: Metadata): Promise<{ ready: boolean }> {
    const { core } = this.deps;
    const c = this.callOf(req.name, 'metadata', 'ModelReady', md);
    try {
      c.seq = versionSeq(req.version, req.name);
    } catch (e) {
      throw core.fail(c, e);
    }
    const o = core.modelReady(c);
    // not ready (no instance, stopped) is an answer here, not an error
    if (o.status === 200 || o.status === 503) return { ready: o.status === 200 };
    throw o;
  }

  /** A handler from an async function; a thrown Outcome or error becomes the gRPC status. */
  private unary<Req, Res>(fn: (req: Req, md: Metadata) => Promise<Res>): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      fn(call.request, call.metadata).then(
        (res) => callback(null, res),
        (e: unknown) => callback(this.toError(e) as ServiceError),
      );
    };
  }

  private toError(e: unknown): Partial<ServiceError> {
    if (isOutcome(e)) return grpcError(e);
    const metadata = new Metadata();
    if (isDomainError(e)) {
      metadata.set(CODE_KEY, e.code);
      return { code: GRPC_STATUS_BY_KIND[e.kind] ?? Status.UNKNOWN, details: e.message, metadata };
    }
    this.deps.log.error({ err: e }, 'gRPC: internal error');
    metadata.set(CODE_KEY, 'INTERNAL');
    return { code: Status.INTERNAL, details: 'internal error', metadata };
  }
}

/** The service as proto-loader defines it, ModelInfer with the hand-written codec (infer-codec.ts). */
function gatewayService(): ServiceDefinition {
  const def = inferenceService();
  const infer = def.ModelInfer as MethodDefinition<GrpcInferRequest, GrpcInferResponse>;
  return { ...def, ModelInfer: { ...infer, requestDeserialize: decodeInferRequest, responseSerialize: encodeInferResponse } };
}

const isOutcome = (e: unknown): e is Outcome => typeof e === 'object' && e !== null && typeof (e as Outcome).status === 'number' && 'body' in e;
