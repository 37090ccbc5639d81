/**
 * The gRPC load generator: `connections` calls kept in flight on one HTTP/2 connection (as
 * one gRPC channel has it), for `seconds`. Like autocannon for the HTTP rows, it sends a
 * message encoded once (with the proto's own serializer) and reads each answer's status from
 * its trailers without decoding the message, so the figures are the server's, not a client
 * library's (grpc-js's client costs more CPU per call than the gateway does). The first
 * answer is decoded and checked. Same figures as load.ts: requests/s over the whole run,
 * p50/p99 from each call's own time, errors = calls whose grpc-status is not 0.
 */
import http2 from 'node:http2';
import { inferencePackage, SERVICE_NAME } from '../../src/gateway/grpc/proto.js';
import type { LoadResult } from './load.js';

export interface GrpcLoadSpec {
  /** host:port of the gateway's gRPC service */
  address: string;
  /** a ModelInferRequest (proto field names) */
  request: object;
  token?: string;
  connections: number;
  seconds: number;
  /** checks the first decoded answer (throws to fail the run) */
  check?: (response: unknown) => void;
}

interface MethodDef {
  requestSerialize(v: unknown): Buffer;
  responseDeserialize(b: Buffer): unknown;
}

const methodDef = (name: string) => (inferencePackage()[SERVICE_NAME] as unknown as Record<string, MethodDef>)[name]!;

/** A gRPC message frame: not compressed, 4-byte big-endian length, the message. */
function frame(message: Buffer): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

export async function grpcLoad(spec: GrpcLoadSpec): Promise<LoadResult> {
  const m = methodDef('ModelInfer');
  const body = frame(m.requestSerialize(spec.request));
  const headers: http2.OutgoingHttpHeaders = {
    ':method': 'POST',
    ':path': `/${SERVICE_NAME}/ModelInfer`,
    'content-type': 'application/grpc',
    te: 'trailers',
    ...(spec.token ? { authorization: `Bearer ${spec.token}` } : {}),
  };
  const session = http2.connect(`http://${spec.address}`);
  session.on('error', () => undefined);
  let lat = new Float64Array(1 << 16);
  let n = 0;
  let errors = 0;
  let checked = spec.check === undefined;
  let wrong: unknown;
  const one = () =>
    new Promise<void>((resolve) => {
      const start = performance.now();
      const stream = session.request(headers);
      let status: string | undefined;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => (status = h['grpc-status'] as string | undefined));
      stream.on('trailers', (t) => (status = (t['grpc-status'] as string | undefined) ?? status));
      stream.on('data', (c: Buffer) => {
        if (!checked) chunks.push(c);
      });
      stream.on('close', () => {
        if (status !== '0') errors++;
        else if (!checked) {
          checked = true;
          try {
            spec.check!(m.responseDeserialize(Buffer.concat(chunks).subarray(5)));
          } catch (e) {
            wrong = e;
          }
        }
        if (n === lat.length) {
          const bigger = new Float64Array(lat.length * 2);
          bigger.set(lat);
          lat = bigger;
        }
        lat[n++] = performance.now() - start;
        resolve();
      });
      stream.end(body);
    });
  const t0 = performance.now();
  const until = t0 + spec.seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) await one();
  };
  try {
    await Promise.all(Array.from({ length: spec.connections }, worker));
  } finally {
    session.close();
  }
  if (wrong !== undefined) throw wrong;
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
