/**
 * What the scenarios serve and send, made at bench time in a temp folder: the MNIST CNN
 * (ONNX + TorchScript, via /usr/bin/python3 and Debian's torch), the pytorch/mnist and
 * onnx/classify packages, a digit JPEG, a 224×224 photo, and the request bodies.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { packBinary } from '../../src/instance/binary-tensors.js';
import { FolderBlobStore } from '../../src/store/blobs/folder-blob-store.js';
import { MNIST_PREFIX, materializeMnist, mnistSplit } from '../../src/tasks/datasets/mnist.js';
import { ROOT } from './spawn.js';

export const FIXTURES = process.env.MODELDOCK_FIXTURES ?? path.resolve(ROOT, 'examples/fixtures');
export const PYTHON = process.env.MODELDOCK_PYTHON ?? '/usr/bin/python3';

export interface Fixtures {
  dir: string;
  /** folder with model.onnx (the MNIST CNN, dynamic batch) */
  mnistOnnx: string;
  /** pytorch/mnist template + model.pt, or undefined when torch is missing */
  mnistPython?: string;
  /** onnx/classify template + SqueezeNet, or undefined without the fixture */
  squeezenet?: string;
  /** OIP v2 infer body: one 1×1×28×28 FP32 digit */
  mnistInfer: string;
  /** the same digit with the binary tensor extension, the output asked for as raw bytes too */
  mnistBinary: { body: Buffer; headers: Record<string, string> };
  /** {"images":[<base64 JPEG of a digit>]} */
  digitPredict: string;
  /** {"images":[<base64 224×224 JPEG photo>]} */
  photoPredict?: string;
  /** why a part is missing */
  missing: Record<string, string>;
  trained: boolean;
}

export async function makeFixtures(dir: string): Promise<Fixtures> {
  const missing: Record<string, string> = {};
  const mnistOnnx = path.join(dir, 'mnist-onnx');
  fs.mkdirSync(mnistOnnx, { recursive: true });
  const blobs = new FolderBlobStore(path.join(dir, 'blobs'));
  await materializeMnist(blobs);
  const idx = path.join(blobs.root, MNIST_PREFIX);
  const out = execFileSync(PYTHON, [path.join(ROOT, 'bench/lib/mnist_models.py'), mnistOnnx, idx], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const trained = (JSON.parse(out.trim().split('\n').pop()!) as { trained: boolean }).trained;

  let mnistPython: string | undefined = path.join(dir, 'mnist-python');
  fs.cpSync(path.join(ROOT, 'templates/pytorch/mnist'), mnistPython, { recursive: true });
  fs.renameSync(path.join(mnistOnnx, 'model.pt'), path.join(mnistPython, 'model.pt'));

  let squeezenet: string | undefined = path.join(dir, 'squeezenet');
  if (fs.existsSync(path.join(FIXTURES, 'squeezenet1.1-fp16.onnx'))) {
    fs.cpSync(path.join(ROOT, 'templates/onnx/classify'), squeezenet, { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, 'squeezenet1.1-fp16.onnx'), path.join(squeezenet, 'model.onnx'));
    fs.copyFileSync(path.join(FIXTURES, 'imagenet_synset.txt'), path.join(squeezenet, 'labels.txt'));
  } else {
    missing.squeezenet = `no ${FIXTURES}/squeezenet1.1-fp16.onnx`;
    squeezenet = undefined;
  }
  if (!fs.existsSync(path.join(mnistPython, 'model.pt'))) {
    missing.python = 'no TorchScript model';
    mnistPython = undefined;
  }

  // a held-out digit: as the OIP tensor (normalised like MNIST) and as a 28×28 JPEG
  const { heldout } = mnistSplit();
  const px = heldout.images.subarray(0, 784);
  const norm = Array.from(px, (v) => Math.round(((v / 255 - 0.1307) / 0.3081) * 1e4) / 1e4);
  const mnistInfer = JSON.stringify({ inputs: [{ name: 'input', shape: [1, 1, 28, 28], datatype: 'FP32', data: norm }] });
  const packed = packBinary(
    {
      inputs: [{ name: 'input', shape: [1, 1, 28, 28], datatype: 'FP32', parameters: { binary_data_size: 784 * 4 } }],
      parameters: { binary_data_output: true },
    },
    [new Uint8Array(Float32Array.from(norm).buffer)],
  );
  const mnistBinary = { body: packed.body, headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': packed.headerLength } };
  const jpeg = await sharp(Buffer.from(px), { raw: { width: 28, height: 28, channels: 1 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  const digitPredict = JSON.stringify({ images: [jpeg.toString('base64')] });
  let photoPredict: string | undefined;
  const photo = path.join(FIXTURES, 'cat-kserve.jpg');
  if (fs.existsSync(photo)) {
    const small = await sharp(photo).resize(224, 224, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
    photoPredict = JSON.stringify({ images: [small.toString('base64')] });
  } else missing.photo = `no ${photo}`;
  return { dir, mnistOnnx, mnistPython, squeezenet, mnistInfer, mnistBinary, digitPredict, photoPredict, missing, trained };
}
