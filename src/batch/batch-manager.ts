/**
 * Batch prediction jobs (批量预测): create (checked: model version ready, input there,
 * output free, resource group room), list, get with progress, stop, delete. Runs are
 * started by the BatchController; this class writes only what the user wants.
 */
import type { BatchJob, BatchState } from '../contracts/batch.js';
import { DomainError } from '../contracts/errors.js';
import { isValidName, NAME_RULE } from '../contracts/names.js';
import { checkEnv, SERVICE_RESERVED_ENV } from '../contracts/process-input.js';
import type { Page } from '../contracts/resources.js';
import type { ModelRepository } from '../models/model-repository.js';
import { REPOSITORY_PREFIX } from '../files/sources.js';
import type { Billing } from '../billing/billing.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import { safeKeyPrefix } from '../store/blobs/keys.js';
import { formatOf } from './batch-inputs.js';
import type { BatchRepo } from './batch-repo.js';
import { BATCH_DEFAULTS, storedSpec, type BatchJobSpecInput } from './batch-spec.js';
import { toJob } from './mapping.js';
import { isFinal } from './states.js';

export interface BatchManagerDeps {
  repo: BatchRepo;
  blobs: BlobStore;
  models: ModelRepository;
  billing: Billing;
  kick: () => void;
}

export class BatchManager {
  constructor(private readonly deps: BatchManagerDeps) {}

  async create(s: BatchJobSpecInput): Promise<BatchJob> {
    const { repo, blobs } = this.deps;
    if (!isValidName(s.name)) throw new DomainError('INVALID_NAME', `"${s.name.slice(0, 80)}" is not a valid name: ${NAME_RULE}`);
    checkEnv(s.env, 'env', SERVICE_RESERVED_ENV);
    if (await repo.find(s.name)) throw new DomainError('BATCH_JOB_EXISTS', `batch job "${s.name}" already exists`);
    const { model, version } = await this.deps.models.resolveVersion(s.model, String(s.modelVersion));
    if (version.status !== 'ready')
      throw new DomainError('VERSION_NOT_READY', `model "${model.name}" v${version.number} is ${version.status}; a batch job needs a ready version`);
    const input = userPath(s.input.path, 'input.path');
    const format = formatOf(input, s.input.format);
    const present = format === 'images' ? (await blobs.list(input)).length > 0 : !!(await blobs.stat(input));
    if (!present)
      throw new DomainError('SOURCE_NOT_FOUND', `input "${input}" ${format === 'images' ? 'holds no files' : 'is not a file'} in the object store`, {
        fields: [{ field: 'input.path', message: 'not found' }],
      });
    const output = userPath(s.output ?? BATCH_DEFAULTS.output(input, s.name), 'output');
    if (output === input || input.startsWith(`${output}/`))
      throw new DomainError('INVALID_PATH', `output "${output}" would hold the input; name another folder`, {
        fields: [{ field: 'output', message: 'not the input' }],
      });
    if ((await blobs.list(`${output}/results`)).length || (await blobs.stat(`${output}/summary.json`))) {
      throw new DomainError('BATCH_OUTPUT_IN_USE', `output "${output}" already holds results (of another job); name another folder or empty it`);
    }
    const spec = storedSpec(s);
    const billingMode = s.billingMode ?? 'postpaid';
    if (billingMode === 'prepaid' && !s.resourceGroup)
      throw new DomainError('INVALID_ARGUMENT', 'prepaid billing needs a resourceGroup', {
        fields: [{ field: 'resourceGroup', message: 'is required for prepaid billing' }],
      });
    if (s.resourceGroup) await this.deps.billing.admit(s.resourceGroup, reservationOf(spec));
    const row = await repo.create({
      name: s.name,
      description: s.description ?? '',
      model_name: model.name,
      model_version: version.number,
      runtime: version.runtime,
      input_path: input,
      input_format: format,
      output_path: output,
      spec: JSON.stringify(spec),
      billing_mode: billingMode,
      resource_group: s.resourceGroup ?? null,
    });
    this.deps.kick();
    return toJob(row);
  }

  async list(q: { offset?: number; limit?: number; keyword?: string; state?: BatchState }): Promise<Page<BatchJob>> {
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 50;
    const { items, total } = await this.deps.repo.list({ offset, limit, keyword: q.keyword, state: q.state });
    return { items: items.map((r) => toJob(r)), total, offset, limit };
  }

  async get(name: string): Promise<BatchJob> {
    return toJob(await this.deps.repo.get(name));
  }

  async stop(name: string): Promise<BatchJob> {
    const j = await this.deps.repo.get(name);
    if (isFinal(j.state as BatchState))
      throw new DomainError('BATCH_JOB_FINISHED', `batch job "${name}" has already ended (${j.state}); there is nothing to stop`);
    await this.deps.repo.requestStop(j.id);
    this.deps.kick();
    return this.get(name);
  }

  /** Deletes an ended job's record; its results stay in the object store (they are the user's). */
  async delete(name: string): Promise<void> {
    const j = await this.deps.repo.get(name);
    if (!isFinal(j.state as BatchState)) throw new DomainError('BATCH_JOB_RUNNING', `batch job "${name}" is ${j.state}; stop it before deleting it`);
    await this.deps.repo.delete(j.id);
  }

  /** What active jobs hold in a resource group (Billing counts it beside the services'). */
  async reservedIn(group: string): Promise<{ names: string[]; cpuMillicores: number; memoryMiB: number; gpu: number }> {
    const rows = await this.deps.repo.activeIn(group);
    const out = { names: rows.map((r) => `batch.${r.name}`), cpuMillicores: 0, memoryMiB: 0, gpu: 0 };
    for (const r of rows) {
      const c = reservationOf(JSON.parse(r.spec) as ReturnType<typeof storedSpec>);
      out.cpuMillicores += c.cpuMillicores;
      out.memoryMiB += c.memoryMiB;
      out.gpu += c.gpu;
    }
    return out;
  }
}

function reservationOf(s: ReturnType<typeof storedSpec>) {
  return { cpuMillicores: s.instances * s.resources.cpuMillicores, memoryMiB: s.instances * s.resources.memoryMiB, gpu: s.instances * (s.resources.gpu ?? 0) };
}

/** A folder or file the user names: a safe key outside the repository's own area. */
function userPath(raw: string, field: string): string {
  const p = safeKeyPrefix(raw, field);
  if (!p)
    throw new DomainError('INVALID_PATH', `${field} names the whole object store; name a folder or file`, {
      fields: [{ field, message: 'name a folder or file' }],
    });
  if (field === 'output' && (p === REPOSITORY_PREFIX || p.startsWith(`${REPOSITORY_PREFIX}/`))) {
    throw new DomainError('FORBIDDEN', `"${REPOSITORY_PREFIX}/" is managed by the model repository; write batch results elsewhere`, {
      fields: [{ field, message: 'outside models/' }],
    });
  }
  return p;
}
