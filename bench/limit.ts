/**
 * The limit (scenario 1): the model called in process with onnxruntime-node, one call at
 * a time, as the instance does (1 intra-op thread, sequential execution, all graph
 * optimisations). Prints one JSON line {calls, seconds, p50, p99} (ms per call).
 *
 *   node limit.js <model.onnx> <input name> <FP32|FP16> <dims…> --batch N --seconds S
 */
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { makeBatchDimSymbolic } from '../src/instance/runtimes/onnx-batch-dim.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args.splice(i, 2)[1]) : dflt;
};
const batch = opt('batch', 1);
const seconds = opt('seconds', 5);
const threads = opt('threads', 1);
const [file, input, type, ...dims] = args as [string, string, 'FP32' | 'FP16', ...string[]];
const shape = [batch, ...dims.map(Number)];
const n = shape.reduce((a, b) => a * b, 1);
// as the instance loads a package with "dynamicBatch": a fixed batch dimension of 1 made symbolic
const bytes = batch > 1 ? makeBatchDimSymbolic(fs.readFileSync(file)).bytes : fs.readFileSync(file);
const session = await ort.InferenceSession.create(bytes, {
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const data = type === 'FP16' ? new Uint16Array(n).fill(0x3c00) : new Float32Array(n).fill(0.5);
const feeds = { [input]: new ort.Tensor(type === 'FP16' ? 'float16' : 'float32', data, shape) };
for (let i = 0; i < 20; i++) await session.run(feeds);
const lat: number[] = [];
const t0 = performance.now();
const until = t0 + seconds * 1000;
while (performance.now() < until) {
  const s = performance.now();
  await session.run(feeds);
  lat.push(performance.now() - s);
}
const took = (performance.now() - t0) / 1000;
lat.sort((a, b) => a - b);
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
console.log(JSON.stringify({ calls: lat.length, seconds: took, p50: q(0.5), p99: q(0.99) }));
