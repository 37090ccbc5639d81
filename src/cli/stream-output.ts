/**
 * `-o` on the commands that stream (services logs [-f], services events --watch, tasks logs
 * [-f], tasks create --follow): each item is printed as soon as it comes, so a stream stays
 * a stream in every format —
 *   json  → NDJSON: one compact JSON object per line (`| jq -c` friendly)
 *   yaml  → a YAML stream: each item its own document after `---`
 *   wide  → one text line with more fields (sequence numbers, ids)
 *   table → one text line (the default)
 * Summary lines (a run's end state) go to stderr in every format.
 */
import { stringify } from 'yaml';
import type { OutputFormat } from './output-format.js';

/** One stream item as the format prints it; `text(wide)` is its human line, without the newline. */
export function streamItem(value: unknown, format: OutputFormat, text: (wide: boolean) => string): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(value)}\n`;
    case 'yaml':
      return `---\n${stringify(JSON.parse(JSON.stringify(value ?? null)))}`;
    case 'wide':
      return `${text(true)}\n`;
    default:
      return `${text(false)}\n`;
  }
}

/** Writes one stream item to stdout. */
export function printStreamItem(value: unknown, format: OutputFormat, text: (wide: boolean) => string): void {
  process.stdout.write(streamItem(value, format, text));
}
