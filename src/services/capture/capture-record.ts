/**
 * A captured call as one JSON line (docs/capture.md), made by the capture writer off the
 * gateway's hot path. Bodies are stored as base64, whatever their type: the exact bytes,
 * with no text decoding or JSON escaping on the platform's CPU (base64 is one native pass;
 * decoding and escaping a JSON body was most of capture's cost). Text bodies are shown as
 * text when read back (readableBody). Bodies over the version's maxBodyBytes are cut (text
 * on a UTF-8 character boundary) and marked `truncated`. No header is written but the
 * content type and OIP's binary header length: authorization headers and tokens never
 * reach a file.
 */
import { isUtf8 } from 'node:buffer';
import type { CaptureEntry } from '../../gateway/capture-hook.js';
import type { CapturedBody, CaptureRecord } from '../../contracts/capture.js';

const TEXT_TYPE = /^(text\/|application\/(json|[^;]*\+json|x-ndjson|xml|x-www-form-urlencoded))/i;
const EMPTY = Buffer.alloc(0);

/** One JSONL line of an entry, newline included: the record with its bodies in base64. */
export function captureLine(e: CaptureEntry): string {
  return captureParts(e).join('');
}

/**
 * The same line in pieces, as the roller writes them into its buffer one after another
 * (no joined string: the bodies' base64 is most of the line). The pieces at BASE64_PARTS
 * are base64 (ASCII: written byte for byte); the others may hold any text (UTF-8).
 */
export function captureParts(e: CaptureEntry): string[] {
  const q = e.url.indexOf('?');
  const meta = JSON.stringify({
    ts: new Date(e.at).toISOString(),
    service: e.service,
    version: e.seq,
    versionId: e.versionId,
    instance: e.instanceId,
    op: e.op,
    method: e.method,
    path: q < 0 ? e.url : e.url.slice(0, q),
    status: e.status,
    latencyMs: e.latencyMs,
    errorCode: e.errorCode,
  });
  const [reqHead, reqBody] = storedBody(e.request, e.requestType, e.requestHeaderLength, e.maxBodyBytes);
  const [resHead, resBody] = storedBody(e.response, e.responseType, e.responseHeaderLength, e.maxBodyBytes);
  return [meta.slice(0, -1), ',"request":', reqHead, reqBody, '"},"response":', resHead, resBody, '"}}\n'];
}

/** Which of captureParts' pieces are base64. */
export const BASE64_PARTS: readonly boolean[] = [false, false, false, true, false, false, true, false];

/** A body as stored, `{contentType?, size, encoding: "base64", truncated?, headerLength?, body}`: its JSON up to the body's text, and that text. */
function storedBody(body: Buffer | string | undefined, contentType: string | undefined, headerLength: string | undefined, max: number): [string, string] {
  const bytes = body === undefined ? EMPTY : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const size = bytes.length;
  const text = isTextType(contentType, headerLength);
  const cut = size <= max ? size : text ? utf8Boundary(bytes, max) : max;
  const head = JSON.stringify({ contentType, size, encoding: 'base64', truncated: cut < size ? true : undefined, headerLength });
  return [`${head.slice(0, -1)},"body":"`, (cut === size ? bytes : bytes.subarray(0, cut)).toString('base64')];
}

/** A body for reading: a text type's valid UTF-8 as text (`encoding: "utf8"`); anything else stays base64. */
export function readableBody(b: CapturedBody): CapturedBody {
  if (b.encoding !== 'base64' || !isTextType(b.contentType, b.headerLength)) return b;
  const bytes = Buffer.from(b.body, 'base64');
  return isUtf8(bytes) ? { ...b, encoding: 'utf8', body: bytes.toString('utf8') } : b;
}

/** A record for reading: both bodies readable. */
export function readableRecord(r: CaptureRecord): CaptureRecord {
  return { ...r, request: readableBody(r.request), response: readableBody(r.response) };
}

/** Text (JSON, text/*, …) and not OIP binary tensors; no type and no bytes reads as text too. */
function isTextType(contentType: string | undefined, headerLength: string | undefined): boolean {
  return headerLength === undefined && (contentType === undefined || TEXT_TYPE.test(contentType));
}

/** The largest cut ≤ n that does not split a UTF-8 character. */
export function utf8Boundary(b: Uint8Array, n: number): number {
  if (n >= b.length) return b.length;
  let i = n;
  // b[i] a continuation byte: the character it belongs to starts before i and would be split
  while (i > 0 && (b[i]! & 0xc0) === 0x80) i--;
  return i;
}
