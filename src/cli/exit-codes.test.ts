import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../contracts/errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';

describe('exit statuses per kind of failure', () => {
  it('maps the API codes by kind, the CLI codes by meaning, and unknown codes by HTTP status', () => {
    const cases: [string, number | undefined, number][] = [
      ['MODEL_NOT_FOUND', 404, 3],
      ['OBJECT_NOT_FOUND', 404, 3],
      ['MODEL_EXISTS', 409, 4],
      ['TASK_RUNNING', 409, 4],
      ['UNAUTHENTICATED', 401, 5],
      ['LOCAL_PATH_NOT_ALLOWED', 403, 5],
      ['INVALID_ARGUMENT', 400, 2],
      ['INVALID_NAME', undefined, 2],
      ['UPLOAD_TOO_LARGE', 413, 2],
      ['UNAVAILABLE', 503, 6],
      ['QUEUE_FULL', 503, 6],
      ['DEADLINE_EXCEEDED', 504, 6],
      ['TIMEOUT', undefined, 6],
      ['UNREACHABLE', 0, 6],
      ['TRANSPORT', 0, 6],
      ['INVALID_CONFIG', undefined, 2],
      ['INTERNAL', 500, 1],
      ['IMPORT_FAILED', undefined, 1],
      ['TASK_FAILED', undefined, 1],
      ['HTTP_404', 404, 3],
      ['HTTP_502', 502, 6],
      ['HTTP_418', 418, 2],
      ['INVALID_RESPONSE', 200, 1],
      ['toString', undefined, 1],
    ];
    expect(cases.map(([code, status]) => [code, status, exitCodeFor(code, status)])).toEqual(cases);
    expect(exitCodeFor(undefined)).toBe(1);
  });

  it('gives every API error code an exit status other than success', () => {
    const statuses = new Set<number>(Object.values(EXIT));
    for (const code of Object.keys(ERROR_CODES)) {
      const exit = exitCodeFor(code);
      expect([code, statuses.has(exit) && exit !== 0]).toEqual([code, true]);
    }
  });

  it('is documented in docs/cli.md, one row per status', () => {
    const doc = fs.readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `(\d+)` \|/gm)].map((m) => Number(m[1]));
    expect(rows).toEqual([...new Set(Object.values(EXIT))].sort((a, b) => a - b));
  });
});
