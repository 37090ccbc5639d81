/**
 * Reads a whole request body with a size limit, for the plain node:http servers (the
 * instance, the gateway's front door). Over the limit — declared up front or found while
 * reading — it rejects with UPLOAD_TOO_LARGE and drains the rest, so the connection can
 * still carry the answer.
 */
import type http from 'node:http';
import { DomainError } from '../contracts/errors.js';

/** `whose`: named in the error, e.g. "the instance's". */
export function readBody(req: http.IncomingMessage, limit: number, whose: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      req.resume();
      reject(new DomainError('UPLOAD_TOO_LARGE', `the body is ${declared} bytes, over ${whose} limit of ${limit}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new DomainError('UPLOAD_TOO_LARGE', `the body is over ${whose} limit of ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    // the client went away mid-body: its fault, not the server's (no 500, no error log)
    req.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ECONNRESET' ? new DomainError('MALFORMED_REQUEST', 'the connection closed before the request body was complete') : e),
    );
  });
}
