/** Store rows → API resources. */
import type { Model, ModelVersion, ModelVersionSource, VersionFile } from '../contracts/resources.js';
import type { FileRow, ModelRow, VersionRow } from './models-repo.js';
import { mappingNote } from '../runtime-catalog/aliases.js';

export function toModel(row: ModelRow, stats?: { count: number; latest: number | null }): Model {
  return {
    name: row.name,
    description: row.description,
    tags: row.tags,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    latestVersion: stats?.latest ? `v${stats.latest}` : null,
    versionCount: stats?.count ?? 0,
  };
}

export function parseMetrics(raw: string | null): ModelVersion['metrics'] {
  if (raw === null) return null;
  if (raw.startsWith('json:')) {
    try {
      return JSON.parse(raw.slice(5)) as Record<string, unknown>;
    } catch {
      return raw.slice(5);
    }
  }
  return raw.startsWith('text:') ? raw.slice(5) : raw;
}

export function encodeMetrics(m: string | Record<string, unknown> | null | undefined): string | null {
  if (m === null || m === undefined) return null;
  return typeof m === 'string' ? `text:${m}` : `json:${JSON.stringify(m)}`;
}

export function toVersion(modelName: string, row: VersionRow, files?: FileRow[]): ModelVersion {
  return {
    model: modelName,
    version: `v${row.number}`,
    number: row.number,
    status: row.status as ModelVersion['status'],
    ...(row.error ? { error: row.error } : {}),
    source: JSON.parse(row.source) as ModelVersionSource,
    format: row.format as ModelVersion['format'],
    runtime: row.runtime,
    ...(row.runtime_requested ? { runtimeRequested: row.runtime_requested, runtimeNote: mappingNote(row.runtime_requested, row.runtime) } : {}),
    metrics: parseMetrics(row.metrics),
    moveMode: row.move_mode as ModelVersion['moveMode'],
    description: row.description,
    storagePath: row.storage_path,
    size: Number(row.size),
    fileCount: row.file_count,
    createdAt: row.created_at,
    readyAt: row.ready_at,
    ...(files ? { files: files.map(toFile) } : {}),
  };
}

export function toFile(f: FileRow): VersionFile {
  return { path: f.path, size: Number(f.size), sha256: f.sha256 };
}
