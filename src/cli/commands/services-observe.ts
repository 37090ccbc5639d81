/** `modeldock services instances|events|logs|metrics|call-info|usage`. */
import type { Command } from 'commander';
import type { CallInfo, LogLevel, MetricsPoint, ServiceLogLine } from '../../contracts/service-ops.js';
import type { Instance, ServiceEvent } from '../../contracts/services.js';
import { contextOf } from '../context.js';
import { printJson, printTable } from '../output.js';
import { printStreamItem } from '../stream-output.js';
import type { OutputFormat } from '../output-format.js';

const seg = encodeURIComponent;

type LogLine = ServiceLogLine;
type LogOpts = { follow?: boolean; instance?: string; version?: string; level?: string; keyword?: string; since?: string; until?: string; limit: string };

export function registerObserveCommands(services: Command): void {
  services
    .command('instances <name>')
    .description('instances with phase, readiness and restarts')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { items } = await ctx.api.json<{ items: Instance[] }>('GET', `/api/v1/services/${seg(name)}/instances`);
      if (ctx.json) return printJson({ items });
      printTable(
        ['INSTANCE', 'PHASE', 'READY', 'RESTARTS', 'STARTED', 'LAST EXIT'],
        items.map((i) => [i.id, i.phase, i.ready ? 'yes' : 'no', i.restarts, i.startedAt, i.lastExitReason?.split('\n')[0]]),
      );
    });

  services
    .command('events <name>')
    .description('Normal and Warning events, newest first')
    .option('-w, --watch', 'then keep printing events as they happen or recur, oldest first (-o json: one object per line)')
    .action(async (name: string, o: { watch?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const events = async () => (await ctx.api.json<{ items: ServiceEvent[] }>('GET', `/api/v1/services/${seg(name)}/events`)).items;
      if (o.watch) return watchEvents(events, ctx.output);
      const items = await events();
      if (ctx.json) return printJson({ items });
      printTable(
        ['LAST', 'TYPE', 'REASON', 'OBJECT', 'COUNT', 'MESSAGE'],
        items.map((e) => [e.lastAt, e.type, e.reason, e.object, e.count, e.message.split('\n')[0]]),
      );
    });

  services
    .command('logs <name>')
    .description('instance output and access lines')
    .option('-f, --follow', 'keep printing new lines')
    .option('--instance <id>', 'one instance only')
    .option('--version <v>', 'one version only (2 or v2)')
    .option('--level <level>', 'this level and above: debug, info, warn, error')
    .option('--keyword <text>', 'lines containing this')
    .option('--since <iso-time>', 'from this time')
    .option('--until <iso-time>', 'up to this time')
    .option('--limit <n>', 'last n lines', '200')
    .action(async (name: string, o: LogOpts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const query = {
        instance: o.instance,
        version: o.version,
        level: o.level as LogLevel | undefined,
        keyword: o.keyword,
        since: o.since,
        until: o.until,
        limit: Number(o.limit),
      };
      const print = (l: LogLine) =>
        printStreamItem(l, ctx.output, (wide) =>
          wide
            ? `${l.seq} ${l.ts} ${l.version ?? '-'} ${l.instanceId ?? '-'} ${l.level} ${l.stream}: ${l.line}`
            : `${l.ts} ${l.instanceId ?? '-'} ${l.level} ${l.stream}: ${l.line}`,
        );
      if (!o.follow) {
        const r = await ctx.api.json<{ items: LogLine[]; cursor: number }>('GET', `/api/v1/services/${seg(name)}/logs`, { query });
        return r.items.forEach(print);
      }
      // -f: the same query as server-sent events; a dropped stream is picked up where it was (Last-Event-ID)
      for await (const l of ctx.api.sdk.services.followLogs(name, query)) print(l);
    });

  services
    .command('metrics <name>')
    .description('qps, errors, latency, ready instances and mean batch size in 10 s buckets')
    .option('--window <w>', 'e.g. 5m, 1h', '5m')
    .action(async (name: string, o: { window: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const r = await ctx.api.json<{ points: MetricsPoint[] }>('GET', `/api/v1/services/${seg(name)}/metrics`, { query: { window: o.window } });
      if (ctx.json) return printJson(r);
      printTable(
        ['TIME', 'QPS', 'ERRORS', 'P50 MS', 'P99 MS', 'READY', 'BATCH'],
        r.points.map((p) => [p.ts, p.qps, p.errors, p.p50Ms, p.p99Ms, p.readyInstances, p.batchSize]),
      );
    });

  services
    .command('call-info <name>')
    .description('how to call the service: URL, headers, curl')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const info = await ctx.api.json<CallInfo>('GET', `/api/v1/services/${seg(name)}/call-info`);
      if (ctx.json) return printJson(info);
      process.stdout.write(`${info.method} ${info.url}\n`);
      for (const [k, v] of Object.entries(info.headers)) process.stdout.write(`${k}: ${v}\n`);
      process.stdout.write(`\nexample body: ${JSON.stringify(info.example)}\n\n${info.curl}\n`);
      const more = (info.examples ?? []).slice(1);
      if (more.length)
        process.stdout.write(`\nalso:\n${more.map((e) => `  ${e.protocol}: POST ${e.url}\n    ${JSON.stringify(e.body).slice(0, 200)}`).join('\n')}\n`);
    });

  services
    .command('usage <name>')
    .description('metered usage and cost per day')
    .option('--days <n>', 'how many days back', '30')
    .action(async (name: string, o: { days: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const r = await ctx.api.json<{
        currency: string;
        total: number;
        items: { day: string; instanceSeconds: number; cpuCoreSeconds: number; memoryGiBSeconds: number; cost: number }[];
      }>('GET', `/api/v1/services/${seg(name)}/usage`, { query: { days: Number(o.days) } });
      if (ctx.json) return printJson(r);
      printTable(
        ['DAY', 'INSTANCE-S', 'CPU CORE-S', 'MEM GIB-S', `COST (${r.currency})`],
        r.items.map((i) => [i.day, i.instanceSeconds, i.cpuCoreSeconds, i.memoryGiBSeconds, i.cost]),
      );
      process.stdout.write(`total: ${r.total} ${r.currency}\n`);
    });
}

/** Prints the events oldest first, then each one that is new or recurs (its lastAt moves), polling every 2 s. */
async function watchEvents(events: () => Promise<ServiceEvent[]>, format: OutputFormat): Promise<never> {
  const seen = new Map<string, string>();
  for (;;) {
    const items = (await events()).slice().sort((a, b) => (a.lastAt < b.lastAt ? -1 : a.lastAt > b.lastAt ? 1 : 0));
    for (const e of items) {
      const key = `${e.type}|${e.reason}|${e.object}|${e.message}`;
      if (seen.get(key) === e.lastAt) continue;
      seen.set(key, e.lastAt);
      printStreamItem(
        e,
        format,
        (wide) => `${e.lastAt} ${e.type} ${e.reason} ${e.object}${wide ? ` ×${e.count} (first ${e.firstAt})` : ''}: ${e.message.split('\n')[0]}`,
      );
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}
