/** CLI output helpers: one-line errors with a non-zero exit, tables, JSON. */
import type { Command } from 'commander';

/** A failure found by the CLI itself (bad flags, missing files, a failed import). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly code = 'INVALID_ARGUMENT',
  ) {
    super(message);
  }
}

export interface GlobalOpts {
  server: string;
  token?: string;
  json: boolean;
}

export function globalOpts(cmd: Command): GlobalOpts {
  return cmd.optsWithGlobals() as GlobalOpts;
}

export async function runMain(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const err = e as Error & { exitCode?: number; code?: unknown };
    const message = String(err?.message ?? e).split('\n')[0] ?? '';
    const code = typeof err?.code === 'string' && !message.startsWith(err.code) ? `${err.code}: ` : '';
    process.stderr.write(`error: ${code}${message}\n`);
    process.exitCode = err.exitCode ?? 1;
  }
}

/** Prints rows as an aligned table with a header. */
export function printTable(headers: string[], rows: (string | number | null | undefined)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i] ?? ''))));
  const pad = (c: string, w: number) => c + ' '.repeat(Math.max(0, w - displayWidth(c)));
  for (const r of cells) process.stdout.write(`${r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  ')}\n`);
}

/** Columns a string takes in a terminal: East Asian wide and fullwidth characters take two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    const wide =
      (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
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
