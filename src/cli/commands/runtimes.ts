/** `modeldock runtimes`: the runtime environment catalog with availability on the platform's machine. */
import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { printJson, printTable } from '../output.js';

export function register(program: Command): void {
  program
    .command('runtimes')
    .description("list runtime environments, whether each can run on the platform's machine, and why not")
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const items = await ctx.api.runtimes();
      if (ctx.json) return printJson({ items });
      printTable(
        ['ID', 'KIND', 'FORMATS', 'AVAILABLE', 'NOTE'],
        items.map((r) => [r.id, r.kind, r.formats.join(','), r.available ? 'yes' : 'no', r.available ? r.description : (r.reason ?? '')]),
      );
    });
}
