/**
 * ApiClient: the CLI's handle on the control plane — a thin layer over the TypeScript SDK
 * (src/client), keeping the method names the commands use and the generic json/download
 * calls for command groups without typed SDK methods. Every failure is the SDK's
 * ModeldockError (exported here as ApiError) with the API's error code, or UNREACHABLE
 * when nothing answers. Uploads and downloads stream: nothing is held in memory whole.
 * No timeouts: a CLI call waits as long as the platform takes (Ctrl-C stops it).
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { Agent, fetch as undiciFetch } from 'undici';
import { ModeldockClient } from '../client/client.js';
import type { QueryValue, RawBody } from '../client/http.js';
import type { ListModelsQuery, ModelWithVersions, VersionSpec } from '../client/models.js';
import { fileBody, multipartUpload } from '../client/node/upload.js';
import type { Model, ModelVersion, Page, RuntimeEnv, StorageObject, Tags, VersionFile } from '../contracts/resources.js';
import type { UploadFile } from './multipart.js';

export type { UploadFile } from './multipart.js';
export type { ListModelsQuery, ModelWithVersions, VersionSpec } from '../client/models.js';
export { encodePath } from '../client/http.js';
/** The SDK's one error type: code, status, message, details. */
export { ModeldockError as ApiError } from '../client/errors.js';

export interface ApiClientOptions {
  server: string;
  token?: string;
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
  query?: Record<string, QueryValue>;
  json?: unknown;
  body?: { stream: AsyncIterable<Uint8Array>; length: number; contentType: string };
  /** extra request headers (e.g. x-modeldock-version on a data-plane call) */
  headers?: Record<string, string>;
}

// undici's own fetch with no header/body timeouts (the built-in fetch gives up after 300 s)
const patient = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
const cliFetch = ((input: string, init?: RequestInit) =>
  undiciFetch(input, { ...(init as object), dispatcher: patient } as Parameters<typeof undiciFetch>[1])) as unknown as typeof fetch;

export class ApiClient {
  readonly server: string;
  /** the SDK client underneath, for commands that use it directly */
  readonly sdk: ModeldockClient;

  constructor(opts: ApiClientOptions) {
    this.server = opts.server.replace(/\/+$/, '');
    this.sdk = new ModeldockClient({ baseUrl: this.server, token: opts.token || undefined, timeoutMs: 0, fetch: cliFetch });
  }

  // ── models ───────────────────────────────────────────────────────────────
  createModel(body: { name: string; description?: string; tags?: Tags }): Promise<Model> {
    return this.sdk.models.create(body);
  }

  listModels(q: ListModelsQuery = {}): Promise<Page<Model>> {
    return this.sdk.models.list(q);
  }

  getModel(name: string): Promise<ModelWithVersions> {
    return this.sdk.models.get(name);
  }

  updateModel(name: string, patch: { description?: string; tags?: Tags }): Promise<Model> {
    return this.sdk.models.update(name, patch);
  }

  deleteModel(name: string, opts: { keepFiles?: boolean } = {}): Promise<void> {
    return this.sdk.models.delete(name, opts);
  }

  // ── versions ─────────────────────────────────────────────────────────────
  /** Imports from storage or a task (JSON). */
  importVersion(name: string, spec: VersionSpec): Promise<ModelVersion> {
    return this.sdk.models.importVersion(name, spec);
  }

  /** Imports uploaded files (or one zip): multipart, the spec field first, streamed. */
  importUpload(name: string, spec: VersionSpec, files: UploadFile[], onBytes?: OnBytes): Promise<ModelVersion> {
    return this.sdk.models.importUpload(
      name,
      multipartUpload([{ name: 'spec', value: JSON.stringify({ ...spec, source: { type: 'upload' } }) }], files, progressOf(onBytes)),
    );
  }

  listVersions(name: string): Promise<ModelVersion[]> {
    return this.sdk.models.listVersions(name);
  }

  getVersion(name: string, version: string): Promise<ModelVersion> {
    return this.sdk.models.getVersion(name, version);
  }

  deleteVersion(name: string, version: string): Promise<void> {
    return this.sdk.models.deleteVersion(name, version);
  }

  // ── version files ────────────────────────────────────────────────────────
  listFiles(name: string, version: string): Promise<VersionFile[]> {
    return this.sdk.models.listFiles(name, version);
  }

  /** Adds or replaces one file (raw body). */
  putFile(name: string, version: string, file: UploadFile, onBytes?: OnBytes): Promise<VersionFile> {
    return this.sdk.models.putFile(name, version, file.path, fileBody(file, progressOf(onBytes)));
  }

  /** Adds or replaces several files in one multipart request; `prefix` is a folder inside the version. */
  uploadFiles(name: string, version: string, files: UploadFile[], opts: { prefix?: string; onBytes?: OnBytes } = {}): Promise<VersionFile[]> {
    const fields = opts.prefix ? [{ name: 'prefix', value: opts.prefix }] : [];
    return this.sdk.models.uploadFiles(name, version, multipartUpload(fields, files, progressOf(opts.onBytes)));
  }

  async downloadFile(name: string, version: string, file: string): Promise<Download> {
    return downloadOf(await this.sdk.models.downloadFile(name, version, file));
  }

  async downloadArchive(name: string, version: string): Promise<Download> {
    return downloadOf(await this.sdk.models.downloadArchive(name, version));
  }

  deleteFile(name: string, version: string, file: string): Promise<void> {
    return this.sdk.models.deleteFile(name, version, file);
  }

  // ── runtimes, storage, health ────────────────────────────────────────────
  runtimes(): Promise<RuntimeEnv[]> {
    return this.sdk.catalog.runtimes();
  }

  listStorage(prefix?: string): Promise<StorageObject[]> {
    return this.sdk.storage.list(prefix || undefined);
  }

  putStorage(file: UploadFile, onBytes?: OnBytes): Promise<VersionFile> {
    return this.sdk.storage.put(file.path, fileBody(file, progressOf(onBytes)));
  }

  async getStorage(path: string): Promise<Download> {
    return downloadOf(await this.sdk.storage.get(path));
  }

  deleteStorage(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    return this.sdk.storage.delete(path, opts);
  }

  /** GET /healthz: resolves when the platform answers, throws ApiError otherwise. */
  health(): Promise<{ status: string }> {
    return this.sdk.health();
  }

  // ── generic calls (for command groups without typed methods yet) ─────────
  /** Sends a JSON call and answers the parsed JSON body (undefined for 204). */
  json<T>(method: string, path: string, opts: RequestOpts = {}): Promise<T> {
    return this.sdk.http.json<T>(method, path, sdkOpts(opts));
  }

  /** Sends a call whose answer is bytes; the caller consumes `body`. */
  async download(method: string, path: string, opts: RequestOpts = {}): Promise<Download> {
    return downloadOf(await this.sdk.http.request(method, path, sdkOpts(opts)));
  }
}

function sdkOpts(opts: RequestOpts) {
  const body: RawBody | undefined = opts.body && { data: opts.body.stream, length: opts.body.length, contentType: opts.body.contentType };
  return { query: opts.query, json: opts.json, body, headers: opts.headers };
}

/** The CLI counts bytes per chunk; the SDK reports bytes sent so far. */
function progressOf(onBytes?: OnBytes): ((sent: number) => void) | undefined {
  if (!onBytes) return undefined;
  let last = 0;
  return (sent) => {
    onBytes(sent - last);
    last = sent;
  };
}

function downloadOf(res: Response): Download {
  const len = res.headers.get('content-length');
  const body = res.body ? Readable.fromWeb(res.body as unknown as NodeWebStream) : Readable.from([]);
  return {
    body,
    size: len === null ? undefined : Number(len),
    sha256: res.headers.get('x-sha256') ?? undefined,
    contentType: res.headers.get('content-type') ?? undefined,
  };
}
