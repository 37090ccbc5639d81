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

    it('refuses keys with empty or "." segments rather than rewriting them', async () => {
      const s = await make();
      for (const k of ['seg//b', 'seg/', 'seg/./b', './seg', 'seg/.', '']) {
        await expect(s.put(k, Buffer.from('x')), k).rejects.toMatchObject({ code: 'INVALID_PATH' });
      }
      await expect(s.list('seg//b')).rejects.toMatchObject({ code: 'INVALID_PATH' });
      await expect(s.get('seg//b')).rejects.toMatchObject({ code: 'INVALID_PATH' });
      expect(await s.list('seg')).toEqual([]);
    });

    it('keeps its own working area (.tmp/) out of every key', async () => {
      const s = await make();
      await s.put('r/x', Buffer.from('x'));
      for (const k of ['.tmp', '.tmp/x', '.tmp/a/b']) {
        await expect(s.put(k, Buffer.from('x')), k).rejects.toMatchObject({ code: 'INVALID_PATH' });
        await expect(s.get(k), k).rejects.toMatchObject({ code: 'INVALID_PATH' });
        await expect(s.delete(k), k).rejects.toMatchObject({ code: 'INVALID_PATH' });
        await expect(s.deletePrefix(k), k).rejects.toMatchObject({ code: 'INVALID_PATH' });
        await expect(s.list(k), k).rejects.toMatchObject({ code: 'INVALID_PATH' });
      }
      // a name that only starts like it is an ordinary key
      await s.put('.tmpx/y', Buffer.from('y'));
      expect(await s.list('.tmpx')).toEqual([{ key: '.tmpx/y', size: 1 }]);
      expect((await s.read('r/x')).toString()).toBe('x');
    });

    // [first, then]: the second would make a path both an object and a folder
    const clashes: [string, string][] = [
      ['k1/a', 'k1/a/b'],
      ['k2/a/b', 'k2/a'],
      ['k3/a', 'k3/a/b/c/d'],
      ['k4/a/b/c/d', 'k4/a/b'],
      ['k5', 'k5/x'],
      ['k6/x', 'k6'],
    ];
    for (const [first, then] of clashes) {
      it(`refuses "${then}" once "${first}" is stored (PATH_CONFLICT), buffered, streamed or copied, and keeps nothing`, async () => {
        const s = await make();
        const top = first.split('/')[0]!;
        await s.put(first, Buffer.from('first'));
        await s.put(`${top}-src/obj`, Buffer.from('copy me'));
        await expect(s.put(then, Buffer.from('then'))).rejects.toMatchObject({ code: 'PATH_CONFLICT' });
        await expect(s.put(then, Readable.from([Buffer.from('then')]))).rejects.toMatchObject({ code: 'PATH_CONFLICT' });
        await expect(s.copy(`${top}-src/obj`, then)).rejects.toMatchObject({ code: 'PATH_CONFLICT' });
        expect(await s.list(top)).toEqual([{ key: first, size: 5 }]);
        expect((await s.read(first)).toString()).toBe('first');
        expect(await s.stat(then)).toBeNull();
        // once the first is gone, the second fits
        await s.deletePrefix(first);
        await s.put(then, Buffer.from('then'));
        expect((await s.read(then)).toString()).toBe('then');
      });
    }

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
