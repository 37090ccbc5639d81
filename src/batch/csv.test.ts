import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes and both line ends', () => {
    expect(parseCsv('a,b\r\n1,"x, ""y"""\n"multi\nline",3')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1', 'x, "y"'] },
      { line: 3, cells: ['multi\nline', '3'] },
    ]);
  });

  it('keeps empty cells and ignores a final newline', () => {
    expect(parseCsv('a,,c\n')).toEqual([{ line: 1, cells: ['a', '', 'c'] }]);
  });
});
