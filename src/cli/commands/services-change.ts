/** `modeldock services update|remove-version`: change a service after creation. */
import type { Command } from 'commander';
import type { Service } from '../../contracts/services.js';
import { contextOf } from '../context.js';
import { collect, CliError, parseTags } from '../output.js';
import type { ServicePrinter } from './services.js';
import { shadowPatch, type ShadowFlags } from './services-shadow.js';

const seg = encodeURIComponent;

interface UpdateOpts extends ShadowFlags {
  description?: string;
  clearDescription?: boolean;
  tag?: string[];
  untag?: string[];
  clearTags?: boolean;
  auth?: boolean;
}

/** The merge patch the flags ask for (PATCH /api/v1/services/{name}); refuses contradictory flags. */
export function servicePatch(o: UpdateOpts): Record<string, unknown> {
  if (o.description !== undefined && o.clearDescription) throw new CliError('give --description or --clear-description, not both');
  if (o.clearTags && (o.tag?.length || o.untag?.length)) throw new CliError('--clear-tags goes alone, without --tag or --untag');
  const patch: Record<string, unknown> = {};
  if (o.description !== undefined) patch.description = o.description;
  if (o.clearDescription) patch.description = null;
  if (o.clearTags) patch.tags = null;
  const tags: Record<string, string | null> = { ...parseTags(o.tag) };
  for (const k of o.untag ?? []) {
    if (k in tags) throw new CliError(`tag "${k}" is both set and removed`);
    tags[k] = null;
  }
  if (Object.keys(tags).length) patch.tags = tags;
  if (o.auth !== undefined) patch.auth = o.auth;
  const shadow = shadowPatch(o);
  if (shadow !== undefined) patch.shadow = shadow;
  if (!Object.keys(patch).length)
    throw new CliError(
      'nothing to change: give --description, --tag, --untag, --clear-tags, --auth, --no-auth, --shadow-version, --shadow-percent or --no-shadow',
    );
  return patch;
}

export function registerChangeCommands(services: Command, show: ServicePrinter): void {
  services
    .command('update <name>')
    .description("change a service's description, tags, auth or shadow traffic (other tags are kept)")
    .option('--description <text>', 'new description')
    .option('--clear-description', 'empty the description')
    .option('--tag <k=v>', 'set a tag (repeatable)', collect)
    .option('--untag <k>', 'remove a tag (repeatable)', collect)
    .option('--clear-tags', 'remove every tag')
    .option('--auth', 'require a service token on calls')
    .option('--no-auth', 'take calls without a token')
    .option('--shadow-version <seq>', 'copy a share of the calls to this version (shadow traffic: its answers are counted, never returned)')
    .option('--shadow-percent <p>', 'the share of calls copied to the shadow, 0–100 (default 100)')
    .option('--no-shadow', 'turn shadow traffic off')
    .action(async (name: string, o: UpdateOpts, cmd: Command) => {
      // commander sets auth (shadow) only when --auth or --no-auth (--no-shadow) is given
      const ctx = contextOf(cmd);
      const given = {
        ...o,
        auth: cmd.getOptionValueSource('auth') === 'cli' ? o.auth : undefined,
        shadow: cmd.getOptionValueSource('shadow') === 'cli' ? o.shadow : undefined,
      };
      show(ctx, await ctx.api.json<Service>('PATCH', `/api/v1/services/${seg(name)}`, { json: servicePatch(given) }));
    });

  services
    .command('remove-version <name> <seq>')
    .description('remove a version: its instances drain and stop, the other versions keep their weights (not the only version, nor the one with all traffic)')
    .action(async (name: string, seq: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const s = await ctx.api.json<Service>('DELETE', `/api/v1/services/${seg(name)}/versions/${seg(seq)}`);
      if (!ctx.json) process.stderr.write(`removed version ${seq} of ${name}; its instances are stopping\n`);
      show(ctx, s);
    });
}
