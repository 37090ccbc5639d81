/**
 * Python environments for model packages that bring a `requirements.txt`: a venv made with
 * `--system-site-packages` from the runtime's interpreter (Debian's /usr/bin/python3 with
 * torch), so the base's packages stay visible and only what the base lacks is installed.
 *
 * One environment per (runtime, requirements file) key, shared by every version with the
 * same file, built once: requests for a key that is building wait on the same build, and
 * a finished environment is renamed into place in one step (`<root>/<key>`), so another
 * platform process never sees half of one. When the base already has every requirement no
 * environment is made and the base interpreter is used (no download, works offline).
 *
 * pip reads its own variables (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS,
 * PIP_NO_INDEX, …) from the environment it is given: the platform's, so an offline wheel
 * folder or a mirror works as pip users expect.
 */
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { inheritedEnv } from '../backends/local/child-env.js';
import { PYTHON_DIR } from '../instance/runtimes/python-worker.js';

export type EnvState =
  | { state: 'building'; key: string }
  | { state: 'ready'; key: string; python: string; venv: boolean; note: string }
  | { state: 'failed'; key: string; reason: string };

export interface PythonEnvsOptions {
  /** where environments live (the platform's data dir / python-envs) */
  root: string;
  /** the runtime's interpreter */
  basePython: string;
  /** the environment pip runs with (PIP_* pass through); default the platform's, less its secrets */
  env?: NodeJS.ProcessEnv;
  /** a pip run longer than this fails (default 15 min) */
  installTimeoutMs?: number;
}

interface Plan {
  install: string[];
  options: string[];
  found: { requirement: string; module: string; version?: string }[];
}

type Listener = (line: string) => void;

const TAIL_LINES = 25;

export function envKey(runtimeId: string, requirementsSha256: string): string {
  return createHash('sha256').update(`${runtimeId}\0${requirementsSha256}`).digest('hex').slice(0, 20);
}

export class PythonEnvs {
  private readonly known = new Map<string, EnvState & { at: number }>();
  /** key → listener id → listener: a caller asking again while a build runs is not added twice */
  private readonly listeners = new Map<string, Map<string, Listener>>();
  private readonly builds = new Map<string, Promise<void>>();

  constructor(private readonly opts: PythonEnvsOptions) {}

  /**
   * The environment for a requirements file: answers at once (`building` the first time,
   * with the build started in the background); `onLine` hears the build's progress.
   * `read` is called only when a build starts. One listener per `listenerId`. A failed
   * build stays failed until a caller asks with `retryFailed` (or the process restarts).
   */
  ensure(key: string, read: () => Promise<Buffer>, onLine?: Listener, listenerId = '', retryFailed = false): EnvState {
    const k = this.known.get(key);
    if (k && !(k.state === 'failed' && retryFailed)) {
      if (k.state === 'building' && onLine) this.listeners.get(key)?.set(listenerId, onLine);
      return strip(k);
    }
    this.known.set(key, { state: 'building', key, at: Date.now() });
    this.listeners.set(key, new Map(onLine ? [[listenerId, onLine]] : []));
    const done = this.build(key, read).then(
      (s) => this.settle(key, s),
      (e: Error) => this.settle(key, { state: 'failed', key, reason: `DEPENDENCY_INSTALL_FAILED: ${e.message}` }),
    );
    this.builds.set(key, done);
    return { state: 'building', key };
  }

  /** Resolves once the key's build (if any) has finished (tests, shutdown). */
  async settled(key: string): Promise<EnvState | undefined> {
    await this.builds.get(key);
    const k = this.known.get(key);
    return k && strip(k);
  }

  /** Called when a build finishes (the reconciler looks again). */
  onSettled?: (key: string) => void;

  private settle(key: string, s: EnvState): void {
    this.known.set(key, { ...s, at: Date.now() });
    this.listeners.delete(key);
    this.onSettled?.(key);
  }

  private emit(key: string, line: string): void {
    for (const l of this.listeners.get(key)?.values() ?? []) l(line);
  }

  private async build(key: string, read: () => Promise<Buffer>): Promise<EnvState> {
    const final = path.join(this.opts.root, key);
    const python = path.join(final, 'bin', 'python');
    if (fs.existsSync(path.join(final, 'modeldock-env.json'))) return { state: 'ready', key, python, venv: true, note: `environment ${key} (built before)` };
    const work = path.join(this.opts.root, `.tmp-${key}-${randomUUID().slice(0, 8)}`);
    await fs.promises.mkdir(work, { recursive: true });
    try {
      const reqFile = path.join(work, 'requirements.txt');
      await fs.promises.writeFile(reqFile, await read());
      const plan = await this.plan(reqFile);
      if (!plan.install.length) {
        const found = plan.found.map((f) => f.requirement).join(', ');
        return {
          state: 'ready',
          key,
          python: this.opts.basePython,
          venv: false,
          note: `requirements.txt is met by the runtime's Python (${found || 'nothing to install'}): no environment needed`,
        };
      }
      this.emit(
        key,
        `installing ${plan.install.join(', ')} into a Python environment over ${this.opts.basePython} (${key}); already there: ${plan.found.map((f) => f.requirement).join(', ') || 'none'}`,
      );
      const started = Date.now();
      await this.run(key, this.opts.basePython, ['-m', 'venv', '--system-site-packages', '--without-pip', work], 'python -m venv');
      const install = path.join(work, 'install.txt');
      await fs.promises.writeFile(install, [...plan.options, ...plan.install].join('\n') + '\n');
      await this.run(
        key,
        path.join(work, 'bin', 'python'),
        ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off', '-r', install],
        'pip install',
      );
      await fs.promises.writeFile(
        path.join(work, 'modeldock-env.json'),
        JSON.stringify({ key, basePython: this.opts.basePython, installed: plan.install, options: plan.options, builtAt: new Date().toISOString() }, null, 2),
      );
      await this.moveIntoPlace(work, final);
      return {
        state: 'ready',
        key,
        python,
        venv: true,
        note: `installed ${plan.install.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s (environment ${key})`,
      };
    } finally {
      await fs.promises.rm(work, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** The venv's scripts name its own folder: it is built where it will live, under a temp name, then renamed. */
  private async moveIntoPlace(work: string, final: string): Promise<void> {
    // venv writes absolute paths (pyvenv.cfg's home is the base's; bin/activate names the folder);
    // bin/python is a symlink to the base interpreter and works from any folder.
    try {
      await fs.promises.rename(work, final);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && fs.existsSync(path.join(final, 'modeldock-env.json'))) return; // another process finished first
      throw e;
    }
  }

  private async plan(reqFile: string): Promise<Plan> {
    const out: string[] = [];
    await this.run('', this.opts.basePython, ['-m', 'modeldock_worker.requirements', reqFile], 'reading requirements.txt', (l) => out.push(l), {
      PYTHONPATH: PYTHON_DIR,
    });
    return JSON.parse(out.join('\n')) as Plan;
  }

  /** Runs a step; its output lines go to the key's listeners; a failure throws with the tail. */
  private run(key: string, cmd: string, args: string[], what: string, onOut?: (l: string) => void, extraEnv: Record<string, string> = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      const tail: string[] = [];
      const env = { ...(this.opts.env ?? inheritedEnv()), ...extraEnv, PYTHONDONTWRITEBYTECODE: '1', PIP_NO_INPUT: '1' };
      const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const timeoutMs = this.opts.installTimeoutMs ?? 15 * 60_000;
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const line = (l: string) => {
        tail.push(l);
        if (tail.length > TAIL_LINES) tail.shift();
        if (key) this.emit(key, l);
      };
      readline.createInterface({ input: child.stdout! }).on('line', (l) => (onOut ? onOut(l) : line(l)));
      readline.createInterface({ input: child.stderr! }).on('line', line);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`${what} could not start ${cmd}: ${e.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) return resolve();
        const how =
          signal === 'SIGKILL' ? `was stopped after ${Math.round(timeoutMs / 1000)} s` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
        reject(new Error(`${what} ${how}${tail.length ? `:\n${tail.join('\n')}` : ''}`));
      });
    });
  }
}

function strip<T extends EnvState>(s: T & { at?: number }): EnvState {
  const { at: _at, ...rest } = s;
  return rest as EnvState;
}
