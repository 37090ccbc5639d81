/** Every English text the console passes to t('…') has its 简体中文 (console/src/zh.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EN, ZH } from '../console/src/zh.js';

function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.tsx') ? [path.join(dir, e.name)] : []));
}

describe('console translations', () => {
  it('has Chinese for every literal text and English for every non-text key', () => {
    const texts = new Set<string>();
    for (const f of sources('console/src')) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/\bt\(\s*'((?:[^'\\]|\\.)+)'/g)) texts.add(m[1]!.replace(/\\'/g, "'"));
    }
    expect(texts.size).toBeGreaterThan(200);
    expect([...texts].filter((s) => !(s in ZH))).toEqual([]);
    expect(Object.keys(EN).filter((k) => !(k in ZH))).toEqual([]);
  });
});
