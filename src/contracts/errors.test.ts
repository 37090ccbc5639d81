import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STATUS_BY_KIND } from '../http/error-answer.js';
import { ERROR_CODES, type ErrorCode } from './errors.js';

const doc = fs.readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const rows = [...doc.matchAll(/^\| `([A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => ({ code: m[1]!, status: Number(m[2]) }));

describe('docs/errors.md', () => {
  it('lists every error code exactly once', () => {
    const documented = rows.map((r) => r.code).sort();
    expect(documented).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('gives each code the HTTP status the edge answers with', () => {
    for (const r of rows) expect([r.code, STATUS_BY_KIND[ERROR_CODES[r.code as ErrorCode]]]).toEqual([r.code, r.status]);
  });
});
