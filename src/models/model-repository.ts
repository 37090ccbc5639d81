/**
 * The model repository (模型仓库): models, their versions, and imports. The API, CLI
 * paths and later the services domain go through this class; storage is reached
 * only through ModelsRepo (Kysely) and BlobStore.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import { DomainError } from '../contracts/errors.js';
import { isValidName, NAME_RULE } from '../contracts/names.js';
import type { Model, ModelVersion, ModelVersionSource, Page } from '../contracts/resources.js';
import type { Logger } from '../log.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import type { Database } from '../store/db/schema.js';
import { ModelsRepo, type ModelRow, type VersionRow } from './models-repo.js';
import { findRuntime } from '../runtime-catalog/catalog.js';
import { resolveRuntime, type RuntimeResolution } from '../runtime-catalog/aliases.js';
import { Importer } from './importer.js';
import { encodeMetrics, toModel, toVersion } from './mapping.js';
import { noTaskOutputs, resolveStorageSource, type ResolvedSource, type SourceDeps, type TaskOutputs } from '../files/sources.js';
import { StagingArea } from '../files/staging.js';
import { zipLimitsOf, type ZipLimits } from '../files/zip.js';
import { checkRoom, UploadSink } from '../files/upload.js';
import { MAX_METRICS_CHARS, MAX_TAGS, type ModelCreate, type ModelPatch, type VersionSpec } from './version-spec.js';
import { VersionFiles } from './version-files.js';

/** Who uses a model version (services, later). Deleting is refused while anyone does. */
export interface ModelUsage {
  usersOf(model: string, version?: number): Promise<string[]>;
}

export interface ModelRepositoryDeps {
  db: Kysely<Database>;
  blobs: BlobStore;
  config: Config;
  log: Logger;
  /** where task outputs live (imports from a training task) */
  tasks?: TaskOutputs;
  /** who uses a model version (services): deleting it is refused while anyone does */
  usage?: ModelUsage;
  /** the staging area, shared with tasks' code uploads (default: one under the data dir) */
  staging?: StagingArea;
}

export class ModelRepository {
  readonly repo: ModelsRepo;
  readonly staging: StagingArea;
  readonly importer: Importer;
  readonly files: VersionFiles;
  private readonly usage: ModelUsage;
  private readonly tasks: TaskOutputs;

  constructor(private readonly deps: ModelRepositoryDeps) {
    this.repo = new ModelsRepo(deps.db);
    this.staging = deps.staging ?? new StagingArea(deps.config.dataDir);
    this.usage = deps.usage ?? { usersOf: async () => [] };
    this.tasks = deps.tasks ?? noTaskOutputs;
    this.importer = new Importer({
      repo: this.repo,
      blobs: deps.blobs,
      staging: this.staging,
      importRoots: deps.config.importRoots,
      zipLimits: this.zipLimits,
      tasks: this.tasks,
      log: deps.log,
      concurrency: 2,
    });
    this.files = new VersionFiles({
      repo: this.repo,
      blobs: deps.blobs,
      config: deps.config,
      staging: this.staging,
      resolve: (m, v) => this.resolveVersion(m, v),
      usersOf: (m, v) => this.usage.usersOf(m, v),
    });
  }

  get zipLimits(): ZipLimits {
    return zipLimitsOf(this.deps.config.limits);
  }

  async start(): Promise<void> {
    await this.importer.resumeAll();
  }

  async stop(): Promise<void> {
    await this.importer.stop();
  }

  // ---- models ----

  async createModel(input: ModelCreate): Promise<Model> {
    checkName(input.name);
    checkTags(input.tags);
    const row = await this.repo.createModel({ name: input.name, description: input.description ?? '', tags: input.tags ?? {} });
    return toModel(row);
  }

  async listModels(f: {
    keyword?: string;
    tags?: Record<string, string>;
    format?: string;
    source?: string;
    offset?: number;
    limit?: number;
  }): Promise<Page<Model>> {
    const offset = f.offset ?? 0;
    const limit = f.limit ?? 50;
    const { items, total } = await this.repo.listModels({ ...f, offset, limit });
    const stats = await this.repo.versionStats(items.map((m) => m.id));
    return { items: items.map((m) => toModel(m, stats.get(m.id))), total, offset, limit };
  }

  async getModel(name: string): Promise<Model & { versions: ModelVersion[] }> {
    const m = await this.repo.getModel(name);
    const versions = await this.repo.listVersions(m.id);
    const stats = { count: versions.length, latest: versions.length ? versions[versions.length - 1]!.number : null };
    return { ...toModel(m, stats), versions: versions.map((v) => toVersion(m.name, v)) };
  }

  async updateModel(name: string, patch: ModelPatch): Promise<Model> {
    checkTags(patch.tags);
    const m = await this.repo.getModel(name);
    await this.repo.updateModel(m.id, patch);
    return (await this.getModel(name)) as Model;
  }

  async deleteModel(name: string, opts: { keepFiles?: boolean } = {}): Promise<void> {
    const m = await this.repo.getModel(name);
    const users = await this.usage.usersOf(name);
    if (users.length) throw new DomainError('MODEL_IN_USE', `model "${name}" is used by service(s) ${users.join(', ')}; delete those first`);
    const versions = await this.repo.listVersions(m.id);
    await this.repo.deleteModel(m.id);
    if (!opts.keepFiles) for (const v of versions) await this.deps.blobs.deletePrefix(v.storage_path).catch(() => undefined);
  }

  // ---- versions ----

  /**
   * Imports from storage or a task: answers at once with the version `importing`. One pass:
   * the name and spec are checked once, the source is resolved once (a task to the run it
   * names now, its files listed) and that resolved source is handed to the importer.
   */
  async createVersion(name: string, spec: VersionSpec): Promise<ModelVersion> {
    if (spec.source.type === 'upload') throw new DomainError('INVALID_ARGUMENT', 'source.type "upload" needs a multipart request with the files');
    checkName(name);
    let pinned = spec;
    let record: ModelVersionSource = spec.source;
    let path = spec.source.type === 'storage' ? spec.source.path : '';
    if (spec.source.type === 'task') {
      // pinned to the run it resolves to now; the run's metrics become the version's unless the import gives its own
      const out = await this.tasks.resolve(spec.source.task, spec.source.run);
      pinned = { ...spec, metrics: spec.metrics === undefined ? (out.metrics ?? null) : spec.metrics };
      record = { type: 'task', task: spec.source.task, run: out.run, path: out.prefix };
      path = out.prefix;
    }
    this.checkSpec(pinned);
    const resolved = await resolveStorageSource(this.sourceDeps, path, spec.moveMode === 'move');
    try {
      return await this.insertAndStart(await this.prepare(name, pinned), pinned, record, { resolved });
    } catch (e) {
      await resolved.cleanup().catch(() => undefined);
      throw e;
    }
  }

  /**
   * Imports an upload: `fill` streams the request's files into the sink and returns the
   * spec, calling `precheck` on the spec as soon as it has it so that a bad import fails
   * before its files are streamed; nothing becomes a version until every file is in and checked.
   */
  async createVersionFromUpload(
    name: string,
    fill: (sink: UploadSink, precheck: (spec: VersionSpec) => Promise<void>) => Promise<VersionSpec>,
  ): Promise<ModelVersion> {
    const dir = await this.staging.create();
    try {
      const sink = new UploadSink(dir, this.deps.config.limits.maxUploadBytes);
      let checked: VersionSpec | undefined;
      const spec = await fill(sink, async (s) => {
        await this.precheck(name, s);
        checked = s;
      });
      if (checked !== spec) await this.precheck(name, spec);
      const files = await sink.finish({ unzip: spec.unzip !== false, limits: this.zipLimits });
      await checkRoom(this.deps.blobs, files);
      const prepared = await this.prepare(name, spec);
      return await this.insertAndStart(prepared, spec, { type: 'upload', files: files.length }, { stagedDir: dir });
    } catch (e) {
      await this.staging.remove(dir);
      throw e;
    }
  }

  /** Every check of an upload import that needs no files. */
  private async precheck(name: string, spec: VersionSpec): Promise<void> {
    checkName(name);
    if (spec.source.type !== 'upload')
      throw new DomainError('INVALID_ARGUMENT', 'a multipart import needs source.type "upload"', {
        fields: [{ field: 'source.type', message: 'must be "upload"' }],
      });
    this.checkSpec(spec);
    if (!spec.createModel && !(await this.repo.findModel(name))) {
      throw new DomainError('MODEL_NOT_FOUND', `model "${name}" does not exist (set createModel: true to create it with this import)`);
    }
  }

  private get sourceDeps(): SourceDeps {
    return { blobs: this.deps.blobs, staging: this.staging, importRoots: this.deps.config.importRoots, zipLimits: this.zipLimits };
  }

  private checkSpec(spec: VersionSpec): void {
    runtimeOf(spec.runtime);
    const metrics = encodeMetrics(spec.metrics);
    if (metrics && metrics.length - 5 > MAX_METRICS_CHARS) {
      throw new DomainError('INVALID_ARGUMENT', `metrics are ${metrics.length - 5} characters; at most ${MAX_METRICS_CHARS} are allowed`, {
        fields: [{ field: 'metrics', message: `at most ${MAX_METRICS_CHARS} characters` }],
      });
    }
    if (spec.moveMode === 'move' && spec.source.type === 'upload') {
      throw new DomainError('INVALID_ARGUMENT', 'moveMode "move" applies to storage and task sources only');
    }
    checkTags(spec.modelTags);
  }

  /** The model an import goes into (created when the spec asks); name and spec are checked already. */
  private async prepare(name: string, spec: VersionSpec): Promise<ModelRow> {
    const existing = await this.repo.findModel(name);
    if (existing) return existing;
    if (!spec.createModel) throw new DomainError('MODEL_NOT_FOUND', `model "${name}" does not exist (set createModel: true to create it with this import)`);
    try {
      return await this.repo.createModel({ name, description: spec.modelDescription ?? '', tags: spec.modelTags ?? {} });
    } catch (e) {
      if ((e as DomainError).code === 'MODEL_EXISTS') return this.repo.getModel(name);
      throw e;
    }
  }

  private async insertAndStart(
    model: ModelRow,
    spec: VersionSpec,
    source: object,
    files: { stagedDir?: string; resolved?: ResolvedSource },
  ): Promise<ModelVersion> {
    const { stagedDir } = files;
    const number = await this.repo.allocateVersionNumber(model.id);
    const row = await this.repo.insertVersion({
      modelId: model.id,
      number,
      sourceType: spec.source.type,
      source,
      format: spec.format,
      ...runtimeFields(runtimeOf(spec.runtime)),
      metrics: encodeMetrics(spec.metrics),
      moveMode: spec.moveMode ?? 'copy',
      description: spec.description ?? '',
      storagePath: `models/${model.name}/v${number}-${Date.now().toString(36)}`,
    });
    if (stagedDir) {
      try {
        await this.staging.adopt(stagedDir, row.id);
      } catch (e) {
        await this.repo.deleteVersion(row.id);
        throw e;
      }
    }
    this.importer.enqueue(row.id, files.resolved);
    return toVersion(model.name, row);
  }

  async resolveVersion(name: string, ref: string): Promise<{ model: ModelRow; version: VersionRow }> {
    const model = await this.repo.getModel(name);
    let version: VersionRow | undefined;
    if (ref === 'latest') {
      const all = await this.repo.listVersions(model.id);
      version = all[all.length - 1];
    } else {
      const m = /^v?(\d{1,9})$/i.exec(ref);
      if (m) version = await this.repo.findVersion(model.id, Number(m[1]));
    }
    if (!version) throw new DomainError('VERSION_NOT_FOUND', `model "${name}" has no version "${ref}"`);
    return { model, version };
  }

  async getVersion(name: string, ref: string): Promise<ModelVersion> {
    const { model, version } = await this.resolveVersion(name, ref);
    return toVersion(model.name, version, await this.repo.listFiles(version.id));
  }

  async listVersions(name: string): Promise<ModelVersion[]> {
    const m = await this.repo.getModel(name);
    return (await this.repo.listVersions(m.id)).map((v) => toVersion(m.name, v));
  }

  async deleteVersion(name: string, ref: string): Promise<void> {
    const { model, version } = await this.resolveVersion(name, ref);
    const users = await this.usage.usersOf(name, version.number);
    if (users.length) throw new DomainError('MODEL_IN_USE', `v${version.number} of "${name}" is used by service(s) ${users.join(', ')}`);
    if (version.status === 'importing') throw new DomainError('VERSION_NOT_READY', `v${version.number} of "${model.name}" is still importing`);
    await this.repo.deleteVersion(version.id);
    await this.deps.blobs.deletePrefix(version.storage_path).catch(() => undefined);
  }
}

/** The catalog runtime a spec's runtime names: an id, or a TI-ONE name mapped onto one. */
function runtimeOf(name: string): Exclude<RuntimeResolution, { refused: string }> {
  const r = resolveRuntime(name, (id) => !!findRuntime(id));
  if (!r) throw new DomainError('UNKNOWN_RUNTIME', `runtime "${name}" is not in the catalog (GET /api/v1/runtimes lists them)`);
  if ('refused' in r) throw new DomainError('UNKNOWN_RUNTIME', r.refused);
  return r;
}

function runtimeFields(r: Exclude<RuntimeResolution, { refused: string }>): { runtime: string; runtimeRequested?: string } {
  return r.requested ? { runtime: r.id, runtimeRequested: r.requested } : { runtime: r.id };
}

function checkName(name: string): void {
  if (!isValidName(name)) throw new DomainError('INVALID_NAME', `"${name.slice(0, 80)}" is not a valid name: ${NAME_RULE}`);
}

function checkTags(tags: Record<string, string> | undefined): void {
  if (tags && Object.keys(tags).length > MAX_TAGS) throw new DomainError('INVALID_ARGUMENT', `at most ${MAX_TAGS} tags are allowed`);
}
