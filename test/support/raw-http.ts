/**
 * Raw HTTP/1.1 over a plain socket, for tests that send bytes no HTTP client would: hostile
 * framing, smuggling attempts, oversized heads. Reads the answers and whether the server
 * closed the connection after them.
 */
import net from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: () => any;
}

export interface RawExchange {
  answers: RawAnswer[];
  /** the server ended the connection (FIN or reset) */
  closed: boolean;
}

/** Splits what a server sent into its answers (each framed by Content-Length). */
export function parseAnswers(buf: Buffer): RawAnswer[] {
  const out: RawAnswer[] = [];
  let at = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', at);
    if (end < 0) return out;
    const [statusLine, ...lines] = buf.subarray(at, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (buf.length < end + 4 + length) return out;
    const body = buf.subarray(end + 4, end + 4 + length).toString('utf8');
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body, json: () => JSON.parse(body) });
    at = end + 4 + length;
  }
}

/**
 * Connects to 127.0.0.1:`port`, writes `bytes`, and reads until `answers` answers have come and,
 * when `untilClosed`, the server has closed (else resolves once the answers are in, and closes).
 * Rejects after `timeoutMs` with what it has, so a server that neither answers nor closes fails.
 */
export function rawExchange(
  port: number,
  bytes: string | Buffer,
  opts: { answers?: number; untilClosed?: boolean; timeoutMs?: number } = {},
): Promise<RawExchange> {
  const want = opts.answers ?? 1;
  const untilClosed = opts.untilClosed ?? true;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    const answers = () => parseAnswers(Buffer.concat(chunks));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `no ${untilClosed ? 'close' : 'answer'} within ${opts.timeoutMs ?? 5_000} ms; got: ${Buffer.concat(chunks).toString('latin1').slice(0, 500)}`,
        ),
      );
    }, opts.timeoutMs ?? 5_000);
    const settle = () => {
      const got = answers();
      if (got.length < want && !closed) return;
      if (untilClosed && !closed) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({ answers: got, closed });
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      settle();
    });
    socket.on('error', () => undefined); // a reset after the answer counts as closed
    socket.on('close', () => {
      closed = true;
      settle();
    });
    socket.write(bytes);
  });
}
