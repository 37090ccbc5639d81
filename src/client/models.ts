/**
 * Models, their versions and files, object storage, runtimes and templates: the model
 * repository half of the control plane (DESIGN.md §3). Uploads take prepared bodies
 * (FormData in a browser; src/client/node builds streamed ones from a folder on disk).
 */
import type { Model, ModelVersion, Page, RuntimeEnv, StorageObject, Tags, TemplateInfo, VersionFile } from '../contracts/resources.js';
import { ModeldockError } from './errors.js';
import { encodePath, pollUntil, type HttpClient, type RawBody } from './http.js';

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
  format?: string;
  runtime?: string;
  metrics?: string | Record<string, unknown> | null;
  moveMode?: 'copy' | 'move';
  description?: string;
  /** create the model too when it does not exist yet */
  createModel?: boolean;
  unzip?: boolean;
}

const seg = encodeURIComponent;
const noTimeout = { timeoutMs: 0 };

export class ModelsApi {
  constructor(private readonly http: HttpClient) {}

  create(body: { name: string; description?: string; tags?: Tags }): Promise<Model> {
    return this.http.json('POST', '/api/v1/models', { json: body });
  }

  list(q: ListModelsQuery = {}): Promise<Page<Model>> {
    const tag = Object.entries(q.tags ?? {}).map(([k, v]) => `${k}=${v}`);
    return this.http.json('GET', '/api/v1/models', {
      query: { keyword: q.keyword, tag, format: q.format, source: q.source, offset: q.offset, limit: q.limit },
    });
  }

  get(name: string): Promise<ModelWithVersions> {
    return this.http.json('GET', `/api/v1/models/${seg(name)}`);
  }

  update(name: string, patch: { description?: string; tags?: Tags }): Promise<Model> {
    return this.http.json('PATCH', `/api/v1/models/${seg(name)}`, { json: patch });
  }

  async delete(name: string, opts: { keepFiles?: boolean } = {}): Promise<void> {
    await this.http.json('DELETE', `/api/v1/models/${seg(name)}`, { query: { keepFiles: opts.keepFiles ? true : undefined } });
  }

  // ── versions ─────────────────────────────────────────────────────────────
  /** Imports from object storage or a task's output (JSON); answers at once, status "importing". */
  importVersion(name: string, spec: VersionSpec): Promise<ModelVersion> {
    return this.http.json('POST', `/api/v1/models/${seg(name)}/versions`, { json: spec });
  }

  /** Imports uploaded files: a multipart body whose first field is `spec` (see node's multipart, or FormData). */
  importUpload(name: string, body: RawBody): Promise<ModelVersion> {
    return this.http.json('POST', `/api/v1/models/${seg(name)}/versions`, { body, ...noTimeout });
  }

  async listVersions(name: string): Promise<ModelVersion[]> {
    return (await this.http.json<{ items: ModelVersion[] }>('GET', `/api/v1/models/${seg(name)}/versions`)).items;
  }

  getVersion(name: string, version: string): Promise<ModelVersion> {
    return this.http.json('GET', `/api/v1/models/${seg(name)}/versions/${seg(version)}`);
  }

  async deleteVersion(name: string, version: string): Promise<void> {
    await this.http.json('DELETE', `/api/v1/models/${seg(name)}/versions/${seg(version)}`);
  }

  /** Waits until an import is ready; a failed one throws IMPORT_FAILED with the version's error. */
  waitForVersion(name: string, version: string, opts: { timeoutMs?: number; onStatus?: (v: ModelVersion) => void } = {}): Promise<ModelVersion> {
    return pollUntil(
      async () => {
        const v = await this.getVersion(name, version);
        opts.onStatus?.(v);
        if (v.status === 'failed') throw new ModeldockError('IMPORT_FAILED', 0, `import of ${name} ${version} failed: ${v.error ?? 'no reason given'}`, v);
        return v.status === 'ready' ? v : undefined;
      },
      `${name} ${version} to be ready`,
      opts.timeoutMs ?? 600_000,
    );
  }

  // ── version files ────────────────────────────────────────────────────────
  filesPath(name: string, version: string, file?: string): string {
    return `/api/v1/models/${seg(name)}/versions/${seg(version)}/files${file === undefined ? '' : `/${encodePath(file)}`}`;
  }

  async listFiles(name: string, version: string): Promise<VersionFile[]> {
    return (await this.http.json<{ items: VersionFile[] }>('GET', this.filesPath(name, version))).items;
  }

  /** Adds or replaces one file with raw bytes. */
  putFile(name: string, version: string, path: string, body: RawBody): Promise<VersionFile> {
    return this.http.json('PUT', this.filesPath(name, version, path), { body: { contentType: 'application/octet-stream', ...body }, ...noTimeout });
  }

  /** Adds or replaces several files in one multipart body (fields: optional `prefix`, then files). */
  async uploadFiles(name: string, version: string, body: RawBody): Promise<VersionFile[]> {
    return (await this.http.json<{ items: VersionFile[] }>('POST', this.filesPath(name, version), { body, ...noTimeout })).items;
  }

  /** One file's bytes: the answer to read (`x-sha256` header: its digest). */
  downloadFile(name: string, version: string, path: string): Promise<Response> {
    return this.http.request('GET', this.filesPath(name, version, path), noTimeout);
  }

  /** The version as a zip. */
  downloadArchive(name: string, version: string): Promise<Response> {
    return this.http.request('GET', `/api/v1/models/${seg(name)}/versions/${seg(version)}/archive`, noTimeout);
  }

  async deleteFile(name: string, version: string, path: string): Promise<void> {
    await this.http.json('DELETE', this.filesPath(name, version, path));
  }
}

/** Object storage (the embedded store models are imported from), runtimes and templates. */
export class StorageApi {
  constructor(private readonly http: HttpClient) {}

  async list(prefix?: string): Promise<StorageObject[]> {
    return (await this.http.json<{ items: StorageObject[] }>('GET', '/api/v1/storage', { query: { prefix } })).items;
  }

  put(path: string, body: RawBody): Promise<VersionFile> {
    return this.http.json('PUT', `/api/v1/storage/${encodePath(path)}`, { body: { contentType: 'application/octet-stream', ...body }, ...noTimeout });
  }

  get(path: string): Promise<Response> {
    return this.http.request('GET', `/api/v1/storage/${encodePath(path)}`, noTimeout);
  }

  async delete(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    await this.http.json('DELETE', `/api/v1/storage/${encodePath(path)}`, { query: { recursive: opts.recursive ? true : undefined } });
  }
}

export class CatalogApi {
  constructor(private readonly http: HttpClient) {}

  async runtimes(): Promise<RuntimeEnv[]> {
    return (await this.http.json<{ items: RuntimeEnv[] }>('GET', '/api/v1/runtimes')).items;
  }

  async templates(): Promise<TemplateInfo[]> {
    return (await this.http.json<{ items: TemplateInfo[] }>('GET', '/api/v1/templates')).items;
  }

  /** All templates as one zip, or one (name "pytorch/classify") as a zip of its folder. */
  downloadTemplates(name?: string): Promise<Response> {
    return this.http.request('GET', name ? `/api/v1/templates/${encodePath(name)}.zip` : '/api/v1/templates/all.zip', noTimeout);
  }
}
