/** The flags that describe a service version (create, add-version, update-version) → its JSON spec. */
import type { Command } from 'commander';
import { collect, CliError, parseTags } from '../output.js';

export interface VersionFlags {
  model: string;
  modelVersion: string;
  cpu: string;
  memory: string;
  gpu?: string;
  instances?: string;
  auto?: boolean;
  min?: string;
  max?: string;
  metric?: string;
  target?: string;
  idleToZeroMs?: string;
  env?: string[];
  batchSize?: string;
  batchDelayMs?: string;
  maxSurge?: string;
  maxUnavailable?: string;
  maxRps?: string;
  maxConcurrency?: string;
  logFile?: string;
  logUrl?: string;
  weight?: string;
  schedule?: string[];
  timeZone?: string;
}

export function addVersionFlags(cmd: Command): Command {
  return cmd
    .requiredOption('--model <name>', 'model to serve')
    .option('--model-version <v>', 'model version (v1, 1 or latest)', 'latest')
    .option('--cpu <millicores>', 'CPU per instance, in millicores', '1000')
    .option('--memory <MiB>', 'memory per instance, in MiB', '1024')
    .option('--gpu <n>', 'GPUs per instance')
    .option('--instances <n>', 'manual scaling: this many instances', '1')
    .option('--auto', 'automatic scaling (with --min, --max, --metric, --target)')
    .option('--min <n>', 'auto: fewest instances (0 scales to zero when idle)', '1')
    .option('--max <n>', 'auto: most instances', '3')
    .option('--metric <m>', 'auto: qps-per-instance | concurrency | cpu-util', 'concurrency')
    .option('--target <x>', 'auto: target value of the metric per instance', '4')
    .option('--idle-to-zero-ms <ms>', 'auto with --min 0: scale to zero after this long without calls')
    .option('--env <K=V>', 'environment variable for the instances (repeatable)', collect)
    .option('--batch-size <n>', 'dynamic batching: max batch size')
    .option('--batch-delay-ms <ms>', 'dynamic batching: max queue delay', '2')
    .option('--max-surge <n>', 'rolling update: extra instances allowed')
    .option('--max-unavailable <n>', 'rolling update: instances that may be down')
    .option('--max-rps <n>', 'per-instance limit: requests per second')
    .option('--max-concurrency <n>', 'per-instance limit: concurrent requests')
    .option('--log-file <path>', 'deliver logs as JSON lines to this file')
    .option('--log-url <url>', 'deliver logs as JSON lines to this HTTP endpoint')
    .option('--weight <0-100>', 'traffic weight of this version')
    .option('--schedule <rule>', 'auto: scheduled scaling, "<cron> min=N max=N" (one or both bounds), e.g. "0 9 * * 1-5 min=4" (repeatable)', collect)
    .option('--time-zone <tz>', 'with --schedule: the IANA time zone the crons are read in (default UTC), e.g. Asia/Shanghai');
}

const int = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CliError(`${flag} wants a number, got "${v}"`);
  return n;
};

export function versionSpec(o: VersionFlags): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    model: o.model,
    modelVersion: o.modelVersion,
    resources: { cpuMillicores: int(o.cpu, '--cpu'), memoryMiB: int(o.memory, '--memory'), ...(o.gpu ? { gpu: int(o.gpu, '--gpu') } : {}) },
    scaling: o.auto
      ? {
          mode: 'auto',
          minInstances: int(o.min, '--min'),
          maxInstances: int(o.max, '--max'),
          metric: o.metric,
          target: int(o.target, '--target'),
          ...(o.idleToZeroMs ? { idleToZeroMs: int(o.idleToZeroMs, '--idle-to-zero-ms') } : {}),
        }
      : { mode: 'manual', instances: int(o.instances, '--instances') },
  };
  const env = o.env?.length ? parseTags(o.env) : undefined;
  if (env) spec.env = env;
  if (o.batchSize) spec.batching = { maxBatchSize: int(o.batchSize, '--batch-size'), maxQueueDelayMs: int(o.batchDelayMs, '--batch-delay-ms') };
  if (o.maxSurge || o.maxUnavailable)
    spec.rollingUpdate = { maxSurge: int(o.maxSurge ?? '1', '--max-surge'), maxUnavailable: int(o.maxUnavailable ?? '0', '--max-unavailable') };
  if (o.maxRps || o.maxConcurrency)
    spec.limits = {
      ...(o.maxRps ? { maxRequestsPerSecond: int(o.maxRps, '--max-rps') } : {}),
      ...(o.maxConcurrency ? { maxConcurrency: int(o.maxConcurrency, '--max-concurrency') } : {}),
    };
  if (o.logFile) spec.logDelivery = { type: 'file', path: o.logFile };
  if (o.logUrl) spec.logDelivery = { type: 'http', url: o.logUrl };
  if (o.weight !== undefined) spec.weight = int(o.weight, '--weight');
  if (o.schedule?.length) spec.schedules = o.schedule.map((r) => scheduleRule(r, o.timeZone));
  else if (o.timeZone) throw new CliError('--time-zone goes with --schedule');
  return spec;
}

/** "0 9 * * 1-5 min=4 max=8" → {cron, minInstances, maxInstances, timeZone}: the trailing min=/max= are the bounds. */
export function scheduleRule(text: string, timeZone: string | undefined): Record<string, unknown> {
  const words = text.trim().split(/\s+/);
  const rule: Record<string, unknown> = {};
  while (words.length && /^(min|max)=/.test(words[words.length - 1]!)) {
    const [k, v] = words.pop()!.split('=') as [string, string];
    const n = Number(v);
    if (v === '' || !Number.isInteger(n) || n < 0) throw new CliError(`--schedule "${text}": ${k}= wants a whole number, got "${v}"`);
    rule[k === 'min' ? 'minInstances' : 'maxInstances'] = n;
  }
  if (!('minInstances' in rule) && !('maxInstances' in rule)) throw new CliError(`--schedule "${text}" ends with min=N and/or max=N, e.g. "0 9 * * 1-5 min=4"`);
  if (!words.length) throw new CliError(`--schedule "${text}" has no cron expression before its bounds`);
  return { cron: words.join(' '), ...(timeZone ? { timeZone } : {}), ...rule };
}
