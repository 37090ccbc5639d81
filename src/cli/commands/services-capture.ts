/**
 * `modeldock services capture|captures|capture-files|capture-download` (docs/capture.md):
 * turn a version's payload capture on/off or change its share, browse what was captured,
 * and download capture files.
 */
import type { Command } from 'commander';
import type { CaptureFile, CapturePage } from '../../contracts/capture.js';
import type { Service } from '../../contracts/services.js';
import { contextOf } from '../context.js';
import { saveDownload } from '../download.js';
import { CliError, printJson, printTable, wide } from '../output.js';
import type { ServicePrinter } from './services.js';

const seg = encodeURIComponent;

interface CaptureOpts {
  version: string;
  percent?: string;
  off?: boolean;
  maxBodyBytes?: string;
}

/** The capture setting the flags ask for (PUT …/versions/{v}/capture). */
export function captureSetting(o: CaptureOpts): { percent: number; maxBodyBytes?: number } {
  if (o.off && o.percent !== undefined) throw new CliError('give --percent or --off, not both');
  if (!o.off && o.percent === undefined) throw new CliError('give --percent <0-100> or --off');
  const percent = o.off ? 0 : Number(o.percent);
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new CliError(`--percent must be a number from 0 to 100, not "${o.percent}"`);
  const out: { percent: number; maxBodyBytes?: number } = { percent };
  if (o.maxBodyBytes !== undefined) {
    const n = Number(o.maxBodyBytes);
    if (!Number.isInteger(n) || n < 0) throw new CliError(`--max-body-bytes must be a whole number of bytes, not "${o.maxBodyBytes}"`);
    out.maxBodyBytes = n;
  }
  return out;
}

/** One body in a table cell: its text (or "<n bytes base64>"), on one line, cut. */
const cell = (b: { encoding: string; body: string; size: number; truncated?: true }, width = 60): string => {
  const text = b.encoding === 'utf8' ? b.body.replace(/\s+/g, ' ') : `<${b.size} bytes, base64>`;
  return (text.length > width ? `${text.slice(0, width - 1)}…` : text) + (b.truncated ? ' (truncated)' : '');
};

export function registerCaptureCommands(services: Command, show: ServicePrinter): void {
  services
    .command('capture <name>')
    .description("turn a version's payload capture on or off, or change its share (no restart)")
    .requiredOption('--version <n>', 'the service version (1, 2, … or v2)')
    .option('--percent <p>', 'capture this share of its calls, 0–100')
    .option('--off', 'capture nothing')
    .option('--max-body-bytes <n>', 'cut each body to this many bytes (default 65536)')
    .action(async (name: string, o: CaptureOpts, cmd: Command) => {
      const ctx = contextOf(cmd);
      show(ctx, await ctx.api.json<Service>('PUT', `/api/v1/services/${seg(name)}/versions/${seg(o.version)}/capture`, { json: captureSetting(o) }));
    });

  registerBrowseCommands(services);
}

/** captures, capture-files, capture-download. */
function registerBrowseCommands(services: Command): void {
  services
    .command('captures <name>')
    .description('captured calls, newest first')
    .option('--version <n>', 'one version only')
    .option('--status <s>', '2xx, 4xx, 5xx, a status such as 503, or error')
    .option('--since <time>', 'an ISO 8601 time or a duration ago (15m, 2h, 7d)')
    .option('--until <time>', 'an ISO 8601 time or a duration ago')
    .option('--limit <n>', 'at most this many', '50')
    .option('--cursor <c>', 'go on from an earlier page (its nextCursor)')
    .action(async (name: string, o: { version?: string; status?: string; since?: string; until?: string; limit: string; cursor?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const page = await ctx.api.json<CapturePage>('GET', `/api/v1/services/${seg(name)}/captures`, {
        query: { version: o.version?.replace(/^v/i, ''), status: o.status, since: o.since, until: o.until, limit: Number(o.limit), cursor: o.cursor },
      });
      if (ctx.json) return printJson(page);
      printTable(
        ['TIME', 'VERSION', 'STATUS', 'MS', 'INSTANCE', 'REQUEST', 'RESPONSE', wide('PATH'), wide('FILE')],
        page.items.map((i) => [i.ts, i.version, i.status, i.latencyMs, i.instance ?? '-', cell(i.request, 40), cell(i.response, 40), i.path, i.file]),
      );
      if (page.nextCursor) process.stderr.write(`more: --cursor ${page.nextCursor}\n`);
    });

  services
    .command('capture-files <name>')
    .description('capture files (JSON lines), newest first')
    .option('--version <n>', 'one version only')
    .option('--since <time>', 'an ISO 8601 time or a duration ago')
    .option('--until <time>', 'an ISO 8601 time or a duration ago')
    .action(async (name: string, o: { version?: string; since?: string; until?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const r = await ctx.api.json<{ items: CaptureFile[] }>('GET', `/api/v1/services/${seg(name)}/capture-files`, {
        query: { version: o.version?.replace(/^v/i, ''), since: o.since, until: o.until },
      });
      if (ctx.json) return printJson(r);
      printTable(
        ['STARTED', 'VERSION', 'SIZE', 'FILE'],
        r.items.map((f) => [f.startedAt, f.version, f.size, f.file]),
      );
    });

  services
    .command('capture-download <name> <file>')
    .description('download one capture file (a FILE from capture-files or captures -o wide)')
    .option('--out <path>', 'where to write it ("-" for stdout; default: its file name)')
    .action(async (name: string, file: string, o: { out?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const dl = await ctx.api.download('GET', `/api/v1/services/${seg(name)}/capture-files/${file.split('/').map(seg).join('/')}`);
      const out = o.out ?? file.split('/').pop()!;
      const saved = await saveDownload(dl, out, file);
      if (out !== '-') process.stdout.write(ctx.json ? `${JSON.stringify(saved)}\n` : `${saved.path} (${saved.size} bytes)\n`);
    });
}
