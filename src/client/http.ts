/**
 * HttpClient: the SDK's transport — fetch only, so the same code runs in a browser (the
 * console) and in Node (the CLI, scripts). It adds the token, a timeout, the query string,
 * and turns every failure into a ModeldockError.
 */
import { ModeldockError, errorFromAnswer, transportError } from './errors.js';

export interface ClientOptions {
  /** the platform's URL, e.g. http://127.0.0.1:8080; '' in a page the platform serves */
  baseUrl?: string;
  /** an admin token, or a call token for a service with auth on; a function is read on each call */
  token?: string | (() => string | undefined);
  /** default time for a call, in ms (0 = none); a streamed answer's time runs until its headers */
  timeoutMs?: number;
  /** a fetch to use instead of globalThis.fetch */
  fetch?: typeof fetch;
  /** headers sent with every call */
  headers?: Record<string, string>;
}

export type QueryValue = string | number | boolean | string[] | undefined | null;

/** Bytes to send as they are: a Blob/FormData/typed array, or a stream (Node: with its length). */
export interface RawBody {
  data: NonNullable<RequestInit['body']> | AsyncIterable<Uint8Array>;
  /** the content type; left out for FormData (fetch sets it, with its boundary) */
  contentType?: string;
  /** sent as Content-Length when known (a streamed upload then can be refused before it is read) */
  length?: number;
}

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** a JSON body */
  json?: unknown;
  /** a raw body */
  body?: RawBody;
  headers?: Record<string, string>;
  /** overrides the client's timeoutMs for this call (0 = none) */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

/** Encodes a `/`-separated path segment by segment (file and storage paths). */
export const encodePath = (p: string): string => p.split('/').filter(Boolean).map(encodeURIComponent).join('/');

export class HttpClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  private readonly token?: string | (() => string | undefined);
  private readonly fetchFn: typeof fetch;
  private readonly headers: Record<string, string>;

  constructor(opts: ClientOptions = {}) {
    this.baseUrl = (opts.baseUrl ?? '').replace(/\/+$/, '');
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.headers = opts.headers ?? {};
  }

  /** A JSON call: the parsed answer (undefined for 204 or an empty body). */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const { res, done } = await this.start(method, path, opts);
    try {
      const text = await res.text();
      if (!text) return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ModeldockError('INVALID_RESPONSE', res.status, `${method} ${path} answered with non-JSON: ${text.slice(0, 120)}`);
      }
    } catch (e) {
      throw done.wrap(e);
    } finally {
      done.clear();
    }
  }

  /** A call whose answer the caller reads (bytes, a stream): the timeout stops at the headers; `signal` still aborts the body. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const { res, done } = await this.start(method, path, opts);
    done.clearTimer();
    return res;
  }

  /** The full URL of a path on the platform, with its query. */
  url(path: string, query: Record<string, QueryValue> = {}): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue;
      for (const one of Array.isArray(v) ? v : [v]) q.append(k, String(one));
    }
    const s = q.toString();
    return `${this.baseUrl}${path}${s ? (path.includes('?') ? '&' : '?') + s : ''}`;
  }

  /** The Authorization header for the client's token, if it has one. */
  authHeaders(): Record<string, string> {
    const t = typeof this.token === 'function' ? this.token() : this.token;
    return t ? { authorization: `Bearer ${t}` } : {};
  }

  private async start(method: string, path: string, opts: RequestOptions) {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const ctl = new AbortController();
    let timedOut = false;
    const timer = timeoutMs > 0 ? setTimeout(() => ((timedOut = true), ctl.abort()), timeoutMs) : undefined;
    const onAbort = () => ctl.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const done = {
      clearTimer: () => timer && clearTimeout(timer),
      clear: () => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      },
      wrap: (e: unknown) => transportError(e, this.baseUrl, timedOut, timeoutMs),
    };
    const init = this.init(method, opts, ctl.signal);
    let res: Response;
    try {
      res = await this.fetchFn(this.url(path, opts.query ?? {}), init);
    } catch (e) {
      done.clear();
      throw done.wrap(e);
    }
    if (res.status >= 400) {
      const text = await res.text().catch(() => '');
      done.clear();
      throw errorFromAnswer(res.status, text, `${method} ${path}`);
    }
    return { res, done };
  }

  private init(method: string, opts: RequestOptions, signal: AbortSignal): RequestInit {
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers, ...this.authHeaders(), ...opts.headers };
    const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(opts.json);
    } else if (opts.body) {
      if (opts.body.contentType) headers['content-type'] = opts.body.contentType;
      if (opts.body.length !== undefined) headers['content-length'] = String(opts.body.length);
      const data = opts.body.data;
      if (isAsyncIterable(data)) {
        init.body = streamOf(data);
        init.duplex = 'half';
      } else {
        init.body = data;
        if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) init.duplex = 'half';
      }
    }
    return init;
  }
}

function isAsyncIterable(v: unknown): v is AsyncIterable<Uint8Array> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v && !(typeof ReadableStream !== 'undefined' && v instanceof ReadableStream);
}

/** An async iterable as a ReadableStream, pulled one chunk at a time (so memory stays flat). */
function streamOf(it: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iter = it[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      const { value, done } = await iter.next();
      if (done) c.close();
      else c.enqueue(value);
    },
    async cancel() {
      await iter.return?.();
    },
  });
}

/** Polls `fn` until it answers a value, every `everyMs`, for at most `timeoutMs`; `what` names it in the TIMEOUT error. */
export async function pollUntil<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs: number, everyMs = 500): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() >= until) throw new ModeldockError('TIMEOUT', 0, `timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
