/** `modeldock models …`: the model repository (create, list, show, update, delete, import, files). */
import type { Command } from 'commander';
import type { Model, ModelVersion } from '../../contracts/resources.js';
import { contextOf } from '../context.js';
import { collect, parseTags, printFields, printJson, printTable, wide, CliError } from '../output.js';
import { formatBytes } from '../progress.js';
import { registerImport } from './model-import.js';
import { registerVersionCommands } from './model-files.js';

export function register(program: Command): void {
  const models = program.command('models').description('the model repository: models, versions and their files');

  models
    .command('create <name>')
    .description('create a model')
    .option('-d, --description <text>', 'description')
    .option('--tag <key=value>', 'a tag (repeatable)', collect)
    .action(async (name: string, o: { description?: string; tag?: string[] }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const model = await ctx.api.createModel({ name, description: o.description, tags: parseTags(o.tag) });
      if (ctx.json) printJson(model);
      else process.stdout.write(`created model ${model.name}\n`);
    });

  models
    .command('list')
    .alias('ls')
    .description('list models (filters combine)')
    .option('-k, --keyword <text>', 'name or description contains')
    .option('--tag <key=value>', 'has this tag (repeatable)', collect)
    .option('--format <format>', 'has a version of this format (onnx, torchscript, pytorch, custom)')
    .option('--source <type>', 'has a version from this source (upload, storage, task)')
    .option('--offset <n>', 'skip this many', intArg('--offset'))
    .option('--limit <n>', 'at most this many (default 50)', intArg('--limit'))
    .action(async (o: { keyword?: string; tag?: string[]; format?: string; source?: string; offset?: number; limit?: number }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const page = await ctx.api.listModels({
        keyword: o.keyword,
        tags: parseTags(o.tag),
        format: o.format,
        source: o.source,
        offset: o.offset,
        limit: o.limit,
      });
      if (ctx.json) return printJson(page);
      printModels(page.items);
      if (page.total > page.offset + page.items.length || page.offset > 0) {
        process.stdout.write(`(${page.offset + 1}–${page.offset + page.items.length} of ${page.total}; use --offset/--limit for more)\n`);
      }
    });

  models
    .command('show <name>')
    .description('show a model and its versions')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const m = await ctx.api.getModel(name);
      if (ctx.json) return printJson(m);
      printFields([
        ['name', m.name],
        ['description', m.description],
        ['tags', formatTags(m.tags)],
        ['latest', m.latestVersion],
        ['created', m.createdAt],
        ['updated', m.updatedAt],
      ]);
      process.stdout.write('\n');
      printVersions(m.versions ?? []);
    });

  models
    .command('update <name>')
    .description("change a model's description or tags (tags given replace all tags)")
    .option('-d, --description <text>', 'new description')
    .option('--tag <key=value>', 'a tag (repeatable)', collect)
    .option('--clear-tags', 'remove all tags')
    .action(async (name: string, o: { description?: string; tag?: string[]; clearTags?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (o.description === undefined && !o.tag && !o.clearTags) throw new CliError('nothing to change: give --description, --tag or --clear-tags');
      const tags = o.clearTags ? {} : parseTags(o.tag);
      const model = await ctx.api.updateModel(name, { description: o.description, tags });
      if (ctx.json) printJson(model);
      else process.stdout.write(`updated model ${model.name}\n`);
    });

  models
    .command('delete <name>')
    .alias('rm')
    .description('delete a model with all its versions (refused while a service uses it)')
    .option('--keep-files', 'keep the stored files in the object store')
    .action(async (name: string, o: { keepFiles?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      await ctx.api.deleteModel(name, { keepFiles: o.keepFiles });
      if (ctx.json) printJson({ deleted: name, keepFiles: Boolean(o.keepFiles) });
      else process.stdout.write(`deleted model ${name}${o.keepFiles ? ' (files kept)' : ''}\n`);
    });

  registerImport(models);
  registerVersionCommands(models);
}

export function intArg(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new CliError(`${flag} wants a whole number, got "${v}"`);
    return n;
  };
}

export const formatTags = (tags: Record<string, string> | undefined): string =>
  Object.entries(tags ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

function printModels(items: Model[]): void {
  if (!items.length) {
    process.stdout.write('no models\n');
    return;
  }
  printTable(
    ['NAME', 'LATEST', 'VERSIONS', 'TAGS', 'UPDATED', wide('CREATED'), 'DESCRIPTION'],
    items.map((m) => [m.name, m.latestVersion, m.versionCount, formatTags(m.tags) || '-', m.updatedAt, m.createdAt, m.description || '-']),
  );
}

export function printVersions(versions: ModelVersion[]): void {
  if (!versions.length) {
    process.stdout.write('no versions\n');
    return;
  }
  printTable(
    ['VERSION', 'STATUS', 'FORMAT', 'RUNTIME', 'SOURCE', 'FILES', 'SIZE', 'CREATED', wide('READY AT'), wide('STORAGE PATH'), wide('DESCRIPTION')],
    versions.map((v) => [
      v.version,
      v.status === 'failed' ? `failed: ${v.error ?? ''}` : v.status,
      v.format,
      v.runtime,
      v.source?.type,
      v.fileCount,
      formatBytes(v.size),
      v.createdAt,
      v.readyAt,
      v.storagePath,
      v.description || '-',
    ]),
  );
}
