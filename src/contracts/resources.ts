/** Resource shapes the REST API answers with; shared by API, CLI and console. */

export const MODEL_FORMATS = ['onnx', 'torchscript', 'pytorch', 'custom'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

export const SOURCE_TYPES = ['upload', 'storage', 'task'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export const MOVE_MODES = ['copy', 'move'] as const;
export type MoveMode = (typeof MOVE_MODES)[number];

export const VERSION_STATUSES = ['importing', 'ready', 'failed'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

export type Tags = Record<string, string>;

export interface Model {
  name: string;
  description: string;
  tags: Tags;
  createdAt: string;
  updatedAt: string;
  latestVersion: string | null;
  versionCount: number;
}

export interface ModelVersionSource {
  type: SourceType;
  /** storage: path inside the object store (`data/…`) or `file:///…` under an allowed root */
  path?: string;
  /** task: the task name, and the run it came from */
  task?: string;
  run?: string;
  /** upload: original file names */
  files?: number;
}

export interface VersionFile {
  path: string;
  size: number;
  sha256: string;
}

export interface ModelVersion {
  model: string;
  version: string;
  number: number;
  status: VersionStatus;
  error?: string;
  source: ModelVersionSource;
  format: ModelFormat;
  /** the catalog runtime the version runs on */
  runtime: string;
  /** the runtime name it was imported with, when that was mapped onto `runtime` (a TI-ONE name) */
  runtimeRequested?: string;
  /** how the requested runtime maps onto `runtime` (shown as a warning) */
  runtimeNote?: string;
  metrics: string | Record<string, unknown> | null;
  moveMode: MoveMode;
  description: string;
  storagePath: string;
  size: number;
  fileCount: number;
  createdAt: string;
  readyAt: string | null;
  files?: VersionFile[];
}

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

export interface RuntimeEnv {
  id: string;
  kind: 'onnx' | 'python' | 'node' | 'image';
  description: string;
  formats: ModelFormat[];
  available: boolean;
  reason?: string;
  details?: Record<string, string>;
}

/** GET /api/v1/templates → {items: TemplateInfo[]}: the inference code templates */
export interface TemplateInfo {
  /** <kind>/<name>, e.g. pytorch/classify */
  name: string;
  description: string;
  /** runtime environment id to import it with */
  runtime: string;
  /** model format to import it with */
  format: string;
  /** paths inside the template */
  files: string[];
}

export interface StorageObject {
  path: string;
  size: number;
}
