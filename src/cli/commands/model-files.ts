/** `modeldock models version|delete-version|files …`: one version and the files in it. */
import path from 'node:path';
import type { Command } from 'commander';
import type { ModelVersion, VersionFile } from '../../contracts/resources.js';
import { contextOf } from '../context.js';
import { saveDownload } from '../download.js';
import { collectUploads } from '../local-files.js';
import { printFields, printJson, printTable } from '../output.js';
import { formatBytes, progress } from '../progress.js';

export function registerVersionCommands(models: Command): void {
  models
    .command('version <name> <version>')
    .description('show one version (v1, 1 or latest) with its files')
    .action(async (name: string, version: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const v = await ctx.api.getVersion(name, version);
      if (ctx.json) return printJson(v);
      printVersion(v);
    });

  models
    .command('delete-version <name> <version>')
    .description('delete one version and its files')
    .action(async (name: string, version: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      await ctx.api.deleteVersion(name, version);
      if (ctx.json) printJson({ deleted: `${name}/${version}` });
      else process.stdout.write(`deleted ${name} ${version}\n`);
    });

  const files = models.command('files').description('list, upload, download and remove the files of a version');

  files
    .command('ls <name> <version>')
    .alias('list')
    .description('list the files of a version with size and sha256')
    .action(async (name: string, version: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const items = await ctx.api.listFiles(name, version);
      if (ctx.json) return printJson({ items });
      printFiles(items);
    });

  files
    .command('upload <name> <version> <paths...>')
    .description('add or replace files in a version (a folder uploads as <folder>/…)')
    .option('--prefix <folder>', 'put the files under this folder of the version')
    .action(async (name: string, version: string, paths: string[], o: { prefix?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const uploads = await collectUploads(paths);
      const bar = progress(
        `uploading ${uploads.length} file(s)`,
        uploads.reduce((n, f) => n + f.size, 0),
      );
      let items: VersionFile[];
      try {
        items = await ctx.api.uploadFiles(name, version, uploads, { prefix: o.prefix, onBytes: (n) => bar.add(n) });
      } finally {
        bar.done();
      }
      if (ctx.json) return printJson({ items });
      process.stdout.write(`uploaded ${items.length} file(s) to ${name} ${version}\n`);
      printFiles(items);
    });

  files
    .command('download <name> <version> [path]')
    .description('download one file, or without a path the whole version as a zip')
    .option('-o, --out <file>', 'where to write ("-" for stdout); default: the file\'s name, or <name>-<version>.zip')
    .action(async (name: string, version: string, file: string | undefined, o: { out?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const dl = file === undefined ? await ctx.api.downloadArchive(name, version) : await ctx.api.downloadFile(name, version, file);
      const out = o.out ?? (file === undefined ? `${name}-${version}.zip` : path.basename(file));
      const saved = await saveDownload(dl, out, `downloading ${file ?? `${name} ${version}`}`);
      if (out === '-') return;
      if (ctx.json) return printJson(saved);
      process.stdout.write(`saved ${saved.path} (${formatBytes(saved.size)}, sha256 ${saved.sha256})\n`);
    });

  files
    .command('rm <name> <version> <path>')
    .alias('delete')
    .description('remove one file from a version')
    .action(async (name: string, version: string, file: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      await ctx.api.deleteFile(name, version, file);
      if (ctx.json) printJson({ deleted: file });
      else process.stdout.write(`removed ${file} from ${name} ${version}\n`);
    });
}

export function printFiles(items: VersionFile[]): void {
  if (!items.length) {
    process.stdout.write('no files\n');
    return;
  }
  printTable(
    ['PATH', 'SIZE', 'SHA256'],
    items.map((f) => [f.path, formatBytes(f.size), f.sha256]),
  );
}

export function printVersion(v: ModelVersion): void {
  const src = v.source;
  const source =
    src?.type === 'storage' ? `storage ${src.path ?? ''}` : src?.type === 'task' ? `task ${src.task ?? ''}${src.run ? ` run ${src.run}` : ''}` : src?.type;
  printFields([
    ['model', v.model],
    ['version', v.version],
    ['status', v.status],
    ...(v.error ? ([['error', v.error]] as [string, string][]) : []),
    ['format', v.format],
    ['runtime', v.runtime],
    ...(v.runtimeRequested ? ([['imported as', `${v.runtimeRequested} (${v.runtimeNote ?? 'mapped'})`]] as [string, string][]) : []),
    ['source', source],
    ['move mode', v.moveMode],
    ['metrics', v.metrics === null || v.metrics === undefined ? null : typeof v.metrics === 'string' ? v.metrics : JSON.stringify(v.metrics)],
    ['description', v.description],
    ['storage path', v.storagePath],
    ['size', `${formatBytes(v.size)} in ${v.fileCount} file(s)`],
    ['created', v.createdAt],
    ['ready', v.readyAt],
  ]);
  if (v.files) {
    process.stdout.write('\n');
    printFiles(v.files);
  }
}
