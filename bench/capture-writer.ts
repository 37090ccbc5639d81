/**
 * What payload capture costs per call on the platform's CPU, apart from HTTP: the writer
 * (capture-writer.ts) takes N calls shaped like the MNIST OIP v2 infer of scenario 4 (a
 * ~6 KB JSON body, a small answer), turns them into JSON lines, rolls and writes the files
 * to a folder store; CPU time per call from process.cpuUsage. Compare with the ~150 µs of
 * platform CPU a gateway call costs at c=32 (docs/benchmarks.md, scenario 4).
 *
 *   npx tsc -p bench/tsconfig.json && node test-artifacts/bench-build/bench/capture-writer.js [--calls 20000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../src/log.js';
import { FolderBlobStore } from '../src/store/blobs/folder-blob-store.js';
import { CaptureWriter } from '../src/services/capture/capture-writer.js';
import type { CaptureEntry } from '../src/gateway/capture-hook.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const calls = Number(arg('calls', '20000'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-capture-bench-'));
const w = new CaptureWriter({ blobs: new FolderBlobStore(dir), replica: 'bench', log: createLogger('silent') }, { maxBufferedBytes: 1 << 30, maxQueued: 1e9 });
const digits = Array.from({ length: 784 }, (_, i) => Math.round(Math.abs(Math.sin(i)) * 1000) / 1000);
const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 1, 28, 28], data: digits }] }));
const answer = Buffer.from(
  JSON.stringify({ model_name: 'mnist', model_version: '1', outputs: [{ name: 'logits', datatype: 'FP32', shape: [1, 10], data: digits.slice(0, 10) }] }),
);
const entry = (): CaptureEntry => ({
  at: Date.now(),
  service: 'mnist',
  seq: 1,
  versionId: 'v',
  instanceId: 'i',
  op: 'infer',
  method: 'POST',
  url: '/v2/models/mnist/infer',
  status: 200,
  latencyMs: 1.2,
  request: body,
  requestType: 'application/json',
  response: answer,
  responseType: 'application/json; charset=utf-8',
  maxBodyBytes: 65536,
});
try {
  for (const round of [1, 2, 3]) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) w.offer(entry());
    await w.flush();
    const cpu = process.cpuUsage(c0);
    const us = (cpu.user + cpu.system) / calls;
    process.stdout.write(
      `round ${round}: ${calls} calls, body ${body.length} B: ${us.toFixed(1)} µs CPU per call (user ${(cpu.user / calls).toFixed(1)}, system ${(cpu.system / calls).toFixed(1)}), wall ${(((performance.now() - t0) * 1000) / calls).toFixed(1)} µs; ${w.totals.files} files, ${(w.totals.bytes / 2 ** 20).toFixed(0)} MiB\n`,
    );
  }
} finally {
  await w.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
