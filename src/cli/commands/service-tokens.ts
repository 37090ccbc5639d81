/**
 * `modeldock services tokens create|list|rotate|enable|disable|delete`: a service's call
 * tokens. A token is named by its id, the start of its id, or its name.
 */
import type { Command } from 'commander';
import { contextOf, type CommandContext } from '../context.js';
import { CliError, printFields, printJson, printTable, wide } from '../output.js';

interface TokenInfo {
  id: string;
  name: string;
  hint: string;
  limits: { perMinute?: number; perDay?: number };
  enabled: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  /** calls counted in the current minute and UTC day (only tokens with a limit are counted) */
  usage?: { minute: number; day: number };
  token?: string;
}

const base = (service: string) => `/api/v1/services/${encodeURIComponent(service)}/tokens`;

const positiveInt = (flag: string) => (v: string) => {
  if (!/^[1-9]\d*$/.test(v)) throw new CliError(`${flag} wants a whole number ≥ 1, got "${v}"`);
  return Number(v);
};

export function registerTokenCommands(services: Command): void {
  const tokens = services
    .command('tokens')
    .description('call tokens of a service with auth on: create (value shown once), list, rotate, enable, disable, delete');

  tokens
    .command('create <service>')
    .description('create a token; its value is shown only now')
    .option('--name <name>', 'a name to tell it apart')
    .option('--per-minute <n>', 'at most n calls a minute', positiveInt('--per-minute'))
    .option('--per-day <n>', 'at most n calls a day (UTC)', positiveInt('--per-day'))
    .action(async (service: string, o: { name?: string; perMinute?: number; perDay?: number }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const limits = o.perMinute || o.perDay ? { perMinute: o.perMinute, perDay: o.perDay } : undefined;
      const t = await ctx.api.json<TokenInfo>('POST', base(service), { json: { name: o.name, limits } });
      if (ctx.json) return printJson(t);
      printToken(t);
      process.stdout.write('\nkeep the token now: it is not shown again (rotate it to get a new one)\n');
    });

  tokens
    .command('list <service>')
    .alias('ls')
    .description('list tokens (never their values)')
    .action(async (service: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { items } = await ctx.api.json<{ items: TokenInfo[] }>('GET', base(service));
      if (ctx.json) return printJson({ items });
      if (!items.length) return void process.stdout.write(`service ${service} has no tokens\n`);
      printTable(
        ['ID', 'NAME', 'HINT', 'ENABLED', 'PER MIN', 'USED/MIN', 'PER DAY', 'USED/DAY', wide('CREATED'), 'LAST USED'],
        items.map((t) => [
          t.id,
          t.name,
          t.hint,
          t.enabled ? 'yes' : 'no',
          t.limits.perMinute,
          usedAgainst(t.limits.perMinute, t.usage?.minute),
          t.limits.perDay,
          usedAgainst(t.limits.perDay, t.usage?.day),
          t.createdAt,
          t.lastUsedAt,
        ]),
      );
    });

  tokens
    .command('rotate <service> <token>')
    .description('give a token a new value (shown only now); the old value stops working')
    .action(async (service: string, ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const id = await resolve(ctx, service, ref);
      const t = await ctx.api.json<TokenInfo>('POST', `${base(service)}/${encodeURIComponent(id)}/rotate`);
      if (ctx.json) return printJson(t);
      printToken(t);
      process.stdout.write('\nkeep the token now: it is not shown again\n');
    });

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    tokens
      .command(`${verb} <service> <token>`)
      .description(enabled ? 'let a disabled token call again' : 'stop a token from calling (it can be enabled again)')
      .action(async (service: string, ref: string, _o: unknown, cmd: Command) => {
        const ctx = contextOf(cmd);
        const id = await resolve(ctx, service, ref);
        const t = await ctx.api.json<TokenInfo>('PATCH', `${base(service)}/${encodeURIComponent(id)}`, { json: { enabled } });
        if (ctx.json) return printJson(t);
        process.stdout.write(`token ${t.name} (${t.hint}) ${enabled ? 'enabled' : 'disabled'}\n`);
      });
  }

  tokens
    .command('delete <service> <token>')
    .alias('rm')
    .description('delete a token')
    .action(async (service: string, ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const id = await resolve(ctx, service, ref);
      await ctx.api.json('DELETE', `${base(service)}/${encodeURIComponent(id)}`);
      if (ctx.json) return printJson({ deleted: id });
      process.stdout.write(`token ${id} deleted\n`);
    });
}

/** The calls used in a window, shown only where that window has a limit (calls are counted only then). */
const usedAgainst = (limit: number | undefined, used: number | undefined): number | undefined => (limit === undefined ? undefined : used);

/** A token's id from its id, the start of its id (4+ characters) or its name; ambiguity is an error. */
async function resolve(ctx: CommandContext, service: string, ref: string): Promise<string> {
  const { items } = await ctx.api.json<{ items: TokenInfo[] }>('GET', base(service));
  const exact = items.find((t) => t.id === ref);
  if (exact) return exact.id;
  const hits = items.filter((t) => t.name === ref || (ref.length >= 4 && t.id.startsWith(ref)));
  if (hits.length === 1) return hits[0]!.id;
  if (hits.length > 1) throw new CliError(`"${ref}" names ${hits.length} tokens of ${service}: give the id (modeldock services tokens list ${service})`);
  throw new CliError(`service ${service} has no token "${ref}" (modeldock services tokens list ${service})`, 'TOKEN_NOT_FOUND');
}

function printToken(t: TokenInfo): void {
  printFields([
    ['id', t.id],
    ['name', t.name],
    ['token', t.token],
    [
      'limits',
      [t.limits.perMinute ? `${t.limits.perMinute}/minute` : '', t.limits.perDay ? `${t.limits.perDay}/day` : ''].filter(Boolean).join(', ') || 'none',
    ],
  ]);
}
