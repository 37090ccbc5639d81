/**
 * A supervised pool of Python workers of one role: starts them, lends an idle one per call,
 * and restarts one that dies (immediately, then with backoff while it keeps dying early).
 * Calls in flight on a dead worker fail with a clear MODEL_ERROR (python-worker.ts).
 */
import { DomainError } from '../../contracts/errors.js';
import type { LoadContext } from '../runtime.js';
import { PythonWorker, type LoadReport, type WorkerOptions } from './python-worker.js';

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 10_000;
/** a worker that lived this long before dying restarts at once */
const HEALTHY_AFTER_MS = 5_000;

interface Waiter {
  resolve: (w: PythonWorker) => void;
  reject: (e: Error) => void;
}

export class WorkerPool {
  private readonly live = new Set<PythonWorker>();
  private idle: PythonWorker[] = [];
  private waiters: Waiter[] = [];
  private closing = false;
  private failures = 0;
  private timers = new Set<NodeJS.Timeout>();
  restarts = 0;

  constructor(
    private readonly opts: WorkerOptions,
    private readonly count: number,
    private readonly log: LoadContext['log'],
  ) {}

  /** Starts every worker; answers the first load report, or throws the first failure (having stopped the rest). */
  async start(): Promise<LoadReport> {
    const results = await Promise.allSettled(Array.from({ length: this.count }, () => this.spawn()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.close();
      throw failed.reason as Error;
    }
    return (results[0] as PromiseFulfilledResult<LoadReport>).value;
  }

  pids(): number[] {
    return [...this.live].map((w) => w.pid).filter((p): p is number => p !== undefined);
  }

  /** Runs `fn` on an idle worker (waiting for one), then gives it back. */
  async run<T>(fn: (w: PythonWorker) => Promise<T>): Promise<T> {
    const w = await this.acquire();
    try {
      return await fn(w);
    } finally {
      this.release(w);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const err = new DomainError('MODEL_NOT_READY', 'the model is shutting down');
    for (const w of this.waiters.splice(0)) w.reject(err);
    await Promise.all([...this.live].map((w) => w.stop()));
    this.live.clear();
    this.idle = [];
  }

  private acquire(): Promise<PythonWorker> {
    if (this.closing) return Promise.reject(new DomainError('MODEL_NOT_READY', 'the model is shutting down'));
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private release(w: PythonWorker): void {
    if (w.exited || this.closing || !this.live.has(w)) return;
    const next = this.waiters.shift();
    if (next) next.resolve(w);
    else this.idle.push(w);
  }

  private async spawn(): Promise<LoadReport> {
    const w = new PythonWorker(this.opts);
    const startedAt = Date.now();
    w.onExit = (how) => this.onExit(w, how, startedAt);
    this.live.add(w);
    try {
      const report = await w.start();
      this.release(w);
      return report;
    } catch (e) {
      this.live.delete(w);
      throw e;
    }
  }

  private onExit(w: PythonWorker, how: string, startedAt: number): void {
    const wasLive = this.live.delete(w);
    this.idle = this.idle.filter((x) => x !== w);
    if (this.closing || !wasLive) return;
    const early = Date.now() - startedAt < HEALTHY_AFTER_MS;
    this.failures = early ? this.failures + 1 : 0;
    const delay = this.failures <= 1 ? 0 : Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (this.failures - 2));
    this.log('error', `Python ${this.opts.role} worker ${w.pid ?? '?'} ${how}; restarting${delay ? ` in ${delay} ms` : ''}`, {
      worker: this.opts.role,
      pid: w.pid,
      restarts: this.restarts + 1,
    });
    this.schedule(delay);
  }

  private schedule(delay: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.closing) return;
      this.restarts++;
      this.spawn().then(
        () => this.log('info', `Python ${this.opts.role} worker restarted`, { worker: this.opts.role, restarts: this.restarts }),
        (e: Error) => {
          if (this.closing) return;
          this.failures++;
          const err = new DomainError('MODEL_ERROR', `the Python worker died and could not be restarted: ${e.message}`);
          if (this.live.size === 0) for (const x of this.waiters.splice(0)) x.reject(err);
          this.log('error', err.message, { worker: this.opts.role });
          this.schedule(Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.max(0, this.failures - 2)));
        },
      );
    }, delay);
    this.timers.add(t);
  }
}
