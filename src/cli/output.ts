/**
 * CLI output helpers: one-line errors with an exit status per kind (exit-codes.ts), tables
 * (colours on a terminal only, colour.ts), and structured answers in the `-o` format
 * (output-format.ts).
 */
import { CommanderError, type Command } from 'commander';
import { coloursFor, paintState, stripColour } from './colour.js';
import { exitCodeFor } from './exit-codes.js';
import { formatData, outputFormat, outputFormatOf, structured, type OutputFormat } from './output-format.js';

/** A failure found by the CLI itself (bad flags, missing files, a failed import); its code decides the exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code = 'INVALID_ARGUMENT',
  ) {
    super(message);
  }
}

export interface GlobalOpts {
  server: string;
  token?: string;
  /** the answer is printed as data (-o json, -o yaml or --json), not for a reader */
  json: boolean;
  output: OutputFormat;
}

export function globalOpts(cmd: Command): GlobalOpts {
  const o = cmd.optsWithGlobals() as { server: string; token?: string };
  const output = outputFormatOf(cmd);
  return { server: o.server, token: o.token, json: structured(output), output };
}

export async function runMain(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    // commander has printed its own message (usage errors) or the help / version asked for
    if (e instanceof CommanderError) return void (process.exitCode = e.exitCode === 0 ? 0 : 2);
    const err = e as Error & { code?: unknown; status?: number };
    const message = String(err?.message ?? e).split('\n')[0] ?? '';
    const code = typeof err?.code === 'string' && !message.startsWith(err.code) ? `${err.code}: ` : '';
    process.stderr.write(`${coloursFor(process.stderr).red('error:')} ${code}${message}\n`);
    process.exitCode = exitCodeFor(err?.code, err?.status);
  }
}

/** A column shown only with `-o wide`. */
export interface WideColumn {
  header: string;
  wide: true;
}
export const wide = (header: string): WideColumn => ({ header, wide: true });

/** Columns whose cells are states, coloured on a terminal. */
const STATE_COLUMNS = new Set(['STATUS', 'STATE', 'PHASE', 'TYPE']);

/** Prints rows as an aligned table with a header; wide() columns only with `-o wide`. */
export function printTable(columns: (string | WideColumn)[], rows: (string | number | null | undefined)[][]): void {
  const showWide = outputFormat() === 'wide';
  const shown = columns.map((c, i) => [c, i] as const).filter(([c]) => typeof c === 'string' || showWide);
  const headers = shown.map(([c]) => (typeof c === 'string' ? c : c.header));
  const colours = coloursFor(process.stdout);
  const body = rows.map((r) =>
    shown.map(([, i], j) => {
      const c = r[i];
      const text = c === null || c === undefined ? '-' : String(c);
      return STATE_COLUMNS.has(headers[j] ?? '') ? paintState(text, colours) : text;
    }),
  );
  const cells = [headers, ...body];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i] ?? ''))));
  const pad = (c: string, w: number) => c + ' '.repeat(Math.max(0, w - displayWidth(c)));
  for (const r of cells) process.stdout.write(`${r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  ')}\n`);
}

/** Columns a string takes in a terminal: East Asian wide and fullwidth characters take two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of stripColour(s)) {
    const c = ch.codePointAt(0) ?? 0;
    const wide =
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1f300 && c <= 0x1faff) ||
      (c >= 0x20000 && c <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

/** Prints a structured answer in the chosen format: JSON (--json, -o json) or YAML (-o yaml). */
export function printJson(value: unknown): void {
  process.stdout.write(formatData(value));
}

/** `--tag k=v` (repeatable) → {k: v}. */
export function parseTags(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const tags: Record<string, string> = {};
  for (const t of list) {
    const i = t.indexOf('=');
    if (i <= 0) throw new CliError(`--tag wants key=value, got "${t}"`);
    tags[t.slice(0, i)] = t.slice(i + 1);
  }
  return tags;
}

/** commander helper for repeatable options. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Prints `key: value` lines, aligned. */
export function printFields(fields: [string, string | number | null | undefined][]): void {
  const w = Math.max(...fields.map(([k]) => k.length));
  for (const [k, v] of fields) process.stdout.write(`${`${k}:`.padEnd(w + 2)}${v === null || v === undefined || v === '' ? '-' : String(v)}\n`);
}
