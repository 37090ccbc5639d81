/** The contract every BlobStore implementation passes. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { BlobStore } from './blob-store.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const collect = async (r: Readable) => {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
};

export function describeBlobStore(name: string, make: () => Promise<BlobStore>): void {
  describe(`BlobStore contract: ${name}`, () => {
    it('puts and gets an object byte for byte, with its size and sha256', async () => {
      const s = await make();
      const body = Buffer.from('hello modeldock\n'.repeat(1000));
      const r = await s.put('a/b/c.txt', Readable.from([body.subarray(0, 7), body.subarray(7)]));
      expect(r).toEqual({ size: body.length, sha256: sha(body) });
      expect(sha(await collect(await s.get('a/b/c.txt')))).toBe(sha(body));
      expect(await s.read('a/b/c.txt')).toEqual(body);
      const st = await s.stat('a/b/c.txt');
      expect(st).toMatchObject({ key: 'a/b/c.txt', size: body.length });
      // a store that keeps checksums beside objects answers the one put computed
      if (st?.sha256 !== undefined) expect(st.sha256).toBe(sha(body));
    });

    it('replaces an object atomically and lists a prefix sorted', async () => {
      const s = await make();
      await s.put('p/2.bin', Buffer.from('two'));
      await s.put('p/1.bin', Buffer.from('one'));
      await s.put('p/sub/3.bin', Buffer.from('three'));
      await s.put('q/x', Buffer.from('x'));
      await s.put('p/1.bin', Buffer.from('uno!'));
      expect((await s.read('p/1.bin')).toString()).toBe('uno!');
      expect(await s.list('p')).toEqual([
        { key: 'p/1.bin', size: 4 },
        { key: 'p/2.bin', size: 3 },
        { key: 'p/sub/3.bin', size: 5 },
      ]);
      expect(await s.list('nothing-here')).toEqual([]);
    });

    it('answers OBJECT_NOT_FOUND for a missing object, and null from stat', async () => {
      const s = await make();
      await expect(s.get('missing/file')).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
      await expect(s.read('missing/file')).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
      expect(await s.stat('missing/file')).toBeNull();
    });

    it('refuses keys that escape the store', async () => {
      const s = await make();
      for (const k of ['../x', '/etc/passwd', 'a/../../x', 'a\\b', 'a\u0000b']) {
        await expect(s.put(k, Buffer.from('x'))).rejects.toMatchObject({ code: 'INVALID_PATH' });
      }
    });

    it('stops a write over maxBytes and leaves nothing behind', async () => {
      const s = await make();
      await expect(s.put('big/one', Buffer.alloc(2048), { maxBytes: 1024 })).rejects.toMatchObject({ code: 'UPLOAD_TOO_LARGE' });
      expect(await s.stat('big/one')).toBeNull();
      expect(await s.list('big')).toEqual([]);
    });

    it('copies, deletes one object, and deletes a prefix', async () => {
      const s = await make();
      await s.put('c/a', Buffer.from('A'));
      await s.put('c/d/b', Buffer.from('B'));
      const r = await s.copy('c/a', 'e/a2');
      expect(r.sha256).toBe(sha(Buffer.from('A')));
      await s.delete('c/a');
      expect(await s.stat('c/a')).toBeNull();
      await s.deletePrefix('c');
      expect(await s.list('c')).toEqual([]);
      expect((await s.read('e/a2')).toString()).toBe('A');
    });
  });
}
