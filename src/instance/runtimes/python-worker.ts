/**
 * One Python worker process (`python3 -m modeldock_worker`) and its socket: start (resolves
 * with the load report once the package loaded), call (a frame out, its answer back), exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Socket } from 'node:net';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DomainError } from '../../contracts/errors.js';
import type { LoadContext } from '../runtime.js';
import { encodeFrame, errorOf, FrameReader, OP, TAG, type Item } from './python-protocol.js';

/** python/ at the repository root (holds modeldock_worker, tiinfer, mosec), found upwards from here (src/ or a build folder). */
export const PYTHON_DIR = findPythonDir(path.dirname(fileURLToPath(import.meta.url)));

function findPythonDir(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'python');
    if (fs.existsSync(path.join(candidate, 'modeldock_worker', '__main__.py'))) return candidate;
    if (path.dirname(dir) === dir) return path.resolve(from, '../../../python');
  }
}

export type WorkerRole = 'infer' | 'pre' | 'post';

export interface WorkerOptions {
  python: string;
  role: WorkerRole;
  modelDir: string;
  env: Record<string, string>;
  threads: number;
  log: LoadContext['log'];
}

export interface LoadReport {
  class?: string;
  pid?: number;
  maxBatchSize?: number;
  warning?: string;
  requirements?: { file: string | null; found: { requirement: string; module: string; version?: string }[]; missing: unknown[]; skipped: string[] };
  [k: string]: unknown;
}

export class WorkerLoadError extends Error {}

export class PythonWorker {
  private child?: ChildProcess;
  private sock?: Socket;
  private readonly reader = new FrameReader();
  private readonly pending = new Map<number, { resolve: (items: Item[]) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private stderrTail = '';
  private onReady?: { resolve: (r: LoadReport) => void; reject: (e: Error) => void };
  exited = false;
  /** called once when the process ends (after start resolved or failed) */
  onExit?: (how: string) => void;

  constructor(private readonly opts: WorkerOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  start(): Promise<LoadReport> {
    const o = this.opts;
    const pythonPath = [PYTHON_DIR, o.env.PYTHONPATH].filter(Boolean).join(':');
    const env = {
      ...o.env,
      PYTHONPATH: pythonPath,
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      TI_MODEL_DIR: o.modelDir,
      OMP_NUM_THREADS: String(o.threads),
      MODELDOCK_WORKER_PARENT: String(process.pid),
    };
    const child = spawn(o.python, ['-m', 'modeldock_worker', '--role', o.role, '--threads', String(o.threads)], {
      cwd: o.modelDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    this.sock = child.stdio[3] as Socket;
    this.sock.on('data', (chunk: Buffer) => this.onData(chunk));
    this.sock.on('error', () => undefined); // the exit handler reports
    const fields = () => ({ worker: o.role, pid: child.pid });
    readline.createInterface({ input: child.stdout! }).on('line', (line) => o.log('info', line, { ...fields(), stream: 'stdout' }));
    readline.createInterface({ input: child.stderr! }).on('line', (line) => {
      this.stderrTail = (this.stderrTail + line + '\n').slice(-4000);
      o.log('warn', line, { ...fields(), stream: 'stderr' });
    });
    const ready = new Promise<LoadReport>((resolve, reject) => (this.onReady = { resolve, reject }));
    child.on('error', (e) => this.finish(`could not start ${o.python}: ${e.message}`));
    child.on('close', (code, signal) => this.finish(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    return ready;
  }

  call(op: number, items: readonly Item[]): Promise<Item[]> {
    if (this.exited || !this.sock) return Promise.reject(this.exitError('is not running'));
    const id = this.nextId++;
    if (this.nextId > 0xfffffff0) this.nextId = 1;
    return new Promise<Item[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.sock!.write(encodeFrame(id, op, items));
    });
  }

  /** Asks the worker to exit; kills it if it has not after `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.exited || !this.child) return;
    const gone = new Promise<void>((r) => this.child!.once('close', () => r()));
    this.sock?.end(encodeFrame(0, OP.exit, []));
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child?.kill(signal);
  }

  private onData(chunk: Buffer): void {
    for (const f of this.reader.push(chunk)) {
      if (f.op === OP.ready) {
        const item = f.items[0];
        if (!item || item.tag === TAG.error) {
          const err = item ? errorOf(item) : { message: 'the worker sent an empty ready message' };
          if (err.traceback)
            this.opts.log('error', `loading the model failed: ${err.message}`, { traceback: err.traceback, worker: this.opts.role, pid: this.pid });
          this.onReady?.reject(new WorkerLoadError(err.message));
        } else {
          this.onReady?.resolve(JSON.parse(item.data.toString('utf8')) as LoadReport);
        }
        this.onReady = undefined;
        continue;
      }
      const p = this.pending.get(f.id);
      if (!p) continue;
      this.pending.delete(f.id);
      p.resolve(f.items);
    }
  }

  private exitError(how: string): DomainError {
    return new DomainError('MODEL_ERROR', `the Python worker (pid ${this.pid ?? '?'}) ${how} while serving this request; it is restarted`);
  }

  private finish(how: string): void {
    if (this.exited) return;
    this.exited = true;
    if (this.onReady) {
      const tail = this.stderrTail.trim().split('\n').slice(-6).join('\n');
      this.onReady.reject(new WorkerLoadError(`the Python worker ${how} before the model loaded${tail ? `:\n${tail}` : ''}`));
      this.onReady = undefined;
    }
    const err = this.exitError(how);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.onExit?.(how);
  }
}
