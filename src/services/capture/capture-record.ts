/**
 * A captured call as one JSON line (docs/capture.md): done by the capture writer off the
 * gateway's hot path. Bodies over the version's maxBodyBytes are cut and marked
 * `truncated`; text bodies (JSON, text/*) stay text, anything else (OIP binary tensors,
 * images) goes as base64 with its content type. No header is ever written but the content
 * type and OIP's binary header length: authorization headers and tokens never reach a file.
 */
import type { CaptureEntry } from '../../gateway/capture-hook.js';
import type { CapturedBody, CaptureRecord } from '../../contracts/capture.js';

const TEXT_TYPE = /^(text\/|application\/(json|[^;]*\+json|x-ndjson|xml|x-www-form-urlencoded))/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The record of an entry (what one line of a capture file holds). */
export function captureRecord(e: CaptureEntry): CaptureRecord {
  const q = e.url.indexOf('?');
  return {
    ts: new Date(e.at).toISOString(),
    service: e.service,
    version: e.seq,
    versionId: e.versionId,
    ...(e.instanceId !== undefined ? { instance: e.instanceId } : {}),
    op: e.op,
    method: e.method,
    path: q < 0 ? e.url : e.url.slice(0, q),
    status: e.status,
    latencyMs: e.latencyMs,
    ...(e.errorCode !== undefined ? { errorCode: e.errorCode } : {}),
    request: capturedBody(e.request, e.requestType, e.requestHeaderLength, e.maxBodyBytes),
    response: capturedBody(e.response, e.responseType, e.responseHeaderLength, e.maxBodyBytes),
  };
}

/** One JSONL line of an entry, newline included. */
export function captureLine(e: CaptureEntry): string {
  return `${JSON.stringify(captureRecord(e))}\n`;
}

/** A body as stored: cut to `max` bytes (on a UTF-8 character boundary for text), text or base64. */
export function capturedBody(body: Buffer | string | undefined, contentType: string | undefined, headerLength: string | undefined, max: number): CapturedBody {
  const bytes = body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const size = bytes.length;
  const asText = headerLength === undefined && (contentType === undefined ? size === 0 : TEXT_TYPE.test(contentType));
  const cut = size <= max ? size : asText ? utf8Boundary(bytes, max) : max;
  const kept = cut === size ? bytes : bytes.subarray(0, cut);
  const base = { ...(contentType !== undefined ? { contentType } : {}), size };
  const marks = { ...(cut < size ? { truncated: true as const } : {}), ...(headerLength !== undefined ? { headerLength } : {}) };
  if (asText) {
    try {
      return { ...base, encoding: 'utf8', body: utf8.decode(kept), ...marks };
    } catch {
      // declared text but not UTF-8: kept exactly, as base64
    }
  }
  return { ...base, encoding: 'base64', body: kept.toString('base64'), ...marks };
}

/** The largest cut ≤ n that does not split a UTF-8 character. */
export function utf8Boundary(b: Uint8Array, n: number): number {
  if (n >= b.length) return b.length;
  let i = n;
  // b[i] a continuation byte: the character it belongs to starts before i and would be split
  while (i > 0 && (b[i]! & 0xc0) === 0x80) i--;
  return i;
}
