/**
 * The embedded task runner: each run is a child process on this machine. A run's work
 * folder holds `code/` (its cwd), `input/<channel>/` (copied from the object store),
 * `output/` (MODELDOCK_OUTPUT_DIR), `tmp/` and `bin/` (python, python3 and node shims for
 * the runtime). Enforced: the memory limit over the whole process tree (RSS watchdog),
 * the run's timeout, and thread counts from `cpuMillicores`. The platform's own
 * environment (tokens, database URL) never reaches the command.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import { findRuntime } from '../../runtime-catalog/catalog.js';
import type { BlobStore } from '../../store/blobs/blob-store.js';
import { listFilesRecursive } from '../../files/staging.js';
import type { ObservedRun, RunLogLine, RunPhase, TaskRunner, TaskRunTemplate } from '../task-runner.js';
import { treePids, treeRssMiB } from './process-tree.js';
import { RUN_GUARD } from './run-guard.js';

const MAX_LINE = 8_192;

interface Slot {
  t: TaskRunTemplate;
  obs: ObservedRun;
  dir: string;
  child?: ChildProcess;
  stopping: boolean;
  stopReason?: string;
  /** why the runner itself killed the run (memory, timeout) */
  killedFor?: string;
  stderrTail: string[];
  watch?: NodeJS.Timeout;
  ended: Promise<void>;
  end: () => void;
}

export interface LocalTaskRunnerOptions {
  blobs: BlobStore;
  /** folder for the runs' work folders (removed when a run ends) */
  workRoot: string;
  /** the Python interpreter for python runtimes */
  python: string;
  /** extra environment for every run */
  env?: Record<string, string>;
  /** how often memory and the timeout are checked */
  watchPeriodMs?: number;
}

export class LocalTaskRunner implements TaskRunner {
  readonly name = 'local';
  private readonly slots = new Map<string, Slot>();
  private readonly changeListeners: ((r: ObservedRun) => void)[] = [];
  private readonly logListeners: ((l: RunLogLine) => void)[] = [];
  private closed = false;

  constructor(private readonly opts: LocalTaskRunnerOptions) {}

  onChange(l: (r: ObservedRun) => void): void {
    this.changeListeners.push(l);
  }

  onLog(l: (line: RunLogLine) => void): void {
    this.logListeners.push(l);
  }

  get(runId: string): ObservedRun | undefined {
    const s = this.slots.get(runId);
    return s && { ...s.obs };
  }

  async start(t: TaskRunTemplate): Promise<void> {
    if (this.closed || this.slots.has(t.runId)) return;
    let end!: () => void;
    const ended = new Promise<void>((r) => (end = r));
    const slot: Slot = {
      t,
      obs: { runId: t.runId, phase: 'Starting', startedAt: null, finishedAt: null },
      dir: path.join(this.opts.workRoot, t.runId),
      stopping: false,
      stderrTail: [],
      ended,
      end,
    };
    this.slots.set(t.runId, slot);
    this.emit(slot);
    void this.run(slot);
  }

  async stop(runId: string, graceMs: number, reason = 'stopped on request'): Promise<void> {
    const slot = this.slots.get(runId);
    if (!slot || isOver(slot.obs.phase)) return;
    slot.stopping = true;
    slot.stopReason ??= reason;
    if (slot.child?.pid) {
      this.note(slot, `stopping (grace ${graceMs} ms)`);
      slot.child.kill('SIGTERM');
      const hard = setTimeout(() => this.killTree(slot), graceMs + 2_000);
      await slot.ended;
      clearTimeout(hard);
    } else {
      await slot.ended;
    }
  }

  async discard(runId: string): Promise<void> {
    if (this.slots.has(runId) || !/^[\w-]+$/.test(runId)) return;
    await fsp.rm(path.join(this.opts.workRoot, runId), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.slots.keys()].map((id) => this.stop(id, 5_000, 'stopped: the platform shut down while it ran')));
  }

  private async run(slot: Slot): Promise<void> {
    try {
      await this.layOut(slot);
      if (slot.stopping) return this.finish(slot, 'Stopped', `${slot.stopReason} (before it started)`);
      const code = await this.exec(slot);
      if (slot.killedFor) return this.finish(slot, 'Failed', slot.killedFor, code);
      if (slot.stopping) return this.finish(slot, 'Stopped', slot.stopReason, code);
      if (code !== 0) return this.finish(slot, 'Failed', exitReason(code, slot.stderrTail), code);
      const n = await this.storeOutput(slot);
      this.note(slot, `stored ${n} output file(s) in ${slot.t.outputPath}/`);
      this.finish(slot, 'Succeeded', undefined, 0);
    } catch (e) {
      this.finish(slot, 'Failed', (e as Error).message);
    }
  }

  /** Copies the code and inputs out of the object store into the work folder. */
  private async layOut(slot: Slot): Promise<void> {
    const { t, dir } = slot;
    await fsp.rm(dir, { recursive: true, force: true });
    for (const sub of ['code', 'input', 'output', 'tmp', 'bin']) await fsp.mkdir(path.join(dir, sub), { recursive: true });
    const copied = await this.download(t.codePath, path.join(dir, 'code'));
    if (!copied) throw new Error(`the task's code folder ${t.codePath}/ is empty`);
    for (const [channel, prefix] of Object.entries(t.inputs)) {
      const n = await this.download(prefix.replace(/\/+$/, ''), path.join(dir, 'input', channel));
      if (!n) throw new Error(`input "${channel}": ${prefix} holds no files`);
      this.note(slot, `input ${channel}: ${n} file(s) from ${prefix}`);
    }
    const shims: [string, string][] = [['node', process.execPath]];
    if (findRuntime(t.runtime)?.kind === 'python') shims.push(['python', this.opts.python], ['python3', this.opts.python]);
    for (const [name, target] of shims) await fsp.symlink(target, path.join(dir, 'bin', name));
  }

  private async download(prefix: string, to: string): Promise<number> {
    const objects = await this.opts.blobs.list(prefix);
    for (const o of objects) {
      const rel = o.key === prefix ? path.posix.basename(o.key) : o.key.slice(prefix.length + 1);
      const file = path.join(to, ...rel.split('/'));
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await pipeline(await this.opts.blobs.get(o.key), fs.createWriteStream(file));
    }
    return objects.length;
  }

  private exec(slot: Slot): Promise<number | null> {
    const { t, dir } = slot;
    const threads = String(Math.max(1, Math.ceil(t.resources.cpuMillicores / 1000)));
    const inputVars = Object.fromEntries(
      Object.keys(t.inputs).map((c) => [`MODELDOCK_INPUT_${c.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`, path.join(dir, 'input', c)]),
    );
    const env: Record<string, string> = {
      PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: path.join(dir, 'tmp'),
      TMPDIR: path.join(dir, 'tmp'),
      LANG: process.env.LANG ?? 'C.UTF-8',
      PYTHONUNBUFFERED: '1',
      OMP_NUM_THREADS: threads,
      MKL_NUM_THREADS: threads,
      MODELDOCK_TASK: t.task,
      MODELDOCK_RUN: String(t.run),
      MODELDOCK_CPU_THREADS: threads,
      MODELDOCK_INPUT_DIR: path.join(dir, 'input'),
      MODELDOCK_OUTPUT_DIR: path.join(dir, 'output'),
      ...inputVars,
      ...this.opts.env,
      ...t.env,
      MODELDOCK_GUARD_GRACE_MS: '10000',
    };
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['-e', RUN_GUARD, '--', '/bin/sh', '-c', t.command], {
        cwd: path.join(dir, 'code'),
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      slot.child = child;
      child.stdin?.on('error', () => undefined);
      this.pipeLines(slot, child.stdout!, 'stdout');
      this.pipeLines(slot, child.stderr!, 'stderr');
      child.once('spawn', () => {
        slot.obs = { ...slot.obs, phase: 'Running', startedAt: new Date().toISOString() };
        this.note(slot, `running: ${t.command}`);
        this.emit(slot);
        this.watch(slot);
      });
      child.once('error', (e) => {
        this.note(slot, `could not start: ${e.message}`);
        resolve(127);
      });
      child.once('exit', (code, signal) => {
        clearInterval(slot.watch);
        resolve(code ?? (signal ? 128 + 9 : null));
      });
    });
  }

  /** Memory and timeout, checked every period over the whole process tree. */
  private watch(slot: Slot): void {
    const started = Date.now();
    const limit = slot.t.resources.memoryMiB;
    slot.watch = setInterval(() => {
      const pid = slot.child?.pid;
      if (!pid || slot.killedFor) return;
      const rss = treeRssMiB(pid);
      if (rss > limit) slot.killedFor = `OOMKilled: the run used ${Math.round(rss)} MiB, over its memory limit of ${limit} MiB`;
      else if (Date.now() - started > slot.t.timeoutMs) slot.killedFor = `timed out after ${Math.round(slot.t.timeoutMs / 1000)} s`;
      if (slot.killedFor) {
        this.note(slot, slot.killedFor);
        this.killTree(slot);
      }
    }, this.opts.watchPeriodMs ?? 500);
  }

  private killTree(slot: Slot): void {
    const pid = slot.child?.pid;
    if (!pid) return;
    for (const p of treePids(pid).reverse()) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }

  private pipeLines(slot: Slot, stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr'): void {
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (raw: string) => {
      const line = raw.length > MAX_LINE ? `${raw.slice(0, MAX_LINE)}… (${raw.length} chars)` : raw;
      if (name === 'stderr') {
        slot.stderrTail.push(line);
        if (slot.stderrTail.length > 5) slot.stderrTail.shift();
      }
      this.log(slot, name, line);
    });
  }

  /** Puts the output folder into the object store (clearing what an earlier attempt left). */
  private async storeOutput(slot: Slot): Promise<number> {
    const { blobs } = this.opts;
    const prefix = slot.t.outputPath;
    await blobs.deletePrefix(prefix);
    const files = await listFilesRecursive(path.join(slot.dir, 'output')).catch((e: { symlink?: string }) => {
      throw new Error(e.symlink ? `the output holds a symbolic link (${e.symlink}); write real files` : `could not read the output: ${String(e)}`);
    });
    for (const f of files) await blobs.put(`${prefix}/${f.path}`, fs.createReadStream(f.abs));
    return files.length;
  }

  private finish(slot: Slot, phase: RunPhase, reason?: string, exitCode?: number | null): void {
    clearInterval(slot.watch);
    if (reason && phase !== 'Succeeded') this.note(slot, `${phase.toLowerCase()}: ${reason}`);
    slot.obs = { ...slot.obs, phase, reason, exitCode: exitCode ?? null, finishedAt: new Date().toISOString() };
    void fsp.rm(slot.dir, { recursive: true, force: true }).catch(() => undefined);
    this.emit(slot);
    slot.end();
  }

  private note(slot: Slot, line: string): void {
    this.log(slot, 'system', line);
  }

  private log(slot: Slot, stream: RunLogLine['stream'], line: string): void {
    const l: RunLogLine = { runId: slot.t.runId, ts: new Date().toISOString(), stream, line };
    for (const fn of this.logListeners) fn(l);
  }

  private emit(slot: Slot): void {
    for (const fn of this.changeListeners) fn({ ...slot.obs });
  }
}

function isOver(p: RunPhase): boolean {
  return p === 'Succeeded' || p === 'Failed' || p === 'Stopped';
}

function exitReason(code: number | null, stderrTail: string[]): string {
  const last = stderrTail.filter((l) => l.trim()).slice(-1)[0];
  const what =
    code === null
      ? 'the command ended without an exit code'
      : code > 128
        ? `the command was killed (exit code ${code})`
        : `the command exited with code ${code}`;
  return last ? `${what}: ${last.trim().slice(0, 500)}` : what;
}
