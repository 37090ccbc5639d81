/**
 * What a batch job reads: the input in the object store, cut into inputs, each with a
 * stable key (the result line names it) and the request body sent to the model.
 *   images — a folder: every object under it is one input, sent as {"images": ["<base64>"]}
 *   jsonl  — a file: every non-empty line is one request body (key `<file>#<line>`)
 *   csv    — a file with a header row: every row is one body {column: value} (numbers as numbers)
 * An input that cannot become a body (a line that is not JSON) is an error line, not a
 * failed job: load() answers its error.
 */
import type { BatchInputFormat } from '../contracts/batch.js';
import { DomainError } from '../contracts/errors.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import { parseCsv } from './csv.js';

export type LoadedInput = { key: string; body: unknown } | { key: string; error: { code: string; message: string } };

export interface BatchInputs {
  /** every input's key, in a stable order */
  keys: string[];
  load(key: string): Promise<LoadedInput>;
}

/** The format a path implies when none is given: a .jsonl or .csv file, else a folder of images. */
export function formatOf(path: string, given?: BatchInputFormat): BatchInputFormat {
  if (given) return given;
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  if (/\.csv$/i.test(path)) return 'csv';
  return 'images';
}

export async function openInputs(blobs: BlobStore, path: string, format: BatchInputFormat, skipPrefix?: string): Promise<BatchInputs> {
  if (format === 'images') {
    const keys = (await blobs.list(path)).map((o) => o.key).filter((k) => !skipPrefix || !k.startsWith(`${skipPrefix}/`));
    return {
      keys,
      async load(key) {
        const bytes = await blobs.read(key);
        return { key, body: { images: [bytes.toString('base64')] } };
      },
    };
  }
  if (!(await blobs.stat(path))) throw new DomainError('SOURCE_NOT_FOUND', `input "${path}" is not a file in the object store (a ${format} input is one file)`);
  const text = (await blobs.read(path)).toString('utf8');
  const rows = format === 'jsonl' ? jsonlRows(text) : csvRows(text, path);
  const byKey = new Map(rows.map((r) => [`${path}#${r.n}`, r]));
  return {
    keys: [...byKey.keys()],
    async load(key) {
      const r = byKey.get(key)!;
      if ('error' in r) return { key, error: r.error };
      return { key, body: r.body };
    },
  };
}

type Row = { n: number; body: unknown } | { n: number; error: { code: string; message: string } };

function jsonlRows(text: string): Row[] {
  const out: Row[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    try {
      out.push({ n: i + 1, body: JSON.parse(line) as unknown });
    } catch (e) {
      out.push({ n: i + 1, error: { code: 'INVALID_JSON', message: `line ${i + 1} is not JSON: ${(e as Error).message}` } });
    }
  });
  return out;
}

function csvRows(text: string, path: string): Row[] {
  const records = parseCsv(text);
  const header = records.shift();
  if (!header || header.cells.every((c) => !c.trim())) throw new DomainError('SOURCE_NOT_FOUND', `input "${path}" has no header row`);
  const names = header.cells.map((c) => c.trim());
  return records
    .filter((r) => r.cells.some((c) => c !== ''))
    .map((r, i) => {
      if (r.cells.length !== names.length)
        return {
          n: i + 1,
          error: { code: 'INVALID_INPUT', message: `row ${i + 1} (line ${r.line}) has ${r.cells.length} fields; the header has ${names.length}` },
        };
      const body: Record<string, string | number> = {};
      names.forEach((name, k) => (body[name] = asValue(r.cells[k]!)));
      return { n: i + 1, body };
    });
}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const asValue = (s: string): string | number => (NUMBER.test(s.trim()) ? Number(s) : s);
