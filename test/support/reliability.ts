/**
 * For the reliability suites (test/reliability-*.test.ts): a real platform in this
 * process on loopback with the tiny ONNX model imported, JSON calls, services waited
 * Running, and the instance processes (Node and Python) a data dir left running.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { startPlatform, type Platform } from '../../src/platform.js';
import { tinyReluOnnx } from '../gateway-model.js';
import { multipart } from './multipart.js';
import { eventually } from './platform.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Answer {
  status: number;
  body: Json;
  text: string;
}

/** One JSON call; never throws on a status. */
export async function api(base: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Json;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

export const tinyVersion = (extra: object = {}) => ({
  model: 'tiny',
  modelVersion: 'v1',
  resources: { cpuMillicores: 1000, memoryMiB: 512 },
  scaling: { mode: 'manual', instances: 1 },
  ...extra,
});

/** Imports an uploaded file set as a new version of `model` (created when missing); waits for ready. */
export async function importFiles(base: string, model: string, files: Record<string, Buffer | string>, spec: object = {}): Promise<string> {
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true, ...spec }) },
    ...Object.entries(files).map(([name, data]) => ({ name: 'f', filename: name, data: Buffer.isBuffer(data) ? data : Buffer.from(data) })),
  ]);
  const res = await fetch(`${base}/api/v1/models/${model}/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
  const v = (await res.json()) as Json;
  if (res.status !== 202) throw new Error(`import answered ${res.status}: ${JSON.stringify(v)}`);
  await eventually(
    async () => {
      const now = (await api(base, 'GET', `/api/v1/models/${model}/versions/${v.version}`)).body;
      if (now.status === 'failed') throw new Error(`import failed: ${now.error}`);
      return now.status === 'ready';
    },
    60_000,
    `${model} ${v.version} ready`,
  );
  return v.version as string;
}

/** Waits until the service is Running with every version's instances ready. */
export function running(base: string, name: string, timeoutMs = 60_000): Promise<Json> {
  return eventually(
    async () => {
      const s = (await api(base, 'GET', `/api/v1/services/${name}`)).body;
      if (s?.status === 'Failed') throw new Error(`service failed: ${s.reason}`);
      const ok = s?.status === 'Running' && s.versions.every((v: Json) => v.readyInstances === v.desiredInstances && v.desiredInstances > 0);
      return ok ? s : null;
    },
    timeoutMs,
    `${name} Running`,
  );
}

export interface ReliabilityPlatform {
  p: Platform;
  base: string;
  dataDir: string;
  close(): Promise<void>;
}

/** A platform listening on loopback (reconciler every 200 ms) with model `tiny` v1 imported. */
export async function platformWithTiny(overrides: Partial<Record<keyof Config, unknown>> = {}): Promise<ReliabilityPlatform> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-rel-'));
  const p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent', ...overrides } }), { reconcilePeriodMs: 200 });
  await importFiles(p.url, 'tiny', { 'model.onnx': tinyReluOnnx() });
  return {
    p,
    base: p.url,
    dataDir,
    async close() {
      await p.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Processes whose command line mentions `needle` (a data dir, a model folder), with their parents. */
export function processesMentioning(needle: string): { pid: number; parent: number; cmd: string }[] {
  const out: { pid: number; parent: number; cmd: string }[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const cwd = safeReadlink(`/proc/${pid}/cwd`);
      if (!cmd.includes(needle) && !cwd.includes(needle)) continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      out.push({ pid: Number(pid), parent: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), cmd: cmd.replace(/\0/g, ' ').trim() });
    } catch {
      /* gone */
    }
  }
  return out;
}

function safeReadlink(p: string): string {
  try {
    return fs.readlinkSync(p);
  } catch {
    return '';
  }
}
