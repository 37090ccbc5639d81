import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeBlobStore } from './blob-store.contract.js';
import { FolderBlobStore } from './folder-blob-store.js';

const fresh = () => new FolderBlobStore(fs.mkdtempSync(path.join(os.tmpdir(), 'md-blobs-')));

describeBlobStore('folder', async () => fresh());

describe('FolderBlobStore specifics', () => {
  it('makes its temp folder again when it goes missing, and never lists what is in it', async () => {
    const s = fresh();
    await s.put('a/one', Buffer.from('1'));
    fs.rmSync(path.join(s.root, '.tmp'), { recursive: true, force: true });
    await s.put('a/two', Buffer.from('22'));
    expect(await s.list('a')).toEqual([
      { key: 'a/one', size: 1 },
      { key: 'a/two', size: 2 },
    ]);
    // a temp file a crash left behind is not an object
    fs.writeFileSync(path.join(s.root, '.tmp', 'left-over'), 'partial');
    expect((await s.list('')).map((o) => o.key)).toEqual(['a/one', 'a/two']);
  });

  it('answers PATH_CONFLICT, not an fs error, when the folder changed under a key behind its back', async () => {
    const s = fresh();
    fs.mkdirSync(path.join(s.root, 'd', 'x'), { recursive: true });
    // an empty folder where the object would go: no object is listed, still no file can go there
    await expect(s.put('d/x', Buffer.from('x'))).rejects.toMatchObject({ code: 'PATH_CONFLICT' });
    expect(fs.readdirSync(path.join(s.root, '.tmp'))).toEqual([]);
  });
});
