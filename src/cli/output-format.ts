/**
 * `-o json|yaml|wide` on the commands that read (list, show): the one place that decides
 * how a command prints. `--json` (global) stays an alias of `-o json`; an explicit `-o` wins.
 */
import { Command, Option } from 'commander';
import { stringify } from 'yaml';

export const OUTPUT_FORMATS = ['json', 'yaml', 'wide'] as const;
export type OutputFormat = 'table' | (typeof OUTPUT_FORMATS)[number];

/** The commands that take `-o`, by their path under `modeldock` (the streams print per stream-output.ts). */
export const READ_COMMANDS = [
  'models list',
  'models show',
  'models version',
  'models files ls',
  'storage ls',
  'tasks list',
  'tasks show',
  'tasks outputs',
  'tasks logs',
  'services list',
  'services show',
  'services instances',
  'services events',
  'services logs',
  'services metrics',
  'services usage',
  'services call-info',
  'services tokens list',
  'services captures',
  'services capture-files',
  'services rollout status',
  'services rollout start',
  'runtimes',
  'templates list',
] as const;

const ours = new WeakSet<Option>();
let current: OutputFormat = 'table';

export const commandPath = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
};

/** Adds `-o, --output <format>` to every READ_COMMANDS command; a path that names no command is a bug. */
export function addOutputOptions(program: Command): void {
  for (const path of READ_COMMANDS) {
    let cmd: Command | undefined = program;
    for (const name of path.split(' ')) cmd = cmd?.commands.find((c) => c.name() === name);
    if (!cmd) throw new Error(`READ_COMMANDS names "${path}", which is no command`);
    const option = new Option('-o, --output <format>', 'output format (default a table; wide: a table with more columns)').choices(OUTPUT_FORMATS);
    ours.add(option);
    cmd.addOption(option);
  }
}

/** The format a command prints in: its own `-o`, else `--json`, else a table. */
export function outputFormatOf(cmd: Command): OutputFormat {
  const option = cmd.options.find((o) => ours.has(o));
  const given = option ? (cmd.getOptionValue(option.attributeName()) as OutputFormat | undefined) : undefined;
  if (given) return given;
  return cmd.optsWithGlobals().json ? 'json' : 'table';
}

/** Called once the command to run is known (a preAction hook). */
export function setOutputFormat(format: OutputFormat): void {
  current = format;
}

export const outputFormat = (): OutputFormat => current;

/** Whether the answer is printed as data (JSON or YAML) rather than for a reader. */
export const structured = (format: OutputFormat = current): boolean => format === 'json' || format === 'yaml';

/** A structured answer as the chosen format prints it. */
export function formatData(value: unknown, format: OutputFormat = current): string {
  return format === 'yaml' ? stringify(JSON.parse(JSON.stringify(value ?? null))) : `${JSON.stringify(value, null, 2)}\n`;
}
