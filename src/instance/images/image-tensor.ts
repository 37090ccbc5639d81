/**
 * Decodes image bytes with sharp (with a pixel cap against decompression bombs) and
 * turns them into a model input: resize, channel order, (p·scale − mean) / std, layout
 * NCHW or NHWC, FP32 or FP16 (half bits).
 */
import sharp from 'sharp';
import { DomainError } from '../../contracts/errors.js';
import { floatToHalfBits } from '../../contracts/fp16.js';
import type { ImagePolicy } from './image-policy.js';

export interface ImagePreprocess {
  width: number;
  height: number;
  /** fill: stretch to the size; cover: scale and center-crop; contain: letterbox (black) */
  resize: 'fill' | 'cover' | 'contain';
  channels: 'RGB' | 'BGR' | 'GRAY';
  layout: 'NCHW' | 'NHWC';
  dtype: 'FP32' | 'FP16';
  /** per-pixel value = (p × scale − mean[c]) / std[c], p in 0–255, c in `channels` order */
  scale: number;
  mean: number[];
  std: number[];
}

/** Decoded, resized pixels: HWC uint8 with 1 (GRAY) or 3 (RGB) channels. */
export async function decodePixels(
  bytes: Buffer,
  where: string,
  p: Pick<ImagePreprocess, 'width' | 'height' | 'resize' | 'channels'>,
  policy: ImagePolicy,
): Promise<Buffer> {
  try {
    let img = sharp(bytes, { limitInputPixels: policy.maxPixels, failOn: 'error' }).removeAlpha();
    img = p.channels === 'GRAY' ? img.toColourspace('b-w') : img.toColourspace('srgb');
    const { data, info } = await img
      .resize(p.width, p.height, { fit: p.resize, position: 'centre', background: { r: 0, g: 0, b: 0 } })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const want = p.channels === 'GRAY' ? 1 : 3;
    if (info.channels !== want) throw new Error(`decoded to ${info.channels} channels, expected ${want}`);
    return data;
  } catch (e) {
    const msg = (e as Error).message;
    const bomb = /pixel limit/i.test(msg);
    throw new DomainError(
      'IMAGE_DECODE_FAILED',
      bomb ? `${where}: the image has more than ${policy.maxPixels} pixels` : `${where}: not a decodable image (${msg})`,
    );
  }
}

/** Writes one image's values into `out` at element offset `offset` (a batch is several images back to back). */
export function pixelsToTensor(hwc: Buffer, p: ImagePreprocess, out: Float32Array | Uint16Array, offset: number): void {
  const c = p.channels === 'GRAY' ? 1 : 3;
  const hw = p.width * p.height;
  // source channel index (RGB in sharp's output) for each model channel
  const src = p.channels === 'BGR' ? [2, 1, 0] : p.channels === 'RGB' ? [0, 1, 2] : [0];
  const half = p.dtype === 'FP16';
  for (let k = 0; k < c; k++) {
    const s = src[k]!;
    const mean = p.mean[k] ?? 0;
    const inv = 1 / (p.std[k] ?? 1);
    for (let i = 0; i < hw; i++) {
      const v = (hwc[i * c + s]! * p.scale - mean) * inv;
      const at = offset + (p.layout === 'NCHW' ? k * hw + i : i * c + k);
      out[at] = half ? floatToHalfBits(v) : v;
    }
  }
}

/** Element count of one image's tensor. */
export const imageElements = (p: ImagePreprocess) => p.width * p.height * (p.channels === 'GRAY' ? 1 : 3);

/** The shape of a batch of `n` images. */
export function imageShape(p: ImagePreprocess, n: number): number[] {
  const c = p.channels === 'GRAY' ? 1 : 3;
  return p.layout === 'NCHW' ? [n, c, p.height, p.width] : [n, p.height, p.width, c];
}
