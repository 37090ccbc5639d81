/**
 * `modeldock tasks create|list|show|logs|stop|restart|delete|outputs|examples`: training
 * tasks over the REST API. `create --follow` (or `logs -f`) prints the run's lines as
 * they come and exits 0 when it succeeds, 1 with the reason when it does not.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { isValidName, NAME_RULE } from '../../contracts/names.js';
import type { Task, TaskExample, TaskLogLine } from '../../contracts/tasks.js';
import type { ApiClient } from '../client.js';
import { contextOf, type CommandContext } from '../context.js';
import { oneFile, walkDir } from '../local-files.js';
import { multipartBody } from '../multipart.js';
import { collect, CliError, printFields, printJson, printTable, wide } from '../output.js';
import { printStreamItem } from '../stream-output.js';
import { formatBytes, progress } from '../progress.js';

const seg = encodeURIComponent;

interface CreateOpts {
  example?: string;
  dir?: string;
  zip?: string;
  path?: string;
  runtime?: string;
  command?: string;
  input?: string[];
  output?: string;
  env?: string[];
  cpu?: string;
  memory?: string;
  timeout?: string;
  description?: string;
  follow?: boolean;
}

export function register(program: Command): void {
  const tasks = program.command('tasks').description('training tasks: run a script on data in the object store, keep its output');

  tasks
    .command('create <name>')
    .description('create a task and start its first run')
    .option('--example <name>', 'built-in example code (see `modeldock tasks examples`); fills runtime, command and inputs')
    .option('--dir <folder>', 'upload this local folder as the code')
    .option('--zip <file>', 'upload this zip as the code')
    .option('--path <path>', 'code from a folder or zip in the object store')
    .option('--runtime <id>', 'runtime environment id (see `modeldock runtimes`)')
    .option('--command <cmd>', 'run in the code folder with /bin/sh -c, e.g. "python train.py --epochs 3"')
    .option('--input <channel=path>', 'an input folder from the object store, found at $MODELDOCK_INPUT_<CHANNEL> (repeatable)', collect)
    .option('--output <path>', 'object-store folder for outputs (default tasks/<name>)')
    .option('--env <KEY=VALUE>', 'an environment variable (repeatable)', collect)
    .option('--cpu <millicores>', 'CPU for the run, e.g. 2000')
    .option('--memory <MiB>', 'memory limit for the run, e.g. 4096')
    .option('--timeout <seconds>', 'stop the run after this long (default 3600)')
    .option('-d, --description <text>', 'task description')
    .option('-f, --follow', "print the run's log until it ends; exit 1 unless it succeeds")
    .action(async (name: string, o: CreateOpts, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (!isValidName(name)) throw new CliError(`task name "${name}" is invalid: ${NAME_RULE}`, 'INVALID_NAME');
      const { spec, files } = await planCreate(ctx.api, name, o);
      let task: Task;
      if (files) {
        const mp = multipartBody([{ name: 'spec', value: JSON.stringify(spec) }], files);
        const bar = progress(
          `uploading ${files.length} file(s)`,
          files.reduce((n, f) => n + f.size, 0),
        );
        try {
          task = await ctx.api.json<Task>('POST', '/api/v1/tasks', {
            body: { stream: mp.stream((n) => bar.add(n)), length: mp.length, contentType: mp.contentType },
          });
        } finally {
          bar.done();
        }
      } else task = await ctx.api.json<Task>('POST', '/api/v1/tasks', { json: spec });
      if (!o.follow) {
        if (ctx.json) printJson(task);
        else
          process.stdout.write(`task ${task.name} created: run ${task.latestRun.run} ${task.state} (follow it with: modeldock tasks logs ${task.name} -f)\n`);
        return;
      }
      await follow(ctx, name, undefined, undefined);
    });

  tasks
    .command('list')
    .description('tasks with the state of their latest run')
    .option('--keyword <text>', 'names containing this')
    .option('--state <state>', 'Pending, Starting, Running, Succeeded, Failed or Stopped')
    .option('--limit <n>', 'at most n', '50')
    .action(async (o: { keyword?: string; state?: string; limit: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const page = await ctx.api.json<{ items: Task[]; total: number }>('GET', '/api/v1/tasks', {
        query: { keyword: o.keyword, state: o.state, limit: Number(o.limit) },
      });
      if (ctx.json) return printJson(page);
      printTable(
        ['NAME', 'STATE', 'RUN', 'RUNTIME', 'CREATED', wide('CODE'), wide('OUTPUT'), wide('COMMAND'), 'REASON'],
        page.items.map((t) => [t.name, t.state, t.latestRun.run, t.runtime, t.createdAt, t.code.type, t.output, t.command, t.reason?.split('\n')[0]]),
      );
    });

  tasks
    .command('show <name>')
    .description('a task, its runs and their metrics')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const t = await ctx.api.json<Task>('GET', `/api/v1/tasks/${seg(name)}`);
      if (ctx.json) return printJson(t);
      printFields([
        ['name', t.name],
        ['state', t.reason ? `${t.state} (${t.reason})` : t.state],
        ['runtime', t.runtime],
        ['code', t.code.type === 'example' ? `example ${t.code.name}` : t.code.type === 'storage' ? `storage ${t.code.path}` : 'upload'],
        ['command', t.command],
        [
          'inputs',
          Object.entries(t.inputs)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || '-',
        ],
        ['output', `${t.output}/run-<n>`],
        ['resources', `${t.resources.cpuMillicores}m CPU, ${t.resources.memoryMiB} MiB, timeout ${Math.round(t.timeoutMs / 1000)} s`],
      ]);
      process.stdout.write('\n');
      printTable(
        ['RUN', 'STATE', 'STARTED', 'FINISHED', 'EXIT', 'METRICS', 'REASON'],
        (t.runs ?? []).map((r) => [
          r.run,
          r.state,
          r.startedAt,
          r.finishedAt,
          r.exitCode,
          r.metrics ? JSON.stringify(r.metrics) : null,
          r.reason?.split('\n')[0],
        ]),
      );
    });

  tasks
    .command('logs <name>')
    .description("a run's log lines (the latest run unless --run)")
    .option('-f, --follow', 'keep printing until the run ends; exit 1 unless it succeeds')
    .option('--run <n>', 'which run')
    .option('--limit <n>', 'last n lines', '500')
    .action(async (name: string, o: { follow?: boolean; run?: string; limit: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (o.follow) return follow(ctx, name, o.run ? Number(o.run) : undefined, Number(o.limit));
      const r = await ctx.api.json<{ items: TaskLogLine[] }>('GET', `/api/v1/tasks/${seg(name)}/logs`, { query: { run: o.run, limit: Number(o.limit) } });
      for (const l of r.items) printLine(ctx, l);
    });

  for (const action of ['stop', 'restart'] as const) {
    tasks
      .command(`${action} <name>`)
      .description(action === 'stop' ? 'stop the running run' : 'start a new run with the same code and settings')
      .action(async (name: string, _o: unknown, cmd: Command) => {
        const ctx = contextOf(cmd);
        const t = await ctx.api.json<Task>('POST', `/api/v1/tasks/${seg(name)}/actions`, { json: { action } });
        if (ctx.json) return printJson(t);
        process.stdout.write(`task ${t.name}: run ${t.latestRun.run} ${t.state}${action === 'stop' ? ' (stopping)' : ''}\n`);
      });
  }

  tasks
    .command('delete <name>')
    .description('delete a task that is not running, with its code and logs')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      await ctx.api.json('DELETE', `/api/v1/tasks/${seg(name)}`);
      if (!ctx.json) process.stdout.write(`task ${name} deleted\n`);
    });

  tasks
    .command('outputs <name>')
    .description('files a run wrote (download with `modeldock storage get <storage path>`)')
    .option('--run <n>', 'which run (default the latest)')
    .action(async (name: string, o: { run?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const r = await ctx.api.json<{ run: number; path: string; items: { path: string; size: number; storagePath: string }[] }>(
        'GET',
        `/api/v1/tasks/${seg(name)}/outputs`,
        { query: { run: o.run } },
      );
      if (ctx.json) return printJson(r);
      printTable(
        ['FILE', 'SIZE', 'STORAGE PATH'],
        r.items.map((f) => [f.path, formatBytes(f.size), f.storagePath]),
      );
    });

  tasks
    .command('examples')
    .description('built-in example code for tasks')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { items } = await ctx.api.json<{ items: TaskExample[] }>('GET', '/api/v1/task-examples');
      if (ctx.json) return printJson({ items });
      printTable(
        ['NAME', 'RUNTIME', 'COMMAND', 'INPUTS', 'DESCRIPTION'],
        items.map((e) => [
          e.name,
          e.runtime,
          e.command,
          Object.entries(e.inputs)
            .map(([k, v]) => `${k}=${v}`)
            .join(', '),
          e.description,
        ]),
      );
    });
}

async function planCreate(api: ApiClient, name: string, o: CreateOpts) {
  const given = [o.example && '--example', o.dir && '--dir', o.zip && '--zip', o.path && '--path'].filter(Boolean);
  if (given.length !== 1)
    throw new CliError(
      given.length ? `give only one of ${given.join(', ')}` : 'say where the code is: --example <name>, --dir <folder>, --zip <file> or --path <storage path>',
    );
  let example: TaskExample | undefined;
  if (o.example) {
    const { items } = await api.json<{ items: TaskExample[] }>('GET', '/api/v1/task-examples');
    example = items.find((e) => e.name === o.example);
    if (!example) throw new CliError(`no built-in example "${o.example}"; there are: ${items.map((e) => e.name).join(', ')}`, 'EXAMPLE_NOT_FOUND');
  }
  const runtime = o.runtime ?? example?.runtime;
  const command = o.command ?? example?.command;
  if (!runtime) throw new CliError('give --runtime (see `modeldock runtimes`)');
  if (!command) throw new CliError('give --command, e.g. "python train.py"');
  const inputs = { ...(example?.inputs ?? {}), ...pairs(o.input, '--input', 'channel=path') };
  const env = pairs(o.env, '--env', 'KEY=VALUE');
  const spec: Record<string, unknown> = {
    name,
    runtime,
    command,
    code: o.example ? { type: 'example', name: o.example } : o.path ? { type: 'storage', path: o.path } : { type: 'upload' },
  };
  if (Object.keys(inputs).length) spec.inputs = inputs;
  if (Object.keys(env).length) spec.env = env;
  if (o.output) spec.output = o.output;
  if (o.description) spec.description = o.description;
  if (o.timeout) spec.timeoutMs = Math.round(Number(o.timeout) * 1000);
  if (o.cpu || o.memory) spec.resources = { cpuMillicores: Number(o.cpu ?? 2000), memoryMiB: Number(o.memory ?? 4096) };
  let files;
  if (o.dir) {
    files = await walkDir(o.dir);
    if (!files.length) throw new CliError(`${o.dir} is empty: no code to upload`);
  } else if (o.zip) files = [await oneFile(o.zip, path.basename(o.zip))];
  return { spec, files };
}

function pairs(list: string[] | undefined, flag: string, form: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const i = item.indexOf('=');
    if (i <= 0) throw new CliError(`${flag} wants ${form}, got "${item}"`);
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

function printLine(ctx: CommandContext, l: TaskLogLine): void {
  printStreamItem(l, ctx.output, (wide) => {
    const text = l.stream === 'system' ? `[modeldock] ${l.line}` : l.line;
    return wide ? `${l.seq} ${l.ts} run ${l.run} ${l.stream}: ${text}` : text;
  });
}

/** Prints a run's lines as they come until it has ended and every line is read. */
async function follow(ctx: CommandContext, name: string, run: number | undefined, limit = 500): Promise<void> {
  let after: number | undefined;
  let runNo = run;
  for (;;) {
    const r = await ctx.api.json<{ run: number; items: TaskLogLine[]; cursor: number; done: boolean }>('GET', `/api/v1/tasks/${seg(name)}/logs`, {
      query: { run: runNo, after, limit: after === undefined ? limit : 1000 },
    });
    runNo = r.run;
    for (const l of r.items) printLine(ctx, l);
    after = r.cursor;
    if (r.done) break;
    if (!r.items.length) await new Promise((res) => setTimeout(res, 500));
  }
  const t = await ctx.api.json<Task>('GET', `/api/v1/tasks/${seg(name)}`);
  const last = t.runs?.find((x) => x.run === runNo) ?? t.latestRun;
  const metrics = last.metrics ? ` ${JSON.stringify(last.metrics)}` : '';
  process.stderr.write(`task ${name} run ${last.run}: ${last.state}${last.reason ? ` (${last.reason})` : ''}${metrics}\n`);
  if (last.state !== 'Succeeded')
    throw new CliError(`task ${name} run ${last.run} ${last.state}${last.reason ? `: ${last.reason}` : ''}`, `TASK_${last.state.toUpperCase()}`);
}
