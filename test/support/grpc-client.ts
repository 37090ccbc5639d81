/**
 * A gRPC client of `inference.GRPCInferenceService` built from proto/grpc_predict_v2.proto
 * with @grpc/proto-loader, as a user's client would be, for tests and the bench. Every
 * call answers (never throws): the response, or the status with its trailing metadata.
 */
import { credentials, loadPackageDefinition, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath } from '../../src/gateway/grpc/proto.js';

export type Rpc = 'ServerLive' | 'ServerReady' | 'ServerMetadata' | 'ModelReady' | 'ModelMetadata' | 'ModelInfer';

export interface GrpcAnswer {
  /** 0 (OK) or the gRPC status code */
  code: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  res?: any;
  err?: ServiceError;
  /** a trailing metadata value of an error (modeldock-error-code, retry-after) */
  trailer(key: string): string | undefined;
}

type Unary = (req: unknown, md: Metadata, cb: (err: ServiceError | null, res?: unknown) => void) => void;

export class InferenceClient {
  readonly client: Client;

  constructor(address: string) {
    // a client's usual options; 64-bit integers (shapes) as numbers, field names as in the proto
    const def = loadSync(protoPath(), { keepCase: true, longs: Number, defaults: true, oneofs: true });
    const pkg = loadPackageDefinition(def) as unknown as {
      inference: { GRPCInferenceService: new (addr: string, creds: ReturnType<typeof credentials.createInsecure>) => Client };
    };
    this.client = new pkg.inference.GRPCInferenceService(address, credentials.createInsecure());
  }

  /** `token`: sent as `authorization: Bearer <token>`; `metadata`: more keys to send */
  call(rpc: Rpc, req: object, token?: string, metadata: Record<string, string> = {}): Promise<GrpcAnswer> {
    const md = new Metadata();
    if (token !== undefined) md.set('authorization', token.includes(' ') ? token : `Bearer ${token}`);
    for (const [k, v] of Object.entries(metadata)) md.set(k, v);
    const fn = (this.client as unknown as Record<Rpc, Unary>)[rpc].bind(this.client);
    return new Promise((resolve) =>
      fn(req, md, (err, res) => {
        const trailer = (key: string) => {
          const v = err?.metadata?.get(key)[0];
          return v === undefined ? undefined : String(v);
        };
        resolve(err ? { code: err.code, err, trailer } : { code: 0, res, trailer });
      }),
    );
  }

  close(): void {
    this.client.close();
  }
}

/** FP32 values as the raw bytes of raw_input_contents. */
export const rawFp32 = (values: number[]): Buffer => Buffer.from(Float32Array.from(values).buffer);

/** raw_output_contents bytes of an FP32 output as numbers. */
export function fp32Of(bytes: Uint8Array): number[] {
  const copy = new Uint8Array(bytes);
  return Array.from(new Float32Array(copy.buffer, 0, copy.length / 4));
}
