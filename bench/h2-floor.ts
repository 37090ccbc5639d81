/**
 * The transport floor under the gRPC rows of scenario 4: what one call costs the server
 * and the client in CPU with nothing behind it, a fixed answer, on loopback at c=32:
 *   h1      node:http server, autocannon client (the REST rows' transport)
 *   h2      node:http2 server answering the gRPC frames itself, the bench's node:http2 gRPC client
 *   grpcjs  @grpc/grpc-js server (the gateway's), the same client
 * The request is the MNIST digit (784 FP32 values: JSON for h1, raw_input_contents for
 * the others). Rounds alternate the three so other work on the machine hits them alike.
 *
 *   node test-artifacts/bench-build/bench/h2-floor.js [--rounds 4] [--seconds 3]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { inferencePackage, SERVICE_NAME } from '../src/gateway/grpc/proto.js';
import { grpcLoad, grpcRequestOf } from './lib/grpc-load.js';
import { load, type LoadResult } from './lib/load.js';

type Kind = 'h1' | 'h2' | 'grpcjs';
const KINDS: Kind[] = ['h1', 'h2', 'grpcjs'];
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};

interface Codec {
  requestDeserialize(b: Buffer): unknown;
  responseSerialize(v: unknown): Buffer;
}
const ANSWER = {
  model_name: 'mnist',
  model_version: '1',
  id: '',
  parameters: {},
  outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 10], parameters: {} }],
  raw_output_contents: [Buffer.alloc(40)],
};

/** The server of one kind, in this (child) process; prints its port. */
function serve(kind: Kind): void {
  const service = inferencePackage()[SERVICE_NAME] as ServiceDefinition;
  const codec = service.ModelInfer as unknown as Codec;
  const ready = (port: number) => process.stdout.write(`${port}\n`);
  if (kind === 'grpcjs') {
    const s = new Server({ 'grpc.enable_channelz': 0 });
    s.addService(service, { ModelInfer: (_call: unknown, cb: (e: null, r: unknown) => void) => cb(null, ANSWER) });
    s.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (_e, port) => ready(port));
  } else if (kind === 'h2') {
    const s = http2.createServer();
    s.on('stream', (stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        codec.requestDeserialize(Buffer.concat(chunks).subarray(5));
        const msg = codec.responseSerialize(ANSWER);
        const out = Buffer.alloc(5 + msg.length);
        out.writeUInt32BE(msg.length, 1);
        msg.copy(out, 5);
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(out);
      });
    });
    s.listen(0, '127.0.0.1', () => ready((s.address() as { port: number }).port));
  } else {
    const body = Buffer.alloc(200);
    const s = http.createServer((req, res) => {
      req.on('data', () => undefined);
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
        res.end(body);
      });
    });
    s.keepAliveTimeout = 60_000;
    s.listen(0, '127.0.0.1', () => ready((s.address() as { port: number }).port));
  }
}

const ticksOf = (pid: number): number => {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};

function start(kind: Kind): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve', kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => readline.createInterface({ input: child.stdout! }).once('line', (l) => resolve({ child, port: Number(l) })));
}

async function main(): Promise<void> {
  const rounds = Number(arg('rounds', '4'));
  const seconds = Number(arg('seconds', '3'));
  const digit = Array.from({ length: 784 }, (_, i) => ((i * 37) % 255) / 255);
  const json = JSON.stringify({ inputs: [{ name: 'x', shape: [1, 784], datatype: 'FP32', data: digit }] });
  const request = grpcRequestOf('mnist', json);
  const servers = Object.fromEntries(await Promise.all(KINDS.map(async (k) => [k, await start(k)] as const))) as Record<
    Kind,
    { child: ChildProcess; port: number }
  >;
  const run = (k: Kind, s: number): Promise<LoadResult> =>
    k === 'h1'
      ? load({ url: `http://127.0.0.1:${servers[k].port}/`, body: json, connections: 32, seconds: s })
      : grpcLoad({ address: `127.0.0.1:${servers[k].port}`, request, connections: 32, seconds: s });
  try {
    for (const k of KINDS) await run(k, 2);
    const per: Record<string, string[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const k of KINDS) {
        const t0 = ticksOf(servers[k].child.pid!);
        const u0 = process.cpuUsage();
        const res = await run(k, seconds);
        const u = process.cpuUsage(u0);
        const server = ((ticksOf(servers[k].child.pid!) - t0) * 10_000) / res.requests;
        const client = (u.user + u.system) / res.requests;
        (per[k] ??= []).push(`${server.toFixed(0)}/${client.toFixed(0)}`);
        process.stdout.write(
          `round ${r + 1} ${k.padEnd(6)} ${res.rps.toFixed(0).padStart(6)} req/s  server ${server.toFixed(1)} µs/call  client ${client.toFixed(1)} µs/call\n`,
        );
      }
    }
    for (const k of KINDS) process.stdout.write(`${k.padEnd(6)} server/client µs per call: ${per[k]!.join('  ')}\n`);
  } finally {
    for (const k of KINDS) servers[k].child.kill();
  }
}

if (process.argv[2] === 'serve') serve(process.argv[3] as Kind);
else
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
