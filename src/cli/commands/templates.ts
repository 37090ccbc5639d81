/** `modeldock templates list|download`: the inference code templates, over the REST API. */
import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { saveDownload } from '../download.js';
import { CliError, printJson, printTable } from '../output.js';

interface TemplateInfo {
  name: string;
  description: string;
  runtime: string;
  format: string;
  files: string[];
}

export function register(program: Command): void {
  const t = program.command('templates').description('inference code templates (ready model packages) to start from');

  t.command('list')
    .description('list the templates with the runtime and format to import each with')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { items } = await ctx.api.json<{ items: TemplateInfo[] }>('GET', '/api/v1/templates');
      if (ctx.json) return printJson({ items });
      printTable(
        ['NAME', 'RUNTIME', 'FORMAT', 'DESCRIPTION'],
        items.map((i) => [i.name, i.runtime, i.format, i.description]),
      );
    });

  t.command('download [name]')
    .description('download one template (e.g. pytorch/classify) or, without a name, all of them as one zip')
    .option('--out <file>', 'where to save the zip ("-" for stdout); default: <kind>-<name>.zip or modeldock-templates.zip')
    .action(async (name: string | undefined, o: { out?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
        throw new CliError(`a template name is <kind>/<name>, e.g. pytorch/classify; got "${name}"`);
      }
      const urlPath = name ? `/api/v1/templates/${name}.zip` : '/api/v1/templates/all.zip';
      const out = o.out ?? (name ? `${name.replace('/', '-')}.zip` : 'modeldock-templates.zip');
      const saved = await saveDownload(await ctx.api.download('GET', urlPath), out, `downloading ${name ?? 'all templates'}`);
      if (ctx.json) return printJson(saved);
      if (saved.path !== '-') process.stdout.write(`saved ${saved.path} (${saved.size} bytes)\n`);
    });
}
