/**
 * templates/pytorch/mnist on the Python runtime with the small CNN that
 * examples/mnist-pytorch/train.py trains on the built-in mnist dataset (DESIGN's split:
 * per class the first 90% train, the last 10% held out; 3 epochs, ~10 s on 2 cores). The held-out digits go through the template as 28×28
 * PNGs, inverted to dark-on-light and scaled to 200×200 JPEGs, and as photo-like pictures
 * (dark ink on uneven grey paper, off centre, 640×480, blurred, colour JPEG).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../src/contracts/errors.js';
import { PythonRuntime } from '../src/instance/runtimes/python-runtime.js';
import { FolderBlobStore } from '../src/store/blobs/folder-blob-store.js';
import { materializeMnist } from '../src/tasks/datasets/mnist.js';
import { tempDir, TEMPLATES } from './instance-harness.js';

const TRAIN_PY = fileURLToPath(new URL('../examples/mnist-pytorch/train.py', import.meta.url));

/** Turns the held-out IDX files into the cases the template is judged on (cases.json). */
const CASES = String.raw`import base64, io, json, os, struct, sys
import numpy as np
from PIL import Image, ImageFilter

data, out = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(0)

def read_idx(path):
    with open(path, "rb") as f:
        magic, = struct.unpack(">I", f.read(4))
        dims = [struct.unpack(">I", f.read(4))[0] for _ in range(magic & 0xFF)]
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)

images = read_idx(os.path.join(data, "heldout-images-idx3-ubyte")).astype(np.float32) / 255.0
labels = read_idx(os.path.join(data, "heldout-labels-idx1-ubyte"))
held = [(int(d), a) for d, a in zip(labels, images)]

def enc(img, fmt):
    b = io.BytesIO(); img.save(b, fmt, quality=90) if fmt == "JPEG" else img.save(b, fmt); return base64.b64encode(b.getvalue()).decode()

cases = {"raw_png": [], "inverted_jpeg_200": [], "photos": []}
for d, a in held:
    img = Image.fromarray((a * 255).astype(np.uint8))
    cases["raw_png"].append([d, enc(img, "PNG")])
    inv = Image.fromarray((255 - a * 255).astype(np.uint8)).resize((200, 200), Image.BICUBIC)
    cases["inverted_jpeg_200"].append([d, enc(inv, "JPEG")])
# photo-like: dark ink on uneven grey paper, off centre, noisy, in colour, 640x480 JPEG
for d, a in [[h for h in held if h[0] == c][3] for c in range(10)]:  # one per class
    W, H = 640, 480
    yy, xx = np.mgrid[0:H, 0:W]
    paper = 170 + 40 * (xx / W) + 15 * (yy / H) + rng.normal(0, 6, (H, W))
    size = int(rng.integers(150, 260))
    ink = np.asarray(Image.fromarray((a * 255).astype(np.uint8)).resize((size, size), Image.BICUBIC), dtype=np.float32) / 255
    top, left = int(rng.integers(10, H - size - 10)), int(rng.integers(10, W - size - 10))
    region = paper[top:top + size, left:left + size]
    paper[top:top + size, left:left + size] = region * (1 - 0.8 * ink)
    g = np.clip(paper, 0, 255).astype(np.uint8)
    rgb = Image.fromarray(np.stack([g, (g * 0.97).astype(np.uint8), (g * 0.9).astype(np.uint8)], -1)).filter(ImageFilter.GaussianBlur(1.2))
    cases["photos"].append([d, enc(rgb, "JPEG")])
with open(os.path.join(out, "cases.json"), "w") as f:
    json.dump(cases, f)
`;

type Cases = Record<'raw_png' | 'inverted_jpeg_200' | 'photos', [number, string][]>;

describe('pytorch/mnist template (trained on the mnist training split, judged on the held-out split)', () => {
  let rt: PythonRuntime;
  let cases: Cases;
  beforeAll(async () => {
    const work = tempDir('modeldock-mnist-');
    // the built-in dataset, trained on by the example a training task runs (3 epochs here)
    await materializeMnist(new FolderBlobStore(work));
    const data = path.join(work, 'datasets', 'mnist');
    const env = { ...process.env, MODELDOCK_INPUT_MNIST: data, MODELDOCK_OUTPUT_DIR: work, EPOCHS: '3' };
    execFileSync('/usr/bin/python3', [TRAIN_PY], { env, stdio: ['ignore', 'pipe', 'inherit'], timeout: 240_000 });
    fs.writeFileSync(path.join(work, 'cases.py'), CASES);
    execFileSync('/usr/bin/python3', [path.join(work, 'cases.py'), data, work], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 });
    cases = JSON.parse(fs.readFileSync(path.join(work, 'cases.json'), 'utf8')) as Cases;
    const pkg = tempDir();
    fs.cpSync(path.join(TEMPLATES, 'pytorch/mnist'), pkg, { recursive: true });
    fs.copyFileSync(path.join(work, 'model.pt'), path.join(pkg, 'model.pt'));
    rt = new PythonRuntime();
    await rt.load({
      modelDir: pkg,
      modelName: 'mnist',
      env: { ...(process.env as Record<string, string>), TI_INFERENCE_MAX_BATCH_SIZE: '8' },
      threads: 1,
      maxBatchSize: 8,
      log: () => undefined,
    });
  }, 400_000);
  afterAll(async () => {
    await rt?.close();
  });

  /** Sends the images 25 per request, 8 requests per predict call (one batched predict); answers the accuracy. */
  async function accuracy(items: [number, string][]): Promise<number> {
    const bodies = [];
    for (let i = 0; i < items.length; i += 25) bodies.push({ images: items.slice(i, i + 25).map(([, b64]) => b64) });
    let right = 0;
    for (let i = 0; i < bodies.length; i += 8) {
      const answers = await rt.predict(bodies.slice(i, i + 8));
      answers.forEach((a, k) => {
        expect(a).not.toBeInstanceOf(Error);
        (a as { predictions: { digit: number; probability: number }[] }).predictions.forEach((p, j) => {
          if (p.digit === items[(i + k) * 25 + j]![0]) right++;
        });
      });
    }
    return right / items.length;
  }

  it('reads the held-out digits as 28×28 PNGs (light on dark) at ≥ 95%', async () => {
    expect(cases.raw_png.length).toBeGreaterThan(990);
    expect(await accuracy(cases.raw_png)).toBeGreaterThanOrEqual(0.95);
  });

  it('reads them inverted to dark-on-light and scaled to 200×200 JPEGs at ≥ 95%', async () => {
    expect(await accuracy(cases.inverted_jpeg_200)).toBeGreaterThanOrEqual(0.95);
  });

  it('reads photo-like pictures: dark ink on uneven paper, off centre, large, colour JPEG', async () => {
    expect(cases.photos.map(([d]) => d)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const [answer] = (await rt.predict([{ images: cases.photos.map(([, b]) => b) }])) as { predictions: { digit: number; probability: number }[] }[];
    expect(answer!.predictions.map((p) => p.digit)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(answer!.predictions.every((p) => p.probability > 0.5 && p.probability <= 1)).toBe(true);
  });

  it('answers a blank picture or a non-image with a 400 naming the item', async () => {
    const blank = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAG7buVgAAAABJRU5ErkJggg=='; // a 1×1 PNG
    const [a, b] = await rt.predict([{ images: [cases.raw_png[0]![1], blank] }, { images: ['aGVsbG8='] }]);
    expect(a).toBeInstanceOf(DomainError);
    expect((a as DomainError).code).toBe('INVALID_INPUT');
    expect((a as Error).message).toBe('images[1]: no digit found (the image is blank)');
    expect((b as DomainError).code).toBe('IMAGE_DECODE_FAILED');
  });
});
