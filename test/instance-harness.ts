/**
 * For instance tests: model packages built from examples/fixtures and the templates,
 * a real `modeldock instance` process (needs dist/), a loopback file server for image
 * URLs, and small HTTP helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../examples/fixtures/', import.meta.url));
export const TEMPLATES = fileURLToPath(new URL('../templates/', import.meta.url));
export const BIN = fileURLToPath(new URL('../bin/modeldock.js', import.meta.url));

export const PHOTOS = {
  cat: ['cat-kserve.jpg', 'cat-winml.jpg', 'cat-jetson.jpg'],
  dog: ['dog-winml.jpg', 'dog-kserve.jpg', 'dog-jetson.jpg'],
  butterfly: ['butterfly-monarch-crop.jpg', 'butterfly-monarch-in-may.jpg'],
} as const;
export const RANGES = { cat: [281, 285], dog: [151, 268], butterfly: [321, 326] } as const;
export type Kind = keyof typeof PHOTOS;

export const photo = (file: string) => fs.readFileSync(path.join(FIXTURES, file));
export const base64Of = (file: string) => photo(file).toString('base64');
export const dataUriOf = (file: string) => `data:image/jpeg;base64,${base64Of(file)}`;

export function tempDir(prefix = 'modeldock-pkg-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** templates/onnx/classify with the SqueezeNet fixture as model.onnx and the synset list as labels.txt. */
export function squeezenetPackage(): string {
  const dir = tempDir();
  fs.cpSync(path.join(TEMPLATES, 'onnx/classify'), dir, { recursive: true });
  fs.copyFileSync(path.join(FIXTURES, 'squeezenet1.1-fp16.onnx'), path.join(dir, 'model.onnx'));
  fs.copyFileSync(path.join(FIXTURES, 'imagenet_synset.txt'), path.join(dir, 'labels.txt'));
  return dir;
}

/** A package holding only the given files. */
export function packageWith(files: Record<string, string | Buffer>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

export interface Instance {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/** Starts `modeldock instance` and resolves at its ready line (rejects with stderr if it exits first). */
export async function startInstance(args: string[], env: Record<string, string> = {}): Promise<Instance> {
  const child = spawn(process.execPath, [BIN, 'instance', '--port', '0', ...args], {
    env: { ...process.env, MODELDOCK_LOG_LEVEL: 'warn', NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-8000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      if (line.startsWith('{"event":"ready"')) resolve((JSON.parse(line) as { port: number }).port);
    });
    void exited.then(({ code }) => reject(new Error(`instance exited with ${code} before ready: ${err}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stderr: () => err,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs `modeldock instance` expecting it to exit before ready; answers its exit code and stderr. */
export async function runToExit(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [BIN, 'instance', ...args], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { code, stderr, stdout };
}

export interface FileServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the fixtures folder on loopback (image URLs for the instance). */
export async function fixtureServer(): Promise<FileServer> {
  const server = http.createServer((req, res) => {
    const name = path.basename(decodeURIComponent(req.url ?? ''));
    const file = path.join(FIXTURES, name);
    if (!fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': name.endsWith('.jpg') ? 'image/jpeg' : 'text/plain' });
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export async function get(url: string): Promise<Reply> {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* Prometheus text */
  }
  return { status: res.status, headers: res.headers, body };
}

/** Sum of a Prometheus series' values whose line starts with `prefix`. */
export function metricValue(text: string, prefix: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Waits until `fn` answers true (no fixed sleeps). */
export async function eventually(fn: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
