/**
 * `modeldock batch create|list|get|stop|delete`: batch prediction jobs over the REST API.
 * `create --follow` (or `get --follow`) shows a progress bar (done / total, rate, ETA)
 * until the job ends, and exits 0 when it succeeded, 1 with the reason when it did not.
 */
import type { Command } from 'commander';
import type { BatchJob } from '../../contracts/batch.js';
import { isValidName, NAME_RULE } from '../../contracts/names.js';
import { contextOf, type CommandContext } from '../context.js';
import { collect, CliError, printFields, printJson, printTable, wide } from '../output.js';
import { itemsProgress } from '../progress.js';

const seg = encodeURIComponent;

interface CreateOpts {
  model: string;
  input: string;
  format?: string;
  output?: string;
  instances?: string;
  cpu?: string;
  memory?: string;
  gpu?: string;
  maxBatchSize?: string;
  maxQueueDelay?: string;
  concurrency?: string;
  recordsPerRequest?: string;
  maxErrorRatio?: string;
  env?: string[];
  resourceGroup?: string;
  description?: string;
  follow?: boolean;
}

export function register(program: Command): void {
  const batch = program
    .command('batch')
    .description('batch prediction jobs: a model version over a folder of images, a JSONL or a CSV file in the object store');

  batch
    .command('create <name>')
    .description('create a batch job; the results go beside the input (<input>.<name>.out/) unless --output')
    .requiredOption('--model <name:version>', 'the model version, e.g. mnist_train:v1')
    .requiredOption('--input <path>', 'a folder of images, or a .jsonl / .csv file, in the object store')
    .option('--format <format>', 'images, jsonl or csv (default: from the path)')
    .option('--output <path>', 'object-store folder for the results')
    .option('--instances <n>', 'instances of its own (default 1)')
    .option('--cpu <millicores>', 'CPU per instance (default 1000)')
    .option('--memory <MiB>', 'memory per instance (default 1024)')
    .option('--gpu <n>', 'GPUs per instance')
    .option('--max-batch-size <n>', 'dynamic batching: the most requests in one model call (default 16)')
    .option('--max-queue-delay <ms>', 'dynamic batching: how long a batch waits to fill (default 5)')
    .option('--concurrency <n>', 'requests in flight per instance (default 2 × max batch size)')
    .option('--records-per-request <n>', 'images format: this many images in one request, the answer split back (default 1)')
    .option('--max-error-ratio <share>', 'the job fails once more than this share of inputs failed (default 0.1)')
    .option('--env <KEY=VALUE>', 'an environment variable for the instances (repeatable)', collect)
    .option('--resource-group <name>', 'run on a resource group (prepaid)')
    .option('-d, --description <text>', 'job description')
    .option('-f, --follow', 'show progress until the job ends; exit 1 unless it succeeds')
    .action(async (name: string, o: CreateOpts, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (!isValidName(name)) throw new CliError(`batch job name "${name}" is invalid: ${NAME_RULE}`, 'INVALID_NAME');
      const job = await ctx.api.json<BatchJob>('POST', '/api/v1/batch-jobs', { json: specOf(name, o) });
      if (o.follow) return follow(ctx, name);
      if (ctx.json) printJson(job);
      else
        process.stdout.write(`batch job ${job.name} created: ${job.state}, results in ${job.output}/ (follow it with: modeldock batch get ${job.name} -f)\n`);
    });

  batch
    .command('list')
    .description('batch jobs, newest first')
    .option('--keyword <text>', 'names containing this')
    .option('--state <state>', 'Pending, Running, Succeeded, Failed or Stopped')
    .option('--limit <n>', 'at most n', '50')
    .action(async (o: { keyword?: string; state?: string; limit: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const page = await ctx.api.json<{ items: BatchJob[]; total: number }>('GET', '/api/v1/batch-jobs', {
        query: { keyword: o.keyword, state: o.state, limit: Number(o.limit) },
      });
      if (ctx.json) return printJson(page);
      printTable(
        ['NAME', 'STATE', 'MODEL', 'PROGRESS', 'FAILED', 'RATE/S', 'CREATED', wide('INPUT'), wide('OUTPUT'), 'REASON'],
        page.items.map((j) => [
          j.name,
          j.state,
          `${j.model}:${j.modelVersion}`,
          `${j.progress.done}/${j.progress.total ?? '?'}`,
          j.progress.failed,
          j.progress.ratePerSecond,
          j.createdAt,
          j.input.path,
          j.output,
          j.reason?.split('\n')[0],
        ]),
      );
    });

  batch
    .command('get <name>')
    .description('a batch job with its progress')
    .option('-f, --follow', 'show progress until the job ends; exit 1 unless it succeeds')
    .action(async (name: string, o: { follow?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (o.follow) return follow(ctx, name);
      const j = await ctx.api.json<BatchJob>('GET', `/api/v1/batch-jobs/${seg(name)}`);
      if (ctx.json) return printJson(j);
      const p = j.progress;
      printFields([
        ['name', j.name],
        ['state', j.reason ? `${j.state} (${j.reason})` : j.state],
        ['model', `${j.model}:${j.modelVersion} (${j.runtime})`],
        ['input', `${j.input.path} (${j.input.format})`],
        ['output', `${j.output}/ (results/part-*.jsonl, summary.json)`],
        ['progress', `${p.done}/${p.total ?? '?'}${p.percent !== null ? ` (${p.percent}%)` : ''}, ${p.succeeded} answered, ${p.failed} failed`],
        ['rate', p.ratePerSecond !== null ? `${p.ratePerSecond}/s${p.etaSeconds !== null ? `, ETA ${p.etaSeconds} s` : ''}` : '-'],
        [
          'instances',
          `${j.instances} × ${j.resources.cpuMillicores}m CPU, ${j.resources.memoryMiB} MiB; batching ${j.batching.maxBatchSize} / ${j.batching.maxQueueDelayMs} ms; ${j.concurrency} in flight each`,
        ],
        ['started', j.startedAt],
        ['finished', j.finishedAt],
      ]);
    });

  batch
    .command('stop <name>')
    .description('stop a job: what is done is kept')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const j = await ctx.api.json<BatchJob>('POST', `/api/v1/batch-jobs/${seg(name)}/actions`, { json: { action: 'stop' } });
      if (ctx.json) return printJson(j);
      process.stdout.write(`batch job ${j.name}: ${j.state} (stopping)\n`);
    });

  batch
    .command('delete <name>')
    .description('delete an ended job (its results stay in the object store)')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      await ctx.api.json('DELETE', `/api/v1/batch-jobs/${seg(name)}`);
      if (!ctx.json) process.stdout.write(`batch job ${name} deleted\n`);
    });
}

function specOf(name: string, o: CreateOpts): Record<string, unknown> {
  const m = /^([^:]+):(v?\d+)$/i.exec(o.model);
  if (!m) throw new CliError(`--model wants <name>:<version>, e.g. mnist_train:v1; got "${o.model}"`);
  const int = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new CliError(`${flag} wants a whole number, got "${v}"`);
    return n;
  };
  const spec: Record<string, unknown> = { name, model: m[1], modelVersion: m[2], input: { path: o.input, ...(o.format ? { format: o.format } : {}) } };
  if (o.output) spec.output = o.output;
  if (o.instances) spec.instances = int(o.instances, '--instances');
  if (o.cpu || o.memory || o.gpu)
    spec.resources = {
      cpuMillicores: int(o.cpu, '--cpu') ?? 1000,
      memoryMiB: int(o.memory, '--memory') ?? 1024,
      ...(o.gpu ? { gpu: int(o.gpu, '--gpu') } : {}),
    };
  if (o.maxBatchSize || o.maxQueueDelay)
    spec.batching = { maxBatchSize: int(o.maxBatchSize, '--max-batch-size') ?? 16, maxQueueDelayMs: int(o.maxQueueDelay, '--max-queue-delay') ?? 5 };
  if (o.concurrency) spec.concurrency = int(o.concurrency, '--concurrency');
  if (o.recordsPerRequest) spec.recordsPerRequest = int(o.recordsPerRequest, '--records-per-request');
  if (o.maxErrorRatio) spec.maxErrorRatio = Number(o.maxErrorRatio);
  const env: Record<string, string> = {};
  for (const kv of o.env ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new CliError(`--env wants KEY=VALUE, got "${kv}"`);
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  if (Object.keys(env).length) spec.env = env;
  if (o.resourceGroup) Object.assign(spec, { billingMode: 'prepaid', resourceGroup: o.resourceGroup });
  if (o.description) spec.description = o.description;
  return spec;
}

/** Polls the job, drawing its progress, until it ends. */
async function follow(ctx: CommandContext, name: string): Promise<void> {
  const bar = itemsProgress(`batch ${name}`);
  let j: BatchJob;
  for (;;) {
    j = await ctx.api.json<BatchJob>('GET', `/api/v1/batch-jobs/${seg(name)}`);
    const p = j.progress;
    const extra = [
      p.ratePerSecond !== null ? `${p.ratePerSecond}/s` : '',
      p.etaSeconds !== null && j.state === 'Running' ? `ETA ${p.etaSeconds}s` : '',
      p.failed ? `${p.failed} failed` : '',
      j.state === 'Pending' ? 'Pending' : '',
    ]
      .filter(Boolean)
      .join(' ');
    bar.set(p.done, p.total, extra);
    if (!['Pending', 'Running'].includes(j.state)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  bar.done();
  if (ctx.json) printJson(j);
  const p = j.progress;
  process.stderr.write(
    `batch job ${name}: ${j.state}${j.reason ? ` (${j.reason})` : ''}: ${p.succeeded} answered, ${p.failed} failed of ${p.total ?? '?'}; results in ${j.output}/\n`,
  );
  if (j.state !== 'Succeeded') throw new CliError(`batch job ${name} ${j.state}${j.reason ? `: ${j.reason}` : ''}`, `BATCH_JOB_${j.state.toUpperCase()}`);
}
