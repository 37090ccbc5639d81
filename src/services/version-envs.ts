/**
 * The Python environment a service version's instances run in: for the Python runtime and
 * a model version holding `requirements.txt`, the environment of PythonEnvs keyed by the
 * runtime and the file's sha256 (as recorded with the version's files). Instances start only
 * once it is ready; a failed install fails the version (DEPENDENCY_INSTALL_FAILED).
 */
import { findRuntime } from '../runtime-catalog/catalog.js';
import { envKey, type EnvState, type PythonEnvs } from '../runtime-catalog/python-envs.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import type { ModelsRepo, VersionRow } from '../models/models-repo.js';

export const REQUIREMENTS_FILE = 'requirements.txt';

export interface DependencyGate {
  /** null when the version needs no environment of its own (not Python, no requirements.txt) */
  /** `retryFailed`: build again if the last build failed (the service version changed since) */
  envFor(mv: VersionRow, runtime: string, onLine: (line: string) => void, listenerId: string, retryFailed: boolean): Promise<EnvState | null>;
}

export class VersionEnvs implements DependencyGate {
  constructor(private readonly deps: { envs: PythonEnvs; models: ModelsRepo; blobs: BlobStore }) {}

  async envFor(mv: VersionRow, runtime: string, onLine: (line: string) => void, listenerId: string, retryFailed: boolean): Promise<EnvState | null> {
    if (findRuntime(runtime)?.kind !== 'python') return null;
    // one primary-key lookup per reconcile pass, not a listing of the version's files
    const file = await this.deps.models.findFile(mv.id, REQUIREMENTS_FILE);
    if (!file) return null;
    const key = envKey(runtime, file.sha256);
    return this.deps.envs.ensure(key, () => this.deps.blobs.read(`${mv.storage_path}/${REQUIREMENTS_FILE}`), onLine, listenerId, retryFailed);
  }
}
