import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderBlobStore } from '../../store/blobs/folder-blob-store.js';
import { createRequire } from 'node:module';
import { materializeMnist, mnistSplit, MNIST_PREFIX, pixelBytes } from './mnist.js';

describe('built-in mnist dataset', () => {
  it('splits every class 90/10 with the held-out part taken from the end', () => {
    const { train, heldout } = mnistSplit();
    expect(train.count + heldout.count).toBe(10_000);
    expect(heldout.count).toBeGreaterThan(950);
    for (let d = 0; d < 10; d++) {
      const t = train.labels.filter((l) => l === d).length;
      const h = heldout.labels.filter((l) => l === d).length;
      expect(Math.floor((t + h) * 0.9)).toBe(t);
    }
    expect(heldout.images.reduce((a, b) => Math.max(a, b), 0)).toBe(255);
  });

  it('reads every digits file of the package to the same bytes as JSON.parse would', () => {
    const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
    for (let d = 0; d < 10; d++) {
      const file = fs.readFileSync(path.join(dir, `${d}.json`));
      const want = Uint8Array.from((JSON.parse(file.toString()) as { data: number[] }).data, (v) => Math.round(v * 255));
      expect(Buffer.from(pixelBytes(file)).equals(Buffer.from(want))).toBe(true);
    }
    const odd = Buffer.from(`{"data":[${[...Array(783).fill('0'), '1e0'].join(', ')}]}`);
    expect(pixelBytes(odd)[783]).toBe(255);
    expect(() => pixelBytes(Buffer.from('{"data":[0,2]}'))).toThrow(/not a pixel value/);
  });

  it('is written to the object store once, as IDX files a script can read', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'md-mnist-'));
    const blobs = new FolderBlobStore(root);
    expect(await materializeMnist(blobs)).toEqual({ written: true });
    expect(await materializeMnist(blobs)).toEqual({ written: false });
    const labels = await blobs.read(`${MNIST_PREFIX}/heldout-labels-idx1-ubyte`);
    expect(labels.readUInt32BE(0)).toBe(0x801);
    expect(labels.readUInt32BE(4)).toBe(mnistSplit().heldout.count);
    const images = await blobs.read(`${MNIST_PREFIX}/train-images-idx3-ubyte`);
    expect(images.length).toBe(16 + mnistSplit().train.count * 784);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
