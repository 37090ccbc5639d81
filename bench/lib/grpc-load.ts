/**
 * The gRPC load generator: `connections` calls kept in flight on one channel (one HTTP/2
 * connection, as a gRPC client has it), for `seconds`. Same figures as load.ts: requests/s
 * over the whole run, p50/p99 from each call's own time, errors = non-OK statuses.
 */
import { credentials, loadPackageDefinition, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath } from '../../src/gateway/grpc/proto.js';
import type { LoadResult } from './load.js';

export interface GrpcLoadSpec {
  /** host:port of the gateway's gRPC service */
  address: string;
  /** a ModelInferRequest */
  request: object;
  token?: string;
  connections: number;
  seconds: number;
}

type Unary = (req: unknown, md: Metadata, cb: (err: ServiceError | null) => void) => void;

function inferenceClient(address: string): Client {
  const def = loadSync(protoPath(), { keepCase: true, longs: Number, defaults: true, oneofs: true });
  const pkg = loadPackageDefinition(def) as unknown as { inference: { GRPCInferenceService: new (a: string, c: ReturnType<typeof credentials.createInsecure>) => Client } };
  return new pkg.inference.GRPCInferenceService(address, credentials.createInsecure());
}

export async function grpcLoad(spec: GrpcLoadSpec): Promise<LoadResult> {
  const client = inferenceClient(spec.address);
  const infer = (client as unknown as { ModelInfer: Unary }).ModelInfer.bind(client);
  const md = new Metadata();
  if (spec.token) md.set('authorization', `Bearer ${spec.token}`);
  let lat = new Float64Array(1 << 16);
  let n = 0;
  let errors = 0;
  const t0 = performance.now();
  const until = t0 + spec.seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const start = performance.now();
      infer(spec.request, md, (err) => {
        if (err) errors++;
        if (n === lat.length) {
          const bigger = new Float64Array(lat.length * 2);
          bigger.set(lat);
          lat = bigger;
        }
        lat[n++] = performance.now() - start;
        resolve();
      });
    });
  const worker = async () => {
    while (performance.now() < until) await one();
  };
  try {
    await Promise.all(Array.from({ length: spec.connections }, worker));
  } finally {
    client.close();
  }
  const took = (performance.now() - t0) / 1000;
  const sorted = lat.subarray(0, n).sort();
  const q = (p: number) => (n === 0 ? NaN : sorted[Math.min(n - 1, Math.floor(p * n))]!);
  return { rps: n / took, p50: q(0.5), p99: q(0.99), errors, requests: n };
}

/** The ModelInferRequest of an OIP v2 JSON infer body, its inputs as raw_input_contents (FP32). */
export function grpcRequestOf(model: string, jsonBody: string): object {
  const req = JSON.parse(jsonBody) as { inputs: { name: string; shape: number[]; datatype: string; data: number[] }[] };
  return {
    model_name: model,
    inputs: req.inputs.map((i) => ({ name: i.name, shape: i.shape, datatype: i.datatype })),
    raw_input_contents: req.inputs.map((i) => Buffer.from(Float32Array.from(i.data.flat(32) as number[]).buffer)),
  };
}
