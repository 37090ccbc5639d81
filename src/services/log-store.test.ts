import { describe, expect, it } from 'vitest';
import { LogStore } from './log-store.js';

const line = (service: string, n: number, instanceId = 'i1') => ({ service, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(), instanceId, stream: 'stdout' as const, line: `line ${n}` });

describe('LogStore', () => {
  it('keeps the newest lines of each service up to its bound, oldest dropped first', () => {
    const s = new LogStore(10);
    for (let n = 1; n <= 37; n++) s.append(line('a', n));
    s.append(line('b', 1));
    const a = s.query('a', { limit: 100 }).items.map((l) => l.line);
    expect(a).toEqual(Array.from({ length: 10 }, (_, i) => `line ${28 + i}`));
    expect(s.query('b', { limit: 100 }).items).toHaveLength(1);
  });

  it('pages by cursor, and filters by instance, keyword and time', () => {
    const s = new LogStore(100);
    for (let n = 1; n <= 6; n++) s.append(line('a', n, n % 2 ? 'odd' : 'even'));
    const first = s.query('a', { limit: 2 });
    expect(first.items.map((l) => l.line)).toEqual(['line 5', 'line 6']);
    expect(s.query('a', { limit: 100, after: first.cursor }).items).toEqual([]);
    s.append(line('a', 7, 'odd'));
    expect(s.query('a', { limit: 100, after: first.cursor }).items.map((l) => l.line)).toEqual(['line 7']);
    expect(s.query('a', { limit: 100, instance: 'even' }).items.map((l) => l.line)).toEqual(['line 2', 'line 4', 'line 6']);
    expect(s.query('a', { limit: 100, keyword: 'LINE 3' }).items.map((l) => l.line)).toEqual(['line 3']);
    expect(s.query('a', { limit: 100, since: line('a', 6).ts }).items.map((l) => l.line)).toEqual(['line 6', 'line 7']);
  });
});
