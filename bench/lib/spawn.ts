/**
 * Starting what is measured as child processes of the bench: `modeldock instance`,
 * `modeldock up`, and the bench's own small servers. Each waits for its ready signal and
 * is stopped (SIGTERM, then SIGKILL) at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository root (bench files run from test-artifacts/bench-build/bench/…). */
export const ROOT = path.resolve(fileURLToPath(import.meta.url), '../../../../..');
export const MODELDOCK = path.join(ROOT, 'bin/modeldock.js');
const BENCH = path.resolve(fileURLToPath(import.meta.url), '../..');
export const benchScript = (name: string) => path.join(BENCH, name);

export interface Proc {
  pid: number;
  url: string;
  /** host:port of `modeldock up`'s gRPC service */
  grpc?: string;
  /** ms from spawn to ready */
  readyMs: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `--cpu-prof` flags when the bench runs with --profile (Node refuses them in NODE_OPTIONS). */
export const profileArgs = (): string[] =>
  process.env.MODELDOCK_BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MODELDOCK_BENCH_PROFILE_DIR}`] : [];

// MODELDOCK_EXIT_WITH_STDIN: an instance the bench started exits with the bench, even a killed one
const quietEnv = (extra: Record<string, string>) => ({
  ...process.env,
  NODE_NO_WARNINGS: '1',
  MODELDOCK_LOG_LEVEL: 'warn',
  MODELDOCK_EXIT_WITH_STDIN: '1',
  ...extra,
});

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** A process that prints {"event":"ready","port":P} on stdout once it serves. */
export async function startReadyLine(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Proc> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...profileArgs(), ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: quietEnv(env) });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')}: not ready within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    readline.createInterface({ input: child.stdout! }).on('line', (l) => {
      if (!l.startsWith('{"event":"ready"')) return;
      clearTimeout(timer);
      resolve((JSON.parse(l) as { port: number }).port);
    });
    child.once('exit', (c) => reject(new Error(`${args.join(' ')} exited with ${c}: ${stderr}`)));
  });
  child.stdout!.resume();
  return { pid: child.pid!, url: `http://127.0.0.1:${port}`, readyMs: performance.now() - t0, child, stop: stopper(child) };
}

/** `modeldock instance` on a model folder. */
export function startInstance(modelDir: string, runtime: string, name: string, extra: string[] = [], env: Record<string, string> = {}): Promise<Proc> {
  return startReadyLine(
    [MODELDOCK, 'instance', '--model-dir', modelDir, '--runtime', runtime, '--model-name', name, '--port', '0', '--host', '127.0.0.1', ...extra],
    env,
  );
}

/**
 * `modeldock up` on a fresh data dir, its log (stdout, pino JSON lines) going to a file as
 * a deployment would have it; ready when stderr says where it is up.
 */
export async function startPlatform(dataDir: string, env: Record<string, string> = {}): Promise<Proc> {
  const t0 = performance.now();
  fs.mkdirSync(dataDir, { recursive: true });
  const logFd = fs.openSync(path.join(dataDir, 'platform.log'), 'a');
  const child = spawn(process.execPath, [...profileArgs(), MODELDOCK, 'up', '--port', '0', '--data-dir', dataDir], {
    stdio: ['pipe', logFd, 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1', MODELDOCK_LOG_LEVEL: 'info', MODELDOCK_IMPORT_ROOTS: dataDir, ...env },
  });
  fs.closeSync(logFd);
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`modeldock up: not up within 60 s: ${stderr}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
      const m = /is up at (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (c) => reject(new Error(`modeldock up exited with ${c}: ${stderr}`)));
  });
  const grpc = /gRPC at ([^\s;)]+)/.exec(stderr)?.[1];
  return { pid: child.pid!, url, grpc, readyMs: performance.now() - t0, child, stop: stopper(child) };
}
