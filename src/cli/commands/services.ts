/** `modeldock services …`: online services over the REST API. */
import type { Command } from 'commander';
import type { Service } from '../../contracts/services.js';
import { contextOf, type CommandContext } from '../context.js';
import { collect, CliError, parseTags, printFields, printJson, printTable, wide } from '../output.js';
import { addVersionFlags, versionSpec, type VersionFlags } from './service-flags.js';
import { registerObserveCommands } from './services-observe.js';
import { registerTokenCommands } from './service-tokens.js';
import { registerChangeCommands } from './services-change.js';
import { printShadow } from './services-shadow.js';
import { registerCaptureCommands } from './services-capture.js';
import { registerRolloutCommands } from './services-rollout.js';

const seg = encodeURIComponent;

/** Polls until the service is Running (or Failed: exit 1 with the reason), printing each new state. */
export async function waitRunning(ctx: CommandContext, name: string, timeoutMs: number): Promise<Service> {
  const until = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const s = await ctx.api.json<Service>('GET', `/api/v1/services/${seg(name)}`);
    const ready = s.versions.reduce((a, v) => a + v.readyInstances, 0);
    const want = s.versions.reduce((a, v) => a + v.desiredInstances, 0);
    const line = `${s.status} (${ready}/${want} ready)`;
    if (line !== last && !ctx.json) process.stderr.write(`${name}: ${line}\n`);
    last = line;
    if (s.status === 'Running' || s.status === 'Stopped') return s;
    if (s.status === 'Failed') throw new CliError(`service ${name} failed: ${s.reason ?? 'no reason given'}`);
    if (Date.now() > until) throw new CliError(`service ${name} is still ${s.status} after ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Prints a service (or its JSON with --json). */
export type ServicePrinter = (ctx: CommandContext, s: Service) => void;

const show: ServicePrinter = (ctx, s) => {
  if (ctx.json) return printJson(s);
  printFields([
    ['name', s.name],
    ['status', s.reason ? `${s.status} (${s.reason})` : s.status],
    ['url', s.url],
    ['auth', s.auth ? 'on' : 'off'],
    ['billing', s.resourceGroup ? `${s.billingMode} (${s.resourceGroup})` : s.billingMode],
    ['description', s.description],
    [
      'tags',
      Object.entries(s.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', '),
    ],
  ]);
  process.stdout.write('\n');
  printTable(
    ['VERSION', 'MODEL', 'WEIGHT', 'STATUS', 'READY', 'RUNTIME'],
    s.versions.map((v) => [
      v.seq,
      `${v.model} ${v.modelVersion}`,
      v.weight,
      v.reason ? `${v.status}: ${v.reason}` : v.status,
      `${v.readyInstances}/${v.desiredInstances}`,
      v.runtime,
    ]),
  );
  for (const v of s.versions) {
    const { active, next } = v.schedule ?? {};
    if (active)
      process.stdout.write(
        `version ${v.seq} schedule: ${active.minInstances}–${active.maxInstances} instances since ${active.firedAt} (rule ${active.rule})\n`,
      );
    if (next) process.stdout.write(`version ${v.seq} next: ${next.minInstances}–${next.maxInstances} instances at ${next.at} (rule ${next.rule})\n`);
  }
  printShadow(s);
};

export function register(program: Command): void {
  const services = program.command('services').description('online services: deploy model versions, scale, route, observe');

  addVersionFlags(
    services
      .command('create <name>')
      .description('create a service from a model version and wait until it runs')
      .option('--description <text>', 'description')
      .option('--tag <k=v>', 'tag (repeatable)', collect)
      .option('--auth', 'require a service token on calls')
      .option('--billing <mode>', 'postpaid | prepaid', 'postpaid')
      .option('--resource-group <name>', 'prepaid: the resource group to run in')
      .option('--no-wait', 'return at once'),
  ).action(
    async (
      name: string,
      o: VersionFlags & { description?: string; tag?: string[]; auth?: boolean; billing: string; resourceGroup?: string; wait: boolean },
      cmd: Command,
    ) => {
      const ctx = contextOf(cmd);
      const body = {
        name,
        description: o.description,
        tags: parseTags(o.tag),
        auth: !!o.auth,
        billingMode: o.billing,
        resourceGroup: o.resourceGroup,
        version: versionSpec(o),
      };
      let s = await ctx.api.json<Service>('POST', '/api/v1/services', { json: body });
      if (o.wait) s = await waitRunning(ctx, name, 300_000);
      show(ctx, s);
    },
  );

  services
    .command('list')
    .description('list services with their states')
    .option('--keyword <text>', 'name contains')
    .action(async (o: { keyword?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const page = await ctx.api.json<{ items: Service[]; total: number }>('GET', '/api/v1/services', { query: { keyword: o.keyword, limit: 500 } });
      if (ctx.json) return printJson(page);
      printTable(
        ['NAME', 'STATUS', 'VERSIONS', 'READY', 'AUTH', wide('BILLING'), wide('CREATED'), 'URL'],
        page.items.map((s) => [
          s.name,
          s.status,
          s.versions.length,
          `${s.versions.reduce((a, v) => a + v.readyInstances, 0)}/${s.versions.reduce((a, v) => a + v.desiredInstances, 0)}`,
          s.auth ? 'on' : 'off',
          s.billingMode,
          s.createdAt,
          s.url,
        ]),
      );
    });

  services
    .command('show <name>')
    .alias('get')
    .description('a service with its versions (and its shadow traffic)')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      show(ctx, await ctx.api.json<Service>('GET', `/api/v1/services/${seg(name)}`));
    });

  services
    .command('delete <name>')
    .description('delete a service (its instances drain first)')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      await ctx.api.json('DELETE', `/api/v1/services/${seg(name)}`);
      if (!ctx.json) process.stdout.write(`deleting ${name}\n`);
    });

  for (const action of ['stop', 'resume'] as const) {
    services
      .command(`${action} <name>`)
      .description(action === 'stop' ? 'stop every instance (the service keeps its settings)' : 'start again with the instance counts it had')
      .option('--no-wait', 'return at once')
      .action(async (name: string, o: { wait: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        let s = await ctx.api.json<Service>('POST', `/api/v1/services/${seg(name)}/actions`, { json: { action } });
        if (o.wait) s = await waitRunning(ctx, name, 300_000);
        show(ctx, s);
      });
  }

  services
    .command('scale <name> <instances>')
    .description('set the instance count (manual scaling)')
    .option('--version <n>', 'only this version')
    .option('--no-wait', 'return at once')
    .action(async (name: string, instances: string, o: { version?: string; wait: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const n = Number(instances);
      if (!Number.isInteger(n) || n < 0) throw new CliError(`instances must be a whole number, got "${instances}"`);
      let s = await ctx.api.json<Service>('POST', `/api/v1/services/${seg(name)}/actions`, {
        json: { action: 'scale', instances: n, ...(o.version ? { version: o.version } : {}) },
      });
      if (o.wait) s = await waitRunning(ctx, name, 300_000);
      show(ctx, s);
    });

  services
    .command('weights <name> <seq=weight...>')
    .description('set traffic weights, e.g. `weights classify 1=90 2=10`')
    .action(async (name: string, pairs: string[], _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const weights = pairs.map((p) => {
        const [v, w] = p.split('=');
        if (!v || w === undefined || !Number.isFinite(Number(w))) throw new CliError(`weights are version=weight, got "${p}"`);
        return { version: v, weight: Number(w) };
      });
      show(ctx, await ctx.api.json<Service>('PUT', `/api/v1/services/${seg(name)}/weights`, { json: { weights } }));
    });

  addVersionFlags(services.command('add-version <name>').description('add a version (weight 0 unless --weight)')).action(
    async (name: string, o: VersionFlags, cmd: Command) => {
      const ctx = contextOf(cmd);
      show(ctx, await ctx.api.json<Service>('POST', `/api/v1/services/${seg(name)}/versions`, { json: versionSpec(o) }));
    },
  );

  addVersionFlags(services.command('update-version <name> <seq>').description("change a version's settings (rolling update)")).action(
    async (name: string, seq: string, o: VersionFlags, cmd: Command) => {
      const ctx = contextOf(cmd);
      show(ctx, await ctx.api.json<Service>('PUT', `/api/v1/services/${seg(name)}/versions/${seg(seq)}`, { json: versionSpec(o) }));
    },
  );

  services
    .command('manifests <name>')
    .description('print the service as Kubernetes manifests (Deployment, Service, HPA or KEDA ScaledObject per version) for review or GitOps')
    .option('--format <format>', 'yaml | json', 'yaml')
    .action(async (name: string, o: { format: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (o.format !== 'yaml' && o.format !== 'json') throw new CliError(`--format is yaml or json, got "${o.format}"`);
      const res = await ctx.api.download('GET', `/api/v1/services/${seg(name)}/manifests`, { query: { format: o.format } });
      for await (const chunk of res.body) process.stdout.write(chunk as Buffer);
    });

  registerChangeCommands(services, show);
  registerObserveCommands(services);
  registerTokenCommands(services);
  registerCaptureCommands(services, show);
  registerRolloutCommands(services);
}
