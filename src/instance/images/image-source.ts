/**
 * An `images` item → its bytes: an http(s) URL (fetched under the policy), a
 * `data:image/...;base64,...` URI, or raw base64. Each failure is a 400 naming the item.
 */
import { DomainError } from '../../contracts/errors.js';
import { fetchImage } from './fetch-image.js';
import type { ImagePolicy } from './image-policy.js';

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function decodeBase64(text: string, where: string, what: string): Buffer {
  const clean = text.replace(/\s+/g, '');
  if (!clean || clean.length % 4 === 1 || !BASE64.test(clean)) throw new DomainError('IMAGE_DECODE_FAILED', `${where}: ${what} is not valid base64`);
  const buf = Buffer.from(clean, clean.includes('-') || clean.includes('_') ? 'base64url' : 'base64');
  if (buf.length === 0) throw new DomainError('IMAGE_DECODE_FAILED', `${where}: ${what} is empty`);
  return buf;
}

/** The bytes of one image item; `where` names it in errors (e.g. `images[2]`). */
export async function imageBytes(item: unknown, where: string, policy: ImagePolicy): Promise<Buffer> {
  if (typeof item !== 'string' || item.length === 0)
    throw new DomainError('INVALID_INPUT', `${where}: an image must be a non-empty string (URL, data URI or base64)`);
  if (/^https?:\/\//i.test(item)) return fetchImage(item, where, policy);
  if (item.startsWith('data:')) {
    const m = /^data:([^;,]*)((?:;[^;,]*)*?);base64,(.*)$/s.exec(item);
    if (!m) throw new DomainError('IMAGE_DECODE_FAILED', `${where}: a data URI must be data:image/<type>;base64,<data>`);
    if (m[1] && !m[1].toLowerCase().startsWith('image/') && m[1] !== 'application/octet-stream') {
      throw new DomainError('IMAGE_DECODE_FAILED', `${where}: the data URI's type "${m[1]}" is not an image`);
    }
    const buf = decodeBase64(m[3]!, where, 'the data URI');
    if (buf.length > policy.maxImageBytes)
      throw new DomainError('IMAGE_DECODE_FAILED', `${where}: the image is ${buf.length} bytes, over the limit of ${policy.maxImageBytes}`);
    return buf;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(item)) throw new DomainError('IMAGE_FETCH_FAILED', `${where}: only http and https URLs are fetched`);
  if (item.length > (policy.maxImageBytes * 4) / 3 + 4)
    throw new DomainError('IMAGE_DECODE_FAILED', `${where}: the image is over the limit of ${policy.maxImageBytes} bytes`);
  return decodeBase64(item, where, 'the item (neither a URL nor a data URI)');
}

/** The `images` array of a predict body, checked (present, non-empty, within the count limit). */
export function imageList(body: unknown, policy: ImagePolicy): unknown[] {
  const images = (body as { images?: unknown } | null)?.images;
  if (!Array.isArray(images)) throw new DomainError('INVALID_INPUT', 'the body must be {"images": [<URL | data URI | base64>, ...]}');
  if (images.length === 0) throw new DomainError('INVALID_INPUT', '"images" is empty');
  if (images.length > policy.maxImagesPerRequest)
    throw new DomainError('INVALID_INPUT', `"images" holds ${images.length} items; at most ${policy.maxImagesPerRequest} are taken per request`);
  return images;
}
