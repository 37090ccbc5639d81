/**
 * Training tasks (任务式建模): create (code copied into the object store), list, show,
 * stop, restart (a new run), delete, logs and outputs. Runs are started by the
 * TaskController; this class writes only what the user wants. It is also where the model
 * repository finds a task's output (TaskOutputs) when a version is imported from a task.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { DomainError } from '../contracts/errors.js';
import { isValidName, NAME_RULE } from '../contracts/names.js';
import { checkProcessString, checkTaskEnv } from '../contracts/process-input.js';
import type { Page } from '../contracts/resources.js';
import type { Task, TaskExample, TaskLogLine, TaskRunOutputs, TaskState } from '../contracts/tasks.js';
import { REPOSITORY_PREFIX, type SourceDeps, type TaskOutputs } from '../files/sources.js';
import type { StagingArea } from '../files/staging.js';
import { UploadSink } from '../files/upload.js';
import { findRuntime } from '../runtime-catalog/catalog.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import { safeKeyPrefix } from '../store/blobs/keys.js';
import { materializeMnist, MNIST_PREFIX } from './datasets/mnist.js';
import { listExamples } from './examples.js';
import { toRun, toTask } from './mapping.js';
import { isActive, isFinal } from './states.js';
import { storeCode } from './task-code.js';
import { runOutputPath, TASK_DEFAULTS, type TaskSpecInput } from './task-spec.js';
import type { RunRow, TaskRow, TasksRepo } from './tasks-repo.js';

export interface TaskManagerDeps {
  repo: TasksRepo;
  blobs: BlobStore;
  staging: StagingArea;
  config: Config;
  zipLimits: SourceDeps['zipLimits'];
  kick: () => void;
}

export class TaskManager implements TaskOutputs {
  constructor(private readonly deps: TaskManagerDeps) {}

  private get sourceDeps(): SourceDeps {
    return { blobs: this.deps.blobs, staging: this.deps.staging, importRoots: this.deps.config.importRoots, zipLimits: this.deps.zipLimits };
  }

  examples(): TaskExample[] {
    return listExamples();
  }

  /** Built-in datasets are written into the object store the first time they are wanted. */
  async ensureDatasets(): Promise<void> {
    await materializeMnist(this.deps.blobs);
  }

  async create(spec: TaskSpecInput): Promise<Task> {
    if (spec.code.type === 'upload')
      throw new DomainError('INVALID_ARGUMENT', 'code.type "upload" needs a multipart request with a "spec" field and the files', {
        fields: [{ field: 'code.type', message: 'use multipart for uploads' }],
      });
    return this.insert(await this.precheck(spec));
  }

  /** A multipart create: `fill` streams the files into the sink and returns the spec. */
  async createFromUpload(fill: (sink: UploadSink, precheck: (s: TaskSpecInput) => Promise<void>) => Promise<TaskSpecInput>): Promise<Task> {
    const dir = await this.deps.staging.create();
    try {
      const sink = new UploadSink(dir, this.deps.config.limits.maxUploadBytes);
      let checked: Checked | undefined;
      const spec = await fill(sink, async (s) => {
        if (s.code.type !== 'upload')
          throw new DomainError('INVALID_ARGUMENT', 'a multipart create needs code.type "upload"', {
            fields: [{ field: 'code.type', message: 'must be "upload"' }],
          });
        checked = await this.precheck(s);
      });
      if (!checked) checked = await this.precheck(spec);
      await sink.finish({ unzip: true, limits: this.deps.zipLimits });
      return await this.insert(checked, dir);
    } finally {
      await this.deps.staging.remove(dir);
    }
  }

  /** Every check that needs no code: fails before anything is copied or streamed. */
  private async precheck(spec: TaskSpecInput): Promise<Checked> {
    if (!isValidName(spec.name)) throw new DomainError('INVALID_NAME', `"${spec.name.slice(0, 80)}" is not a valid name: ${NAME_RULE}`);
    checkProcessString(spec.command, 'command');
    checkTaskEnv(spec.env, 'env');
    if (!findRuntime(spec.runtime))
      throw new DomainError('UNKNOWN_RUNTIME', `runtime "${spec.runtime}" is not in the catalog (GET /api/v1/runtimes lists them)`);
    if (await this.deps.repo.find(spec.name)) throw new DomainError('TASK_EXISTS', `task "${spec.name}" already exists`);
    const output = spec.output === undefined ? TASK_DEFAULTS.output(spec.name) : safeKeyPrefix(spec.output, 'output');
    if (!output)
      throw new DomainError('INVALID_PATH', 'output names the whole object store; name a folder', { fields: [{ field: 'output', message: 'name a folder' }] });
    if (output === REPOSITORY_PREFIX || output.startsWith(`${REPOSITORY_PREFIX}/`)) {
      throw new DomainError('FORBIDDEN', `"${REPOSITORY_PREFIX}/" is managed by the model repository; write task outputs elsewhere`, {
        fields: [{ field: 'output', message: 'outside models/' }],
      });
    }
    const inputs: Record<string, string> = {};
    for (const [channel, raw] of Object.entries(spec.inputs ?? {})) {
      const prefix = safeKeyPrefix(raw, `input "${channel}"`);
      if (!prefix)
        throw new DomainError('INVALID_PATH', `input "${channel}" names the whole object store; name a folder`, {
          fields: [{ field: `inputs.${channel}`, message: 'name a folder' }],
        });
      if (prefix === MNIST_PREFIX || prefix.startsWith(`${MNIST_PREFIX}/`)) await this.ensureDatasets();
      if (!(await this.deps.blobs.list(prefix)).length) {
        throw new DomainError('SOURCE_NOT_FOUND', `input "${channel}": storage path "${prefix}" holds no files`, {
          fields: [{ field: `inputs.${channel}`, message: 'holds no files' }],
        });
      }
      inputs[channel] = prefix;
    }
    return { spec, output, inputs };
  }

  private async insert(c: Checked, stagedDir?: string): Promise<Task> {
    const { spec } = c;
    const codePath = `tasks/${spec.name}/code-${randomUUID().slice(0, 8)}`;
    await storeCode(this.sourceDeps, spec.code, codePath, stagedDir);
    let created;
    try {
      created = await this.deps.repo.create(
        {
          name: spec.name,
          description: spec.description ?? '',
          runtime: spec.runtime,
          code: JSON.stringify({ ...spec.code, path: codePath }),
          command: spec.command,
          inputs: JSON.stringify(c.inputs),
          output: c.output,
          env: JSON.stringify(spec.env ?? {}),
          resources: JSON.stringify(spec.resources ?? TASK_DEFAULTS.resources),
          timeout_ms: spec.timeoutMs ?? TASK_DEFAULTS.timeoutMs,
          tags: JSON.stringify(spec.tags ?? {}),
        },
        (run) => runOutputPath(c.output, run),
      );
    } catch (e) {
      await this.deps.blobs.deletePrefix(codePath).catch(() => undefined);
      throw e;
    }
    this.deps.kick();
    return toTask(created.task, created.run);
  }

  async list(q: { offset?: number; limit?: number; keyword?: string; state?: TaskState }): Promise<Page<Task>> {
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 50;
    const { items, total } = await this.deps.repo.list({ offset, limit, keyword: q.keyword, state: q.state });
    const latest = await this.deps.repo.latestRuns(items.map((t) => t.id));
    return { items: items.filter((t) => latest.has(t.id)).map((t) => toTask(t, latest.get(t.id)!)), total, offset, limit };
  }

  async get(name: string): Promise<Task> {
    const t = await this.deps.repo.get(name);
    const runs = await this.deps.repo.runs(t.id);
    return toTask(t, runs[runs.length - 1]!, runs);
  }

  async stop(name: string): Promise<Task> {
    const { task, run } = await this.latest(name);
    if (isFinal(run.state as TaskState))
      throw new DomainError('TASK_FINISHED', `run ${run.run} of task "${name}" has already ended (${run.state}); there is nothing to stop`);
    await this.deps.repo.requestStop(run.id);
    this.deps.kick();
    return this.get(task.name);
  }

  /** A new run of the same code and settings (TI-ONE's 重启). */
  async restart(name: string): Promise<Task> {
    const { task, run } = await this.latest(name);
    if (isActive(run.state as TaskState))
      throw new DomainError('TASK_RUNNING', `run ${run.run} of task "${name}" is ${run.state}; stop it or wait for it to end`);
    await this.deps.repo.addRun(task.id, (n) => runOutputPath(task.output, n));
    this.deps.kick();
    return this.get(task.name);
  }

  async delete(name: string): Promise<void> {
    const { task, run } = await this.latest(name);
    if (isActive(run.state as TaskState))
      throw new DomainError('TASK_RUNNING', `run ${run.run} of task "${name}" is ${run.state}; stop it before deleting the task`);
    await this.deps.repo.delete(task.id);
    const code = JSON.parse(task.code) as { path: string };
    await this.deps.blobs.deletePrefix(code.path).catch(() => undefined);
    // Outputs in the task's own folder go with it; a folder the user named is theirs.
    if (task.output === TASK_DEFAULTS.output(task.name)) await this.deps.blobs.deletePrefix(task.output).catch(() => undefined);
  }

  async logs(
    name: string,
    q: { run?: number; after?: number; limit?: number; keyword?: string },
  ): Promise<{ run: number; items: TaskLogLine[]; cursor: number; done: boolean }> {
    const { run } = await this.runOf(name, q.run);
    const limit = q.limit ?? 500;
    const rows =
      q.after === undefined && !q.keyword ? await this.deps.repo.tailLogs(run.id, limit) : await this.deps.repo.logs(run.id, q.after ?? 0, limit, q.keyword);
    const cursor = rows.length ? rows[rows.length - 1]!.seq : (q.after ?? 0);
    const items = rows.map((r) => ({ seq: r.seq, ts: r.ts, run: run.run, stream: r.stream as TaskLogLine['stream'], line: r.line }));
    const done = isFinal(run.state as TaskState) && rows.length < limit;
    return { run: run.run, items, cursor, done };
  }

  async outputs(name: string, runNo?: number): Promise<TaskRunOutputs> {
    const { run } = await this.runOf(name, runNo);
    const objects = await this.deps.blobs.list(run.output_path);
    return {
      run: run.run,
      state: run.state as TaskState,
      path: run.output_path,
      items: objects.map((o) => ({ path: o.key.slice(run.output_path.length + 1), size: o.size, storagePath: o.key })),
    };
  }

  /** TaskOutputs: the output folder of a run that succeeded (the latest such run by default). */
  async resolve(task: string, runRef?: string): Promise<{ prefix: string; run: string; metrics?: Record<string, unknown> }> {
    const t = await this.deps.repo.get(task);
    const runs = await this.deps.repo.runs(t.id);
    let run: RunRow | undefined;
    if (runRef !== undefined) {
      run = runs.find((r) => String(r.run) === runRef.replace(/^run-?/i, ''));
      if (!run) throw new DomainError('TASK_RUN_NOT_FOUND', `task "${task}" has no run "${runRef}"`);
      if (run.state !== 'Succeeded')
        throw new DomainError(
          'TASK_NOT_SUCCEEDED',
          `run ${run.run} of task "${task}" is ${run.state}${run.reason ? ` (${run.reason})` : ''}; only a run that succeeded can be imported`,
        );
    } else {
      run = [...runs].reverse().find((r) => r.state === 'Succeeded');
      const last = runs[runs.length - 1]!;
      if (!run)
        throw new DomainError(
          'TASK_NOT_SUCCEEDED',
          `task "${task}" has no run that succeeded (run ${last.run} is ${last.state}${last.reason ? `: ${last.reason}` : ''})`,
        );
    }
    if (!(await this.deps.blobs.list(run.output_path)).length)
      throw new DomainError('SOURCE_NOT_FOUND', `run ${run.run} of task "${task}" wrote no output (${run.output_path}/ is empty)`);
    const r = toRun(run);
    return { prefix: run.output_path, run: String(run.run), ...(r.metrics ? { metrics: r.metrics } : {}) };
  }

  private async latest(name: string): Promise<{ task: TaskRow; run: RunRow }> {
    const task = await this.deps.repo.get(name);
    const runs = await this.deps.repo.runs(task.id);
    return { task, run: runs[runs.length - 1]! };
  }

  private async runOf(name: string, runNo?: number): Promise<{ task: TaskRow; run: RunRow }> {
    const task = await this.deps.repo.get(name);
    if (runNo === undefined) return this.latest(name);
    const run = await this.deps.repo.run(task.id, runNo);
    if (!run) throw new DomainError('TASK_RUN_NOT_FOUND', `task "${name}" has no run ${runNo}`);
    return { task, run };
  }
}

interface Checked {
  spec: TaskSpecInput;
  output: string;
  inputs: Record<string, string>;
}
