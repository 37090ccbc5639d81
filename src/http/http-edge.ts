/**
 * Answers for what node:http refuses before any route sees a request, in the documented
 * shape (`{"error":{"code","message"}}`, docs/errors.md) instead of Node's or Fastify's own:
 * - parser errors ('clientError'): 431 HEADERS_TOO_LARGE, 408 REQUEST_TIMEOUT, and 400
 *   MALFORMED_REQUEST for the rest (a bad method, URL, header or chunk size, both
 *   Transfer-Encoding and Content-Length: refused smuggling attempts);
 * - an HTTP/1.1 request without Host (Node's own answer is an empty 400);
 * - `Expect:` other than 100-continue (Node's own answer is an empty 417);
 * - CONNECT (Node closes the socket without a word).
 * Each closes the connection: after a framing error nothing else on it can be trusted. The
 * code is also in `x-modeldock-error-code`, as on the data plane's answers.
 * Used by the API's server (which the gateway's front door shares) and by the instance.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { DomainError, errorBody } from '../contracts/errors.js';
import { ERROR_CODE_HEADER } from '../contracts/oip.js';
import { STATUS_BY_KIND } from './error-answer.js';

interface EdgeLog {
  debug(obj: object, msg: string): void;
}

/** What each llhttp error means, in words a client can act on (others: llhttp's own reason). */
const PARSER_ERRORS: Record<string, string> = {
  HPE_UNEXPECTED_CONTENT_LENGTH: 'both Transfer-Encoding and Content-Length are set; such a request is refused (request smuggling)',
  HPE_INVALID_TRANSFER_ENCODING: 'the Transfer-Encoding is not one this server takes (chunked, last)',
  HPE_INVALID_CONTENT_LENGTH: 'the Content-Length is not a single number',
  HPE_INVALID_CHUNK_SIZE: 'the chunked body has a bad chunk size',
  HPE_INVALID_METHOD: 'the method is not a valid HTTP method',
  HPE_INVALID_URL: 'the request target is not a valid URL',
  HPE_INVALID_VERSION: 'the HTTP version is not valid',
  HPE_INVALID_HEADER_TOKEN: 'a header name or value holds characters HTTP does not allow',
  HPE_INVALID_CONSTANT: 'the request line is not valid HTTP',
  HPE_CR_EXPECTED: 'a line is not ended by CRLF',
  HPE_LF_EXPECTED: 'a line is not ended by CRLF',
  HPE_INVALID_EOF_STATE: 'the connection ended in the middle of a request',
  HPE_PAUSED_H2_UPGRADE: 'HTTP/2 is not served on this port (HTTP/1.1 only)',
};

/** The domain error for a parser or socket error of node:http. */
export function clientErrorOf(err: Error & { code?: string; reason?: string }): DomainError {
  const code = err.code ?? '';
  if (code === 'HPE_HEADER_OVERFLOW')
    return new DomainError('HEADERS_TOO_LARGE', `the request line and headers are over the limit of ${http.maxHeaderSize} bytes`);
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new DomainError('REQUEST_TIMEOUT', 'the request did not arrive in time; the connection is closed');
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return new DomainError('UPLOAD_TOO_LARGE', 'the chunk extensions of the body are over the limit');
  const why = PARSER_ERRORS[code] ?? (err.reason ?? err.message).replace(/\.$/, '');
  return new DomainError('MALFORMED_REQUEST', `the request is not valid HTTP/1.1: ${why}; the connection is closed`);
}

/** The raw bytes of an error answer that closes its connection. */
export function closingAnswer(de: DomainError): string {
  const status = STATUS_BY_KIND[de.kind];
  const body = JSON.stringify(errorBody(de.code, de.message));
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${ERROR_CODE_HEADER}: ${de.code}\r\nConnection: close\r\n\r\n${body}`;
}

const answered = new WeakSet<Duplex>();
/** Long enough for the answer to leave, short enough that a refused client holds nothing. */
const LINGER_MS = 2_000;

/**
 * Writes `answer` and closes: the write side at once (FIN after the answer), the socket once
 * the client closes its side or after LINGER_MS. What the client still sends is read and
 * dropped meanwhile (no longer parsed), so its unread bytes do not turn the close into a
 * reset that loses the answer.
 */
export function answerAndClose(socket: Duplex, answer: string): void {
  if (answered.has(socket) || socket.destroyed) return;
  answered.add(socket);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(answer);
  // nothing more is parsed from this connection: what arrives is dropped until it closes
  socket.removeAllListeners('data');
  socket.on('error', () => socket.destroy());
  socket.once('end', () => socket.destroy());
  socket.resume();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/** A 'clientError' listener (or Fastify's `clientErrorHandler`) that answers in the documented shape. */
export function clientErrorHandler(log?: EdgeLog): (err: Error & { code?: string }, socket: Duplex) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return socket.destroy();
    const s = socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null; parser?: { incoming?: http.IncomingMessage | null } };
    // An answer already under way cannot be followed by another; nor can the answer already
    // given to the request whose body failed (its response is done and detached).
    if (s._httpMessage?.headersSent) return socket.destroy();
    const incoming = s.parser?.incoming;
    if (incoming && !incoming.complete && !s._httpMessage) return socket.destroy();
    const de = clientErrorOf(err);
    log?.debug({ code: de.code, parserCode: err.code }, 'refused before routing');
    answerAndClose(socket, closingAnswer(de));
  };
}

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Sends a closing error answer on a response that nothing else has written to. */
function refuse(res: http.ServerResponse, de: DomainError): void {
  const body = JSON.stringify(errorBody(de.code, de.message));
  res.writeHead(STATUS_BY_KIND[de.kind], {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    [ERROR_CODE_HEADER]: de.code,
    connection: 'close',
  });
  res.end(body);
}

/**
 * Guards a server's other edges (Host, Expect, CONNECT). Wraps the request listeners it has
 * now, so call it once they are all in place; the server must be created with
 * `requireHostHeader: false` (Node's own check answers an empty 400).
 */
export function guardServerEdges(server: http.Server): void {
  const inner = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.httpVersion === '1.1' && req.headers.host === undefined) {
      refuse(res, new DomainError('MALFORMED_REQUEST', 'an HTTP/1.1 request needs a Host header'));
      return;
    }
    for (const l of inner) l.call(server, req, res);
  });
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
    refuse(res, new DomainError('EXPECTATION_FAILED', `Expect: ${String(req.headers.expect).slice(0, 100)} is not supported; only 100-continue is`));
  });
  server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => {
    answerAndClose(socket, closingAnswer(new DomainError('METHOD_NOT_ALLOWED', 'CONNECT is not served here: this is not a proxy')));
  });
}
