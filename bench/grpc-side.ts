/**
 * A side run for the gateway's gRPC path (issue 15 §4): one `modeldock up`, one service on a
 * tiny real ONNX model with the MNIST digit's input size (Abs on FP32 [1, 784], so the
 * instance costs little and the platform's share shows), and rounds that alternate REST
 * JSON, REST binary and gRPC raw at the same concurrency. Each run gives req/s and the
 * platform's CPU per call (µs, from /proc), the figure the gRPC work tries to lower; the
 * alternation keeps what else the machine does from favouring one path.
 *
 *   node test-artifacts/bench-build/bench/grpc-side.js [--seconds 3] [--rounds 3] [--c 1,32] [--only grpc]
 *
 * With MODELDOCK_BENCH_PROFILE_DIR set (`--profile`), the platform writes a V8 CPU profile
 * when it stops (use `--only grpc` to profile the gRPC path alone).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tinyOnnx } from '../test/gateway-model.js';
import { api, importModel, serviceVersion, waitRunning } from './lib/api.js';
import { grpcLoad, grpcRequestOf } from './lib/grpc-load.js';
import { load, type LoadResult } from './lib/load.js';
import { ROOT, startPlatform } from './lib/spawn.js';
import { packBinary } from '../src/instance/binary-tensors.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const seconds = Number(arg('seconds', '3'));
const rounds = Number(arg('rounds', '3'));
const conc = arg('c', '1,32').split(',').map(Number);
const only = arg('only', 'json,binary,grpc').split(',');
if (process.argv.includes('--profile')) {
  const dir = path.join(ROOT, 'test-artifacts/bench/profiles');
  fs.mkdirSync(dir, { recursive: true });
  process.env.MODELDOCK_BENCH_PROFILE_DIR = dir;
}

const ticksOf = (pid: number): number => {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-grpc-side-'));
  const modelDir = path.join(tmp, 'wide');
  fs.mkdirSync(modelDir);
  fs.writeFileSync(path.join(modelDir, 'model.onnx'), tinyOnnx('Abs', 784));
  const digit = Array.from({ length: 784 }, (_, i) => ((i * 37) % 255) / 255);
  const json = JSON.stringify({ inputs: [{ name: 'x', shape: [1, 784], datatype: 'FP32', data: digit }] });
  const bin = packBinary(
    { inputs: [{ name: 'x', shape: [1, 784], datatype: 'FP32', parameters: { binary_data_size: 784 * 4 } }], parameters: { binary_data_output: true } },
    [Buffer.from(Float32Array.from(digit).buffer)],
  );
  const p = await startPlatform(path.join(tmp, 'platform'));
  try {
    await importModel(p.url, 'wide', modelDir, 'onnx', 'onnxruntime1.30-node20-cpu');
    await api(p.url, 'POST', '/api/v1/services', { name: 'wide', billingMode: 'postpaid', version: serviceVersion('wide') });
    await waitRunning(p.url, 'wide');
    const url = `${p.url}/v2/models/wide/infer`;
    const request = grpcRequestOf('wide', json);
    const runs: Record<string, (c: number, s: number) => Promise<LoadResult>> = {
      json: (c, s) => load({ url, body: json, connections: c, seconds: s }),
      binary: (c, s) =>
        load({
          url,
          body: bin.body,
          headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': bin.headerLength },
          connections: c,
          seconds: s,
        }),
      grpc: (c, s) => grpcLoad({ address: p.grpc!, request, connections: c, seconds: s }),
    };
    for (const k of only) await runs[k]!(32, 2); // warm every path
    process.stdout.write(
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
    );
    const per: Record<string, number[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const c of conc) {
        for (const k of only) {
          const t0 = ticksOf(p.pid);
          const res = await runs[k]!(c, seconds);
          const us = ((ticksOf(p.pid) - t0) * 10_000) / res.requests;
          (per[`${k} c=${c}`] ??= []).push(res.rps, us);
          process.stdout.write(
            `round ${r + 1} ${k.padEnd(6)} c=${String(c).padEnd(2)} ${res.rps.toFixed(0).padStart(5)} req/s  platform ${us.toFixed(0).padStart(4)} µs/call  p50 ${res.p50.toFixed(2)} ms  errors ${res.errors}\n`,
          );
        }
      }
    }
    process.stdout.write(
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
    );
    for (const [k, v] of Object.entries(per)) {
      const rps = v.filter((_, i) => i % 2 === 0);
      const us = v.filter((_, i) => i % 2 === 1);
      process.stdout.write(`${k.padEnd(12)} req/s ${rps.map((x) => x.toFixed(0)).join(' / ')}   platform µs/call ${us.map((x) => x.toFixed(0)).join(' / ')}\n`);
    }
  } finally {
    await p.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
