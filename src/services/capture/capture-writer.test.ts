/**
 * The capture writer on a real folder store: calls offered become JSONL files; its bounds
 * drop and count (queue_full) instead of holding more; a store that refuses the write drops
 * and counts (store_error); files roll by time without anyone flushing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../log.js';
import { FolderBlobStore } from '../../store/blobs/folder-blob-store.js';
import type { CaptureEntry } from '../../gateway/capture-hook.js';
import { eventually } from '../../../test/support/platform.js';
import { CaptureWriter, type CaptureWriterOptions } from './capture-writer.js';

const log = createLogger('silent');
const writers: CaptureWriter[] = [];
afterEach(async () => {
  for (const w of writers.splice(0)) await w.close();
});

const setup = (opts: Partial<CaptureWriterOptions> = {}) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-capture-'));
  const blobs = new FolderBlobStore(dir);
  const w = new CaptureWriter({ blobs, replica: 'test/1/x', log }, opts);
  writers.push(w);
  return { dir, blobs, w };
};

const entry = (i: number, over: Partial<CaptureEntry> = {}): CaptureEntry => ({
  at: Date.now(),
  service: 'svc',
  seq: 1,
  versionId: 'vid',
  instanceId: 'inst',
  op: 'predict',
  method: 'POST',
  url: '/svc/v1/models/m:predict',
  status: 200,
  latencyMs: 1,
  request: Buffer.from(JSON.stringify({ i })),
  requestType: 'application/json',
  response: Buffer.from('{"ok":true}'),
  responseType: 'application/json',
  maxBodyBytes: 1024,
  ...over,
});

const lines = async (blobs: FolderBlobStore) => {
  const out: { i: number }[] = [];
  for (const b of await blobs.list('captures/'))
    for (const l of (await blobs.read(b.key)).toString().trim().split('\n')) out.push(JSON.parse(Buffer.from(JSON.parse(l).request.body, 'base64').toString()));
  return out;
};

describe('the capture writer', () => {
  it('writes every offered call, once, as JSON lines in files rolled by size', async () => {
    const { blobs, w } = setup({ rollBytes: 2_000 });
    for (let i = 0; i < 100; i++) w.offer(entry(i));
    await w.flush();
    const files = await blobs.list('captures/svc/1/');
    expect(files.length).toBeGreaterThan(3);
    expect((await lines(blobs)).map((x) => x.i).sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
    expect(w.totals).toMatchObject({ captured: 100, files: files.length, dropped: { queue_full: 0, store_error: 0 } });
    expect(w.totals.bytes).toBe(files.reduce((a, f) => a + f.size, 0));
    expect(w.heldBytes).toBe(0);
  });

  it('drops and counts past its queue and memory bounds, and never throws to the caller', async () => {
    const { blobs, w } = setup({ maxQueued: 5 });
    for (let i = 0; i < 12; i++) w.offer(entry(i));
    expect(w.totals.dropped.queue_full).toBe(7);
    await w.flush();
    expect((await lines(blobs)).length).toBe(5);

    const small = setup({ maxBufferedBytes: 4_096 }).w;
    small.offer(entry(0, { request: Buffer.alloc(10_000), maxBodyBytes: 8_192 }));
    expect(small.totals.dropped.queue_full).toBe(1);
    small.offer(entry(1, { request: Buffer.alloc(10_000), maxBodyBytes: 100 }));
    expect(small.totals.dropped.queue_full).toBe(1);
  });

  it('drops and counts the captures of a file the store refuses; later files are written again', async () => {
    const { dir, blobs, w } = setup();
    // a file where the service's folder would be: every write under it fails (PATH_CONFLICT)
    fs.mkdirSync(path.join(dir, 'captures'));
    fs.writeFileSync(path.join(dir, 'captures', 'svc'), 'in the way');
    for (let i = 0; i < 10; i++) expect(() => w.offer(entry(i))).not.toThrow();
    await w.flush();
    expect(w.totals).toMatchObject({ captured: 0, dropped: { store_error: 10, queue_full: 0 } });
    expect(w.heldBytes).toBe(0);
    fs.rmSync(path.join(dir, 'captures', 'svc'));
    w.offer(entry(99));
    await w.flush();
    expect(await lines(blobs)).toEqual([{ i: 99 }]);
  });

  it('rolls a file by time, with nobody flushing', async () => {
    const { blobs, w } = setup({ rollMs: 200 });
    w.offer(entry(1));
    await eventually(async () => (await blobs.list('captures/')).length === 1, 5_000, 'a file rolled by time');
    expect(w.totals.captured).toBe(1);
  });
});
