/** What each -o format makes of a stream's items: NDJSON, YAML documents, text lines. */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { streamItem } from './stream-output.js';

const items = [
  { seq: 1, line: 'a: b' },
  { seq: 2, line: 'multi\nline' },
];
const text = (i: { seq: number; line: string }) => (wide: boolean) => (wide ? `${i.seq} ${i.line}` : i.line);
const all = (format: Parameters<typeof streamItem>[1]) => items.map((i) => streamItem(i, format, text(i))).join('');

describe('stream output', () => {
  it('json is one object per line, each parseable on its own', () => {
    const lines = all('json').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(items);
  });

  it('yaml is one document per item', () => {
    expect(parseAllDocuments(all('yaml')).map((d) => (d as { toJS(): unknown }).toJS())).toEqual(items);
  });

  it('wide adds fields to the text line; table is the line', () => {
    expect(all('wide')).toBe('1 a: b\n2 multi\nline\n');
    expect(all('table')).toBe('a: b\nmulti\nline\n');
  });
});
