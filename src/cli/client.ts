/**
 * ApiClient: the one way the CLI (and anything else outside the platform process) talks
 * to the control plane. Typed methods for the REST API of DESIGN.md §3; every failure is
 * an ApiError with the API's error code (or UNREACHABLE when nothing answers).
 * Uploads and downloads stream: nothing is held in memory whole.
 */
import { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import type { ErrorBody } from '../contracts/errors.js';
import type { OipErrorBody } from '../contracts/oip.js';
import type { Model, ModelVersion, Page, RuntimeEnv, StorageObject, Tags, VersionFile } from '../contracts/resources.js';
import { fileChunks, multipartBody, type UploadFile } from './multipart.js';

export type { UploadFile } from './multipart.js';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  server: string;
  token?: string;
}

export interface ModelWithVersions extends Model {
  versions: ModelVersion[];
}

export interface ListModelsQuery {
  keyword?: string;
  tags?: Tags;
  format?: string;
  source?: string;
  offset?: number;
  limit?: number;
}

/** The import spec (POST /api/v1/models/{name}/versions); source.type "upload" for multipart. */
export interface VersionSpec {
  source: { type: 'upload' } | { type: 'storage'; path: string } | { type: 'task'; task: string; run?: string };
  format: string;
  runtime: string;
  metrics?: string | Record<string, unknown> | null;
  moveMode?: 'copy' | 'move';
  description?: string;
  createModel?: boolean;
  unzip?: boolean;
}

/** A streamed answer: the bytes, their length when the server said, and its sha256 header. */
export interface Download {
  body: Readable;
  size?: number;
  sha256?: string;
  contentType?: string;
}

type OnBytes = (n: number) => void;

interface RequestOpts {
  query?: Record<string, string | number | boolean | string[] | undefined>;
  json?: unknown;
  body?: { stream: AsyncIterable<Buffer>; length: number; contentType: string };
  /** extra request headers (e.g. x-modeldock-version on a data-plane call) */
  headers?: Record<string, string>;
}

/** Encodes a `/`-separated path segment by segment (file and storage paths). */
export const encodePath = (p: string): string => p.split('/').filter(Boolean).map(encodeURIComponent).join('/');
const seg = encodeURIComponent;

export class ApiClient {
  readonly server: string;
  private readonly token?: string;

  constructor(opts: ApiClientOptions) {
    this.server = opts.server.replace(/\/+$/, '');
    this.token = opts.token || undefined;
  }

  // ── models ───────────────────────────────────────────────────────────────
  createModel(body: { name: string; description?: string; tags?: Tags }): Promise<Model> {
    return this.json('POST', '/api/v1/models', { json: body });
  }

  listModels(q: ListModelsQuery = {}): Promise<Page<Model>> {
    const tag = Object.entries(q.tags ?? {}).map(([k, v]) => `${k}=${v}`);
    return this.json('GET', '/api/v1/models', { query: { keyword: q.keyword, tag, format: q.format, source: q.source, offset: q.offset, limit: q.limit } });
  }

  getModel(name: string): Promise<ModelWithVersions> {
    return this.json('GET', `/api/v1/models/${seg(name)}`);
  }

  updateModel(name: string, patch: { description?: string; tags?: Tags }): Promise<Model> {
    return this.json('PATCH', `/api/v1/models/${seg(name)}`, { json: patch });
  }

  async deleteModel(name: string, opts: { keepFiles?: boolean } = {}): Promise<void> {
    await this.json('DELETE', `/api/v1/models/${seg(name)}`, { query: { keepFiles: opts.keepFiles ? true : undefined } });
  }

  // ── versions ─────────────────────────────────────────────────────────────
  /** Imports from storage or a task (JSON). */
  importVersion(name: string, spec: VersionSpec): Promise<ModelVersion> {
    return this.json('POST', `/api/v1/models/${seg(name)}/versions`, { json: spec });
  }

  /** Imports uploaded files (or one zip): multipart, the spec field first, streamed. */
  importUpload(name: string, spec: VersionSpec, files: UploadFile[], onBytes?: OnBytes): Promise<ModelVersion> {
    const mp = multipartBody([{ name: 'spec', value: JSON.stringify({ ...spec, source: { type: 'upload' } }) }], files);
    return this.json('POST', `/api/v1/models/${seg(name)}/versions`, { body: { stream: mp.stream(onBytes), length: mp.length, contentType: mp.contentType } });
  }

  async listVersions(name: string): Promise<ModelVersion[]> {
    return (await this.json<{ items: ModelVersion[] }>('GET', `/api/v1/models/${seg(name)}/versions`)).items;
  }

  getVersion(name: string, version: string): Promise<ModelVersion> {
    return this.json('GET', `/api/v1/models/${seg(name)}/versions/${seg(version)}`);
  }

  async deleteVersion(name: string, version: string): Promise<void> {
    await this.json('DELETE', `/api/v1/models/${seg(name)}/versions/${seg(version)}`);
  }

  // ── version files ────────────────────────────────────────────────────────
  private filesPath(name: string, version: string, file?: string): string {
    return `/api/v1/models/${seg(name)}/versions/${seg(version)}/files${file === undefined ? '' : `/${encodePath(file)}`}`;
  }

  async listFiles(name: string, version: string): Promise<VersionFile[]> {
    return (await this.json<{ items: VersionFile[] }>('GET', this.filesPath(name, version))).items;
  }

  /** Adds or replaces one file (raw body). */
  putFile(name: string, version: string, file: UploadFile, onBytes?: OnBytes): Promise<VersionFile> {
    return this.json('PUT', this.filesPath(name, version, file.path), { body: rawBody(file, onBytes) });
  }

  /** Adds or replaces several files in one multipart request; `prefix` is a folder inside the version. */
  async uploadFiles(name: string, version: string, files: UploadFile[], opts: { prefix?: string; onBytes?: OnBytes } = {}): Promise<VersionFile[]> {
    const fields = opts.prefix ? [{ name: 'prefix', value: opts.prefix }] : [];
    const mp = multipartBody(fields, files);
    const res = await this.json<{ items: VersionFile[] }>('POST', this.filesPath(name, version), {
      body: { stream: mp.stream(opts.onBytes), length: mp.length, contentType: mp.contentType },
    });
    return res.items;
  }

  downloadFile(name: string, version: string, file: string): Promise<Download> {
    return this.download('GET', this.filesPath(name, version, file));
  }

  downloadArchive(name: string, version: string): Promise<Download> {
    return this.download('GET', `/api/v1/models/${seg(name)}/versions/${seg(version)}/archive`);
  }

  async deleteFile(name: string, version: string, file: string): Promise<void> {
    await this.json('DELETE', this.filesPath(name, version, file));
  }

  // ── runtimes, storage, health ────────────────────────────────────────────
  async runtimes(): Promise<RuntimeEnv[]> {
    return (await this.json<{ items: RuntimeEnv[] }>('GET', '/api/v1/runtimes')).items;
  }

  async listStorage(prefix?: string): Promise<StorageObject[]> {
    return (await this.json<{ items: StorageObject[] }>('GET', '/api/v1/storage', { query: { prefix: prefix || undefined } })).items;
  }

  putStorage(file: UploadFile, onBytes?: OnBytes): Promise<VersionFile> {
    return this.json('PUT', `/api/v1/storage/${encodePath(file.path)}`, { body: rawBody(file, onBytes) });
  }

  getStorage(path: string): Promise<Download> {
    return this.download('GET', `/api/v1/storage/${encodePath(path)}`);
  }

  async deleteStorage(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    await this.json('DELETE', `/api/v1/storage/${encodePath(path)}`, { query: { recursive: opts.recursive ? true : undefined } });
  }

  /** GET /healthz: resolves when the platform answers, throws ApiError otherwise. */
  health(): Promise<{ status: string }> {
    return this.json('GET', '/healthz');
  }

  // ── generic calls (for command groups without typed methods yet) ─────────
  /** Sends a JSON call and answers the parsed JSON body (undefined for 204). */
  async json<T>(method: Dispatcher.HttpMethod, path: string, opts: RequestOpts = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    if (res.statusCode === 204) {
      await res.body.dump();
      return undefined as T;
    }
    const text = await res.body.text();
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      throw new ApiError('INVALID_RESPONSE', res.statusCode, `${method} ${path} answered with non-JSON: ${text.slice(0, 120)}`);
    }
  }

  /** Sends a call whose answer is bytes; the caller consumes `body`. */
  async download(method: Dispatcher.HttpMethod, path: string, opts: RequestOpts = {}): Promise<Download> {
    const res = await this.send(method, path, opts);
    const h = (k: string) => {
      const v = res.headers[k];
      return Array.isArray(v) ? v[0] : v;
    };
    const len = h('content-length');
    return { body: res.body as unknown as Readable, size: len === undefined ? undefined : Number(len), sha256: h('x-sha256'), contentType: h('content-type') };
  }

  private async send(method: Dispatcher.HttpMethod, path: string, opts: RequestOpts): Promise<Dispatcher.ResponseData> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(one));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | Readable | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.body) {
      headers['content-type'] = opts.body.contentType;
      headers['content-length'] = String(opts.body.length);
      body = Readable.from(opts.body.stream, { objectMode: false });
    }
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method, headers, body, headersTimeout: 0, bodyTimeout: 0 });
    } catch (e) {
      throw this.transportError(e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException });
    }
    if (res.statusCode >= 400) throw await errorFrom(res, method, path);
    return res;
  }

  private transportError(e: NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException }): Error {
    if (e instanceof ApiError) return e;
    const code = e.code ?? e.cause?.code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'EAI_AGAIN') {
      const why = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'host not found' : code;
      return new ApiError('UNREACHABLE', 0, `cannot reach modeldock at ${this.server} (${why}): start the platform with \`modeldock up\`, or point --server / MODELDOCK_SERVER at it`);
    }
    return new ApiError('TRANSPORT', 0, `${this.server}: ${e.message}`);
  }
}

function rawBody(file: UploadFile, onBytes?: OnBytes): NonNullable<RequestOpts['body']> {
  return { stream: fileChunks(file, onBytes), length: file.size, contentType: 'application/octet-stream' };
}

async function errorFrom(res: Dispatcher.ResponseData, method: string, path: string): Promise<ApiError> {
  const text = await res.body.text().catch(() => '');
  try {
    const body = JSON.parse(text) as ErrorBody | OipErrorBody;
    if (typeof body?.error === 'string' && 'code' in body) return new ApiError(body.code, res.statusCode, body.error, body.details); // the /v2 routes
    if (typeof body?.error === 'object' && body.error?.code) return new ApiError(body.error.code, res.statusCode, body.error.message, body.error.details);
  } catch {
    /* not JSON: fall through */
  }
  return new ApiError(`HTTP_${res.statusCode}`, res.statusCode, `${method} ${path} answered ${res.statusCode}${text ? `: ${text.slice(0, 200)}` : ''}`);
}
