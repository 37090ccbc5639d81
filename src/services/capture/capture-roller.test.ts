/** The roller: files cut by size, by age and at each UTC hour; keys that the reader parses back. */
import { describe, expect, it } from 'vitest';
import { CaptureRoller, captureKey, parseCaptureFile, replicaSegment } from './capture-roller.js';

const T0 = Date.UTC(2026, 11, 4, 18, 59, 0, 0);
const roller = (rollBytes = 100, rollMs = 10_000) => {
  let n = 0;
  return new CaptureRoller('svc', 3, { rollBytes, rollMs, replica: 'host_1_ab', nextN: () => ++n });
};

describe('the capture roller', () => {
  it('rolls a file once it holds rollBytes, as one whole object of its lines', () => {
    const r = roller(30);
    expect(r.add(['a'.repeat(14), '\n'], T0)).toEqual({ bytes: 15, rolled: [] });
    const {
      rolled: [f],
    } = r.add(['b'.repeat(13), '猫'], T0 + 1); // 13 + 3 bytes
    expect(f).toMatchObject({ records: 2, size: 31, service: 'svc', seq: 3, key: 'captures/svc/3/2026/12/04/18/20261204T185900000Z-host_1_ab-1.jsonl' });
    expect(Buffer.concat(f!.chunks).toString()).toBe(`${'a'.repeat(14)}\n${'b'.repeat(13)}猫`);
    expect(r.size).toBe(0);
    // the next file starts where this one ended in the same buffer, its bytes its own
    const {
      rolled: [g],
    } = r.add(['c'.repeat(40)], T0 + 2);
    expect(Buffer.concat(g!.chunks).toString()).toBe('c'.repeat(40));
    expect(Buffer.concat(f!.chunks).toString()).toBe(`${'a'.repeat(14)}\n${'b'.repeat(13)}猫`);
  });

  it('writes ASCII pieces byte for byte and takes a line longer than its buffers', () => {
    const r = roller(10 << 20);
    const long = 'x'.repeat(300 * 1024);
    expect(r.add(['{"a":"', long, '"}\n'], T0, [false, true, false]).bytes).toBe(long.length + 9);
    r.add(['é\n'], T0);
    const f = r.due(T0, true)!;
    expect(Buffer.concat(f.chunks).toString()).toBe(`{"a":"${long}"}\né\n`);
    expect(f.size).toBe(long.length + 12);
  });

  it('rolls by age of the first record, or when forced; nothing when empty', () => {
    const r = roller(1000, 5_000);
    expect(r.due(T0)).toBeUndefined();
    r.add(['x\n'], T0);
    expect(r.due(T0 + 4_999)).toBeUndefined();
    expect(r.due(T0 + 5_000)?.records).toBe(1);
    r.add(['y\n'], T0);
    expect(r.due(T0, true)?.records).toBe(1);
    expect(r.due(T0, true)).toBeUndefined();
  });

  it('starts a new file when a record falls in another UTC hour, so each file sits in its hour folder', () => {
    const r = roller(1000, 3_600_000);
    r.add(['x\n'], T0);
    const {
      rolled: [f],
    } = r.add(['y\n'], T0 + 60_000); // 19:00
    expect(f?.key).toContain('/2026/12/04/18/');
    expect(f?.records).toBe(1);
    expect(r.due(0, true)?.key).toContain('/2026/12/04/19/20261204T190000000Z-');
  });

  it('parses its own keys back (version, start time) and nothing else', () => {
    const key = captureKey('svc', 12, T0 + 345, replicaSegment('host/1234/ab-cd'), 7);
    const rel = key.slice('captures/svc/'.length);
    expect(rel).toBe('12/2026/12/04/18/20261204T185900345Z-host_1234_ab-cd-7.jsonl');
    expect(parseCaptureFile(rel)).toEqual({ seq: 12, startedAt: T0 + 345 });
    for (const bad of ['../x.jsonl', '12/2026/12/04/18/x.jsonl', `${rel}.tmp`, `0/${rel.slice(3)}`]) expect(parseCaptureFile(bad)).toBeUndefined();
  });
});
