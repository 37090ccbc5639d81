/** The tables as Kysely sees them. Timestamps are ISO-8601 text; JSON is text. */
import type { ColumnType } from 'kysely';

type BigNum = ColumnType<number, number | bigint, number | bigint>;

export interface ModelsTable {
  id: string;
  name: string;
  description: string;
  next_version: number;
  created_at: string;
  updated_at: string;
}

export interface ModelTagsTable {
  model_id: string;
  key: string;
  value: string;
}

export interface ModelVersionsTable {
  id: string;
  model_id: string;
  number: number;
  status: string;
  error: string | null;
  source_type: string;
  source: string;
  format: string;
  runtime: string;
  metrics: string | null;
  move_mode: string;
  description: string;
  storage_path: string;
  size: BigNum;
  file_count: number;
  created_at: string;
  ready_at: string | null;
}

export interface VersionFilesTable {
  version_id: string;
  path: string;
  size: BigNum;
  sha256: string;
  updated_at: string;
}

/** A lease row: which platform replica runs a singleton loop (reconciler) until when. */
export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: BigNum;
}

export interface Database {
  models: ModelsTable;
  model_tags: ModelTagsTable;
  model_versions: ModelVersionsTable;
  version_files: VersionFilesTable;
  leases: LeasesTable;
}
