/**
 * A streamed multipart/form-data body (Node: files are read from disk): JSON/text fields first, then file parts read from
 * disk as they are sent, so a multi-GB upload never sits in memory. Its exact length is
 * known up front (sent as Content-Length, so the server can refuse an oversize upload
 * before reading it).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface UploadFile {
  /** the file's path inside the version / storage folder, `/`-separated */
  path: string;
  /** where it is on this machine */
  localPath: string;
  size: number;
}

export interface MultipartField {
  name: string;
  value: string;
}

export interface MultipartBody {
  contentType: string;
  length: number;
  /** the body; onBytes is called with each chunk's size of file content sent */
  stream(onBytes?: (n: number) => void): AsyncIterable<Buffer>;
}

const CRLF = '\r\n';

/** `filename="…"` when the name is plain ASCII; RFC 5987 `filename*=UTF-8''…` otherwise. */
export function filenameParam(name: string): string {
  if (/^[\x20-\x7e]*$/.test(name) && !/["\\%;]/.test(name)) return `filename="${name}"`;
  const pct = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `filename*=UTF-8''${pct}`;
}

export function multipartBody(fields: MultipartField[], files: UploadFile[]): MultipartBody {
  const boundary = `----modeldock-${randomBytes(12).toString('hex')}`;
  const fieldParts = fields.map((f) => Buffer.from(`--${boundary}${CRLF}content-disposition: form-data; name="${f.name}"${CRLF}${CRLF}${f.value}${CRLF}`));
  const fileHeads = files.map((f) =>
    Buffer.from(
      `--${boundary}${CRLF}content-disposition: form-data; name="file"; ${filenameParam(f.path)}${CRLF}content-type: application/octet-stream${CRLF}${CRLF}`,
    ),
  );
  const tail = Buffer.from(`--${boundary}--${CRLF}`);
  const crlf = Buffer.from(CRLF);
  const length =
    fieldParts.reduce((n, b) => n + b.length, 0) +
    fileHeads.reduce((n, b) => n + b.length, 0) +
    files.reduce((n, f) => n + f.size + crlf.length, 0) +
    tail.length;

  async function* stream(onBytes?: (n: number) => void): AsyncIterable<Buffer> {
    for (const b of fieldParts) yield b;
    for (const [i, f] of files.entries()) {
      yield fileHeads[i]!;
      yield* fileChunks(f, onBytes);
      yield crlf;
    }
    yield tail;
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, length, stream };
}

/** A file's bytes, checked against the size it had when the upload was planned. */
export async function* fileChunks(f: UploadFile, onBytes?: (n: number) => void): AsyncIterable<Buffer> {
  let sent = 0;
  for await (const chunk of createReadStream(f.localPath, { highWaterMark: 1024 * 1024 })) {
    const b = chunk as Buffer;
    sent += b.length;
    if (sent > f.size) break;
    onBytes?.(b.length);
    yield b;
  }
  if (sent !== f.size) throw new Error(`${f.localPath} changed size while it was being uploaded (${f.size} → ${sent} bytes)`);
}
