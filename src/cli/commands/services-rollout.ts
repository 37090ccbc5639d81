/**
 * `modeldock services rollout start|status|pause|resume|promote|abort` (docs/rollout.md):
 * progressive rollouts from the CLI; `status --watch` redraws the steps and both versions'
 * guardrail figures until the rollout finishes. -o json/yaml prints the Rollout as the API answers.
 */
import type { Command } from 'commander';
import { FINISHED_PHASES, type Rollout, type RolloutAction, type VersionFigures } from '../../contracts/rollouts.js';
import { contextOf, type CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { CliError, printFields, printJson, printTable } from '../output.js';

const seg = encodeURIComponent;

type StartFlags = {
  to?: string;
  model?: string;
  modelVersion: string;
  cpu: string;
  memory: string;
  instances: string;
  policy: string;
  weight?: string;
  bake?: string;
  stepWeight?: string;
  step?: string;
  window?: string;
  minCalls?: string;
  maxErrorIncrease?: string;
  p99Ratio?: string;
  p99ToleranceMs?: string;
  p99MaxMs?: string;
  metric?: string;
  metricMax?: string;
  metricRatio?: string;
  paused?: boolean;
  watch?: boolean;
};

/** "90s", "5m", "1h", "1500ms" or plain milliseconds → milliseconds. */
export function durationMs(text: string, flag: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new CliError(`${flag} takes a duration such as 30s, 5m or 1500ms, not "${text}"`);
  const n = Number(m[1]) * ({ ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const)[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(n);
}

const num = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(String(v).replace(/%$/, ''));
  if (!Number.isFinite(n) || String(v).trim() === '') throw new CliError(`${flag} wants a number, got "${v}"`);
  return n;
};

/** The POST body of `rollout start` from its flags. */
export function startBody(o: StartFlags): Record<string, unknown> {
  if ((o.to === undefined) === (o.model === undefined))
    throw new CliError('name what to roll out: --to <version> (an existing version) or --model <name> (a new version), one of them');
  const policy =
    o.policy === 'canary'
      ? { type: 'canary', weight: num(o.weight ?? '10', '--weight'), bakeMs: durationMs(o.bake ?? '5m', '--bake') }
      : o.policy === 'linear'
        ? { type: 'linear', stepWeight: num(o.stepWeight ?? '20', '--step-weight'), stepMs: durationMs(o.step ?? '2m', '--step') }
        : o.policy === 'all-at-once'
          ? { type: 'all-at-once', bakeMs: durationMs(o.bake ?? '5m', '--bake') }
          : undefined;
  if (!policy) throw new CliError(`--policy takes canary, linear or all-at-once, not "${o.policy}"`);
  const p99 = { maxRatio: num(o.p99Ratio, '--p99-ratio'), toleranceMs: num(o.p99ToleranceMs, '--p99-tolerance-ms'), maxMs: num(o.p99MaxMs, '--p99-max-ms') };
  const guardrails = {
    ...(o.window ? { windowMs: durationMs(o.window, '--window') } : {}),
    ...(o.minCalls ? { minCalls: num(o.minCalls, '--min-calls') } : {}),
    ...(o.maxErrorIncrease ? { errorRate: { maxIncrease: num(o.maxErrorIncrease, '--max-error-increase') } } : {}),
    ...(Object.values(p99).some((v) => v !== undefined) ? { p99: JSON.parse(JSON.stringify(p99)) as object } : {}),
    ...(o.metric
      ? {
          metric: {
            name: o.metric,
            ...(o.metricMax ? { max: num(o.metricMax, '--metric-max') } : {}),
            ...(o.metricRatio ? { maxRatio: num(o.metricRatio, '--metric-ratio') } : {}),
          },
        }
      : {}),
  };
  const version = o.model
    ? {
        model: o.model,
        modelVersion: o.modelVersion,
        resources: { cpuMillicores: num(o.cpu, '--cpu'), memoryMiB: num(o.memory, '--memory') },
        scaling: { mode: 'manual', instances: num(o.instances, '--instances') },
      }
    : undefined;
  return { ...(o.to ? { target: o.to } : { version }), policy, guardrails, ...(o.paused ? { paused: true } : {}) };
}

const pct = (x: number | null) => (x === null ? '-' : `${Math.round(x * 10_000) / 100}%`);
const ms = (x: number | null) => (x === null ? '-' : `${x} ms`);
const secs = (n: number) => (n % 1000 === 0 ? `${n / 1000}s` : `${n}ms`);

/** The reader's view: phase and decision, the steps, then the two versions side by side. */
export function printRollout(r: Rollout): void {
  const st = r.status;
  printFields([
    ['service', r.service],
    ['rollout', `version ${r.baseline.version} → ${r.spec.target} (${r.spec.policy.type})`],
    ['phase', st.phase],
    ['weights', `version ${r.spec.target}: ${st.weights.target}, version ${r.baseline.version}: ${st.weights.baseline}`],
    ['decision', st.message],
    ...(st.breach ? ([['breach', `${st.breach.guardrail}: ${st.breach.message}`]] as [string, string][]) : []),
  ]);
  process.stdout.write('\n');
  printTable(
    ['STEP', 'WEIGHT', 'BAKE', 'STATE'],
    r.steps.map((s, i) => [i + 1, `${s.weight}%`, secs(s.bakeMs), s.state]),
  );
  const f = st.figures;
  if (!f) return;
  process.stdout.write(`\nguardrails over the last ${secs(f.windowMs)} (at ${f.at}):\n`);
  const row = (label: string, v: VersionFigures) => [
    label,
    v.version,
    v.calls,
    v.errors,
    pct(v.errorRate),
    ms(v.p99Ms),
    ...(r.spec.guardrails.metric ? [v.metric ?? '-'] : []),
  ];
  printTable(
    ['', 'VERSION', 'CALLS', 'ERRORS', 'ERROR RATE', 'P99', ...(r.spec.guardrails.metric ? [r.spec.guardrails.metric.name] : [])],
    [row('new', f.target), row('old', f.baseline)],
  );
}

async function watch(ctx: CommandContext, name: string, everyMs: number): Promise<Rollout> {
  for (;;) {
    const r = await ctx.api.json<Rollout>('GET', `/api/v1/services/${seg(name)}/rollout`);
    const done = FINISHED_PHASES.includes(r.status.phase);
    if (ctx.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else {
      if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
      else process.stdout.write('\n');
      printRollout(r);
    }
    if (done) {
      // a script waiting on the rollout learns how it ended: 0 promoted, 1 rolled back or aborted
      if (r.status.phase !== 'Promoted') process.exitCode = EXIT.failed;
      return r;
    }
    await new Promise((res) => setTimeout(res, everyMs));
  }
}

export function registerRolloutCommands(services: Command): void {
  const rollout = services
    .command('rollout')
    .description('progressive rollouts: move traffic to a version step by step, rolled back by guardrails (docs/rollout.md)');

  rollout
    .command('start <service>')
    .description('start a rollout onto an existing version (--to) or a new one (--model …)')
    .option('--to <version>', 'an existing version at weight 0 (2 or v2)')
    .option('--model <name>', 'or: add a new version of this model and roll it out')
    .option('--model-version <v>', 'with --model: model version (v1, 1 or latest)', 'latest')
    .option('--cpu <millicores>', 'with --model: CPU per instance', '1000')
    .option('--memory <MiB>', 'with --model: memory per instance', '1024')
    .option('--instances <n>', 'with --model: instances', '1')
    .option('--policy <p>', 'canary | linear | all-at-once', 'canary')
    .option('--weight <pct>', "canary: the new version's share while it bakes (default 10)")
    .option('--bake <duration>', 'canary, all-at-once: how long it is judged (default 5m)')
    .option('--step-weight <pct>', 'linear: share added each step (default 20)')
    .option('--step <duration>', 'linear: how long each step is judged (default 2m)')
    .option('--window <duration>', 'guardrail window (default 30s)')
    .option('--min-calls <n>', 'calls the new version needs in the window to be judged and to pass a step (default 20)')
    .option('--max-error-increase <x>', "how far (0-1) its 5xx/timeout rate may exceed the old version's (default 0.01)")
    .option('--p99-ratio <x>', "p99 limit as a multiple of the old version's (default 1.5)")
    .option('--p99-tolerance-ms <ms>', 'p99 may always be this much above the old one (default 50)')
    .option('--p99-max-ms <ms>', 'a p99 limit of its own')
    .option('--metric <name>', 'a Prometheus series the instances export, compared between the versions')
    .option('--metric-max <x>', 'with --metric: a limit of its own')
    .option('--metric-ratio <x>', "with --metric: limit as a multiple of the old version's")
    .option('--paused', 'start paused: the new version starts, no traffic moves until resume')
    .option('--watch', 'then show the rollout live until it finishes')
    .action(async (name: string, o: StartFlags, cmd: Command) => {
      const ctx = contextOf(cmd);
      const r = await ctx.api.json<Rollout>('POST', `/api/v1/services/${seg(name)}/rollout`, { json: startBody(o) });
      if (o.watch) return void (await watch(ctx, name, 1_000));
      if (ctx.json) return printJson(r);
      printRollout(r);
    });

  rollout
    .command('status <service>')
    .description("the rollout: steps, both versions' error rate and p99, the decision")
    .option('-w, --watch', 'redraw every second until it finishes')
    .option('--every <duration>', 'with --watch: how often', '1s')
    .action(async (name: string, o: { watch?: boolean; every: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (o.watch) return void (await watch(ctx, name, durationMs(o.every, '--every')));
      const r = await ctx.api.json<Rollout>('GET', `/api/v1/services/${seg(name)}/rollout`);
      if (ctx.json) return printJson(r);
      printRollout(r);
    });

  const words: Record<RolloutAction, string> = {
    pause: 'hold the traffic where it is (the guardrails still judge)',
    resume: 'go on from where it was paused',
    promote: 'move all traffic to the new version now and retire the old one',
    abort: 'send all traffic back to the old version, keeping the new one',
  };
  for (const action of ['pause', 'resume', 'promote', 'abort'] as const) {
    rollout
      .command(`${action} <service>`)
      .description(words[action])
      .action(async (name: string, _o: unknown, cmd: Command) => {
        const ctx = contextOf(cmd);
        const r = await ctx.api.json<Rollout>('POST', `/api/v1/services/${seg(name)}/rollout/actions`, { json: { action } });
        if (ctx.json) return printJson(r);
        process.stdout.write(`${action} requested for the rollout of ${name} (${r.status.phase} now)\n`);
      });
  }
}
