/** `modeldock storage …`: the platform's object store (the folder storage imports read from). */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { VersionFile } from '../../contracts/resources.js';
import { contextOf } from '../context.js';
import { saveDownload } from '../download.js';
import { oneFile, walkDir } from '../local-files.js';
import { CliError, printJson, printTable } from '../output.js';
import { formatBytes, progress } from '../progress.js';

export function register(program: Command): void {
  const storage = program.command('storage').description('the object store: list, put, get and remove objects');

  storage
    .command('ls [prefix]')
    .alias('list')
    .description('list objects (under a prefix)')
    .action(async (prefix: string | undefined, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const items = await ctx.api.listStorage(prefix);
      if (ctx.json) return printJson({ items });
      if (!items.length) return void process.stdout.write(prefix ? `nothing under ${prefix}\n` : 'the object store is empty\n');
      printTable(
        ['PATH', 'SIZE'],
        items.map((i) => [i.path, formatBytes(i.size)]),
      );
    });

  storage
    .command('put <local> <path>')
    .description("upload a local file to <path>, or a local folder's files under <path>/")
    .action(async (local: string, target: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const st = await fs.stat(local).catch(() => undefined);
      if (!st) throw new CliError(`${local}: no such file or folder`);
      const base = target.replace(/^\/+|\/+$/g, '');
      if (!base) throw new CliError('give a storage path to put to, e.g. data/mnist');
      const files = st.isDirectory()
        ? (await walkDir(local)).map((f) => ({ ...f, path: `${base}/${f.path}` }))
        : [await oneFile(local, target.endsWith('/') ? `${base}/${path.basename(local)}` : base)];
      if (!files.length) throw new CliError(`${local} is empty: nothing to upload`);
      const bar = progress(
        `uploading ${files.length} file(s)`,
        files.reduce((n, f) => n + f.size, 0),
      );
      const items: VersionFile[] = [];
      try {
        for (const f of files) items.push(await ctx.api.putStorage(f, (n) => bar.add(n)));
      } finally {
        bar.done();
      }
      if (ctx.json) return printJson({ items });
      printTable(
        ['PATH', 'SIZE', 'SHA256'],
        items.map((i) => [i.path, formatBytes(i.size), i.sha256]),
      );
    });

  storage
    .command('get <path>')
    .description('download one object')
    .option('-o, --out <file>', 'where to write ("-" for stdout); default: the object\'s name')
    .action(async (p: string, o: { out?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const out = o.out ?? path.basename(p);
      const saved = await saveDownload(await ctx.api.getStorage(p), out, `downloading ${p}`);
      if (out === '-') return;
      if (ctx.json) return printJson(saved);
      process.stdout.write(`saved ${saved.path} (${formatBytes(saved.size)}, sha256 ${saved.sha256})\n`);
    });

  storage
    .command('rm <path>')
    .alias('delete')
    .description('remove an object (or, with --recursive, everything under a folder)')
    .option('-r, --recursive', 'remove everything under <path>/')
    .action(async (p: string, o: { recursive?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      await ctx.api.deleteStorage(p, { recursive: o.recursive });
      if (ctx.json) printJson({ deleted: p, recursive: Boolean(o.recursive) });
      else process.stdout.write(`removed ${p}${o.recursive ? ' (recursive)' : ''}\n`);
    });
}
