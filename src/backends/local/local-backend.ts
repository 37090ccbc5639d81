/**
 * The embedded instance backend: each instance is a child process
 * (`modeldock instance …`) on its own loopback port. What is enforced: the Node heap
 * cap and an RSS watchdog over the whole process tree (instance + Python workers) from
 * `memoryMiB`; intra-op threads from `cpuMillicores`. Instances exit when the platform
 * dies (their stdin closes), so a killed platform leaves no orphans.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { InstancePhase } from '../../contracts/services.js';
import type { InstanceBackend, InstanceLogLine, InstanceTemplate, ObservedInstance } from '../backend.js';
import { inheritedEnv } from './child-env.js';
import { killTree, treeCpuSeconds, treeRssMiB } from './process-tree.js';

const BIN = fileURLToPath(new URL('../../../bin/modeldock.js', import.meta.url));
const LOAD_FAILED_EXIT = 3;
const CRASH_LOOP = { restarts: 5, windowMs: 10 * 60_000 };
/** a model that misses its startup timeout this many times in a row is failed (its load hangs) */
const STARTUP_TIMEOUTS_TO_FAIL = 2;

interface Slot {
  t: InstanceTemplate;
  /** the model version's files on this machine, once known */
  modelDir?: string;
  obs: ObservedInstance;
  child?: ChildProcess;
  stopping: boolean;
  stderrTail: string[];
  crashes: number[];
  probeFailures: number;
  livenessFailures: number;
  /** startup timeouts since the instance was last ready */
  startupTimeouts: number;
  timers: NodeJS.Timeout[];
  exited?: Promise<void>;
}

export interface LocalBackendOptions {
  /** the local folder of a model version's files: a folder store's own path, or a
   * fetched copy (BlobCache) when the store is remote; the instance stays Pending meanwhile */
  blobPath: (key: string) => string | Promise<string>;
  /** extra environment for every instance (tests allow private image URLs here) */
  env?: Record<string, string>;
  backoffMs?: (restarts: number) => number;
}

export class LocalBackend implements InstanceBackend {
  readonly name = 'local';
  private readonly slots = new Map<string, Slot>();
  private readonly changeListeners: ((id: string) => void)[] = [];
  private readonly logListeners: ((l: InstanceLogLine) => void)[] = [];
  private closed = false;

  constructor(private readonly opts: LocalBackendOptions) {}

  onChange(l: (id: string) => void): void {
    this.changeListeners.push(l);
  }

  onLog(l: (line: InstanceLogLine) => void): void {
    this.logListeners.push(l);
  }

  list(): ObservedInstance[] {
    return [...this.slots.values()].map((s) => ({ ...s.obs }));
  }

  async start(t: InstanceTemplate): Promise<void> {
    if (this.closed || this.slots.has(t.instanceId)) return;
    const slot: Slot = {
      t,
      obs: {
        instanceId: t.instanceId,
        serviceName: t.serviceName,
        versionId: t.versionId,
        specHash: t.specHash,
        phase: 'Pending',
        node: os.hostname(),
        startedAt: null,
        restarts: 0,
      },
      stopping: false,
      stderrTail: [],
      crashes: [],
      probeFailures: 0,
      livenessFailures: 0,
      startupTimeouts: 0,
      timers: [],
    };
    this.slots.set(t.instanceId, slot);
    const dir = this.opts.blobPath(t.modelKey);
    if (typeof dir === 'string') {
      slot.modelDir = dir;
      this.launch(slot);
      return;
    }
    dir.then(
      (d) => {
        slot.modelDir = d;
        if (!slot.stopping && !this.closed) this.launch(slot);
      },
      (e: Error) => {
        if (slot.stopping) return;
        slot.obs = { ...slot.obs, lastExitReason: `could not fetch the model files: ${e.message}`, failed: `could not fetch the model files: ${e.message}` };
        this.setPhase(slot, 'Exited');
      },
    );
  }

  async stop(instanceId: string, graceMs: number): Promise<void> {
    const slot = this.slots.get(instanceId);
    if (!slot) return;
    slot.stopping = true;
    this.clearTimers(slot);
    this.setPhase(slot, 'Terminating');
    const child = slot.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const kill = setTimeout(() => this.forceKill(child), graceMs);
      await slot.exited;
      clearTimeout(kill);
    }
    this.slots.delete(instanceId);
    this.emitChange(instanceId);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.slots.keys()].map((id) => this.stop(id, 5_000)));
  }

  private launch(slot: Slot): void {
    const { t } = slot;
    const threads = Math.max(1, Math.floor(t.resources.cpuMillicores / 1000));
    const args = [
      `--max-old-space-size=${Math.max(64, Math.floor(t.resources.memoryMiB * 0.75))}`,
      BIN,
      'instance',
      '--model-dir',
      slot.modelDir!,
      '--runtime',
      t.runtime,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--model-name',
      t.serviceName,
      '--threads',
      String(threads),
      ...(t.batching ? ['--max-batch-size', String(t.batching.maxBatchSize), '--max-queue-delay-ms', String(t.batching.maxQueueDelayMs)] : []),
    ];
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, args, {
        env: {
          ...inheritedEnv(),
          ...this.opts.env,
          ...t.env,
          ...(t.python ? { MODELDOCK_PYTHON: t.python } : {}),
          MODELDOCK_EXIT_WITH_STDIN: '1',
          PYTHONDONTWRITEBYTECODE: '1',
          MODELDOCK_INSTANCE_ID: t.instanceId,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (e) {
      // The OS (or Node) refused the process outright (a NUL byte, an oversized environment):
      // starting it again cannot help, so the instance is failed with the reason.
      return this.spawnFailed(slot, e as Error);
    }
    child.once('error', (e) => {
      if (slot.child === child && child.pid === undefined) this.spawnFailed(slot, e);
    });
    slot.child = child;
    slot.obs = { ...slot.obs, pid: child.pid, startedAt: new Date().toISOString(), url: undefined };
    slot.probeFailures = 0;
    this.setPhase(slot, 'Starting');
    slot.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.onExit(slot, child, code, signal);
        resolve();
      }),
    );
    this.readLines(child.stdout!, (line) => this.onStdout(slot, line));
    this.readLines(child.stderr!, (line) => {
      slot.stderrTail.push(line);
      if (slot.stderrTail.length > 20) slot.stderrTail.shift();
      this.emitLog(slot, 'stderr', line);
    });
    child.stdin!.on('error', () => undefined);
    slot.timers.push(
      setTimeout(() => {
        if (slot.obs.phase === 'Starting' && slot.child === child) {
          slot.startupTimeouts++;
          slot.stderrTail.push(`did not become ready within ${t.startupTimeoutMs} ms (startupTimeoutMs)`);
          this.forceKill(child);
        }
      }, t.startupTimeoutMs),
    );
  }

  private onStdout(slot: Slot, line: string): void {
    if (line.startsWith('{"event":"ready"')) {
      try {
        const ev = JSON.parse(line) as { port: number };
        slot.obs = { ...slot.obs, url: `http://127.0.0.1:${ev.port}` };
        slot.crashes = [];
        slot.startupTimeouts = 0;
        this.setPhase(slot, 'Ready');
        this.startProbes(slot);
        return;
      } catch {
        /* an ordinary log line after all */
      }
    }
    this.emitLog(slot, 'stdout', line);
  }

  private startProbes(slot: Slot): void {
    const { readiness } = slot.t;
    let lastCpu = { at: Date.now(), s: slot.child?.pid ? treeCpuSeconds(slot.child.pid) : 0 };
    const tick = async () => {
      if (slot.stopping || !slot.obs.url) return;
      if (slot.child?.pid) {
        const now = { at: Date.now(), s: treeCpuSeconds(slot.child.pid) };
        const cores = slot.t.resources.cpuMillicores / 1000;
        if (now.at > lastCpu.at) slot.obs = { ...slot.obs, cpuUtil: (now.s - lastCpu.s) / ((now.at - lastCpu.at) / 1000) / cores };
        lastCpu = now;
      }
      const rss = slot.child?.pid ? treeRssMiB(slot.child.pid) : 0;
      if (rss > slot.t.resources.memoryMiB) {
        slot.stderrTail.push(`OOMKilled: resident memory ${Math.round(rss)} MiB is over the limit of ${slot.t.resources.memoryMiB} MiB`);
        this.forceKill(slot.child);
        return;
      }
      const probe = (p: { path: string; timeoutMs: number }) =>
        fetch(slot.obs.url + p.path, { signal: AbortSignal.timeout(p.timeoutMs) }).then(
          (r) => r.ok,
          () => false,
        );
      const live = slot.t.liveness;
      if (live) {
        slot.livenessFailures = (await probe(live)) ? 0 : slot.livenessFailures + 1;
        if (slot.livenessFailures >= live.failureThreshold) {
          slot.stderrTail.push(`liveness probe ${live.path} failed ${slot.livenessFailures} times in a row`);
          this.forceKill(slot.child);
          return;
        }
      }
      const ok = await probe(readiness);
      slot.probeFailures = ok ? 0 : slot.probeFailures + 1;
      if (ok && slot.obs.phase === 'Unhealthy') this.setPhase(slot, 'Ready');
      if (!ok && slot.probeFailures >= readiness.failureThreshold && slot.obs.phase === 'Ready') this.setPhase(slot, 'Unhealthy');
    };
    slot.livenessFailures = 0;
    const begin = () => {
      const timer = setInterval(() => void tick(), readiness.periodMs);
      timer.unref();
      slot.timers.push(timer);
    };
    const delay = Math.max(readiness.initialDelayMs ?? 0, slot.t.liveness?.initialDelayMs ?? 0);
    if (delay > 0) slot.timers.push(setTimeout(begin, delay).unref());
    else begin();
  }

  private onExit(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child !== child) return;
    this.clearTimers(slot);
    if (slot.stopping) return;
    const tail = slot.stderrTail.slice(-8).join('\n');
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    slot.obs = { ...slot.obs, url: undefined, lastExitReason: `${how}${tail ? `: ${tail}` : ''}` };
    this.setPhase(slot, 'Exited');
    if (code === LOAD_FAILED_EXIT) {
      slot.obs.failed = `model load failed: ${tail || how}`;
      this.emitChange(slot.t.instanceId);
      return;
    }
    if (slot.startupTimeouts >= STARTUP_TIMEOUTS_TO_FAIL) {
      slot.obs.failed = `the model did not become ready within ${slot.t.startupTimeoutMs} ms (startupTimeoutMs), ${slot.startupTimeouts} times in a row: its load hangs or needs a longer startup timeout`;
      this.emitChange(slot.t.instanceId);
      return;
    }
    const nowMs = Date.now();
    slot.crashes = [...slot.crashes.filter((t) => nowMs - t < CRASH_LOOP.windowMs), nowMs];
    if (slot.crashes.length > CRASH_LOOP.restarts) {
      slot.obs.failed = `crash loop: ${slot.crashes.length} exits in ${Math.round(CRASH_LOOP.windowMs / 60_000)} min; last: ${slot.obs.lastExitReason}`;
      this.emitChange(slot.t.instanceId);
      return;
    }
    const delay = (this.opts.backoffMs ?? ((n) => Math.min(30_000, 500 * 2 ** n)))(slot.obs.restarts);
    slot.timers.push(
      setTimeout(() => {
        if (slot.stopping || this.closed) return;
        slot.obs = { ...slot.obs, restarts: slot.obs.restarts + 1 };
        this.launch(slot);
      }, delay),
    );
  }

  private spawnFailed(slot: Slot, e: Error): void {
    const reason = `could not start the instance process: ${e.message}`;
    this.clearTimers(slot);
    slot.child = undefined;
    slot.obs = { ...slot.obs, phase: 'Exited', url: undefined, lastExitReason: reason, failed: reason };
    this.emitChange(slot.t.instanceId);
  }

  /** SIGKILL for the instance and its whole process tree (Python workers busy in user code included). */
  private forceKill(child: ChildProcess | undefined): void {
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    killTree(child.pid);
  }

  private setPhase(slot: Slot, phase: InstancePhase): void {
    if (slot.obs.phase === phase) return;
    slot.obs = { ...slot.obs, phase };
    this.emitChange(slot.t.instanceId);
  }

  private clearTimers(slot: Slot): void {
    for (const t of slot.timers.splice(0)) clearTimeout(t);
  }

  private emitChange(id: string): void {
    for (const l of this.changeListeners) l(id);
  }

  private emitLog(slot: Slot, stream: 'stdout' | 'stderr', line: string): void {
    const entry: InstanceLogLine = { ts: new Date().toISOString(), service: slot.t.serviceName, instanceId: slot.t.instanceId, stream, line };
    for (const l of this.logListeners) l(entry);
  }

  private readLines(stream: NodeJS.ReadableStream, onLine: (l: string) => void): void {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line) onLine(line.length > 8192 ? `${line.slice(0, 8192)}…` : line);
      }
      if (buf.length > 65536) {
        onLine(buf.slice(0, 8192));
        buf = '';
      }
    });
  }
}
