/**
 * The repository is self-contained: the fixtures the README, `modeldock demo`, the tests and
 * the bench use live in examples/fixtures/, each listed in PROVENANCE.md with its sha256, and
 * no tracked file reads a folder outside the checkout.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const DIR = path.join(REPO, 'examples', 'fixtures');

/** `| \`file\` | size | \`sha256\` | …` rows of PROVENANCE.md */
function listed(): Map<string, { size: number; sha256: string }> {
  const rows = new Map<string, { size: number; sha256: string }>();
  const text = fs.readFileSync(path.join(DIR, 'PROVENANCE.md'), 'utf8');
  for (const m of text.matchAll(/^\| `([^`]+)` \| (\d+) \| `([0-9a-f]{64})` \|/gm)) rows.set(m[1]!, { size: Number(m[2]), sha256: m[3]! });
  return rows;
}

function filesUnder(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

describe('examples/fixtures', () => {
  it('holds every file PROVENANCE.md lists, byte for byte, and nothing it does not list', () => {
    const rows = listed();
    expect(rows.size).toBe(11);
    const present = filesUnder(DIR)
      .filter((f) => f !== 'PROVENANCE.md')
      .sort();
    expect(present).toEqual([...rows.keys()].sort());
    for (const [file, want] of rows) {
      const bytes = fs.readFileSync(path.join(DIR, file));
      expect({ file, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }).toEqual({ file, ...want });
    }
  });

  it('is what the project reads: no tracked file points outside the checkout at ../shared', () => {
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' }).split('\0').filter(Boolean);
    const offenders = tracked
      .filter((f) => /\.(ts|tsx|js|mjs|py|sh|json|md)$/.test(f) && f !== 'test/fixtures.test.ts')
      .filter(
        (f) => fs.existsSync(path.join(REPO, f)) && /\.\.\/shared\/|\.\.\/\.\.\/shared|'\.\.', 'shared'/.test(fs.readFileSync(path.join(REPO, f), 'utf8')),
      );
    expect(offenders).toEqual([]);
  });
});
