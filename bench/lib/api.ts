/** The few control-plane calls the scenarios make (plain fetch, as any client would). */
import fs from 'node:fs';
import path from 'node:path';
import { multipart } from '../../test/support/multipart.js';

export async function api<T = Record<string, unknown>>(
  base: string,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | false | null>, timeoutMs = 120_000, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Uploads every file of a folder as a new version of `model` (created if missing); resolves when ready. */
export async function importModel(base: string, model: string, dir: string, format: string, runtime: string): Promise<void> {
  const files = fs.readdirSync(dir).filter((f) => fs.statSync(path.join(dir, f)).isFile());
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format, runtime, createModel: true }) },
    ...files.map((f) => ({ name: 'f', filename: f, data: fs.readFileSync(path.join(dir, f)) })),
  ]);
  const res = await fetch(`${base}/api/v1/models/${model}/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
  if (res.status !== 202) throw new Error(`import ${model}: ${res.status} ${await res.text()}`);
  const { version } = (await res.json()) as { version: string };
  await until(`${model} ${version} ready`, async () => {
    const v = await api<{ status: string; error?: string }>(base, 'GET', `/api/v1/models/${model}/versions/${version}`);
    if (v.status === 'failed') throw new Error(`import ${model} failed: ${v.error}`);
    return v.status === 'ready';
  });
}

export const serviceVersion = (model: string, scaling: object = { mode: 'manual', instances: 1 }, extra: object = {}) => ({
  model,
  modelVersion: 'v1',
  resources: { cpuMillicores: 1000, memoryMiB: 1024 },
  scaling,
  ...extra,
});

interface ServiceState {
  status: string;
  reason?: string;
  versions: { readyInstances: number }[];
}

export async function waitRunning(base: string, name: string, ready = 1, everyMs = 25): Promise<void> {
  await until(
    `${name} Running`,
    async () => {
      const s = await api<ServiceState>(base, 'GET', `/api/v1/services/${name}`);
      if (s.status === 'Failed') throw new Error(`service ${name} failed: ${s.reason}`);
      return s.status === 'Running' && s.versions.reduce((a, v) => a + v.readyInstances, 0) >= ready;
    },
    120_000,
    everyMs,
  );
}

/** Sums a counter over its series on /metrics (by name and a label filter). */
export async function counter(base: string, name: string, filter = ''): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(filter))
    .reduce((a, l) => a + Number(l.split(' ').pop()), 0);
}
