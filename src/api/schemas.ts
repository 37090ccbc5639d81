/** Response schemas shared by the API plugins (they feed the OpenAPI document). */
import { Type } from '@sinclair/typebox';

export const ErrorSchema = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String(), id: Type.Optional(Type.String()), details: Type.Optional(Type.Unknown()) }) },
  { $id: 'Error' },
);

export const FileSchema = Type.Object({ path: Type.String(), size: Type.Integer(), sha256: Type.String() });

export const ModelSchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  tags: Type.Record(Type.String(), Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  latestVersion: Type.Union([Type.String(), Type.Null()]),
  versionCount: Type.Integer(),
});

export const VersionSchema = Type.Object({
  model: Type.String(),
  version: Type.String(),
  number: Type.Integer(),
  status: Type.Union([Type.Literal('importing'), Type.Literal('ready'), Type.Literal('failed')]),
  error: Type.Optional(Type.String()),
  source: Type.Object({}, { additionalProperties: true }),
  format: Type.String(),
  runtime: Type.String(),
  runtimeRequested: Type.Optional(Type.String({ description: 'the runtime name given at import, when it was mapped onto `runtime` (a TI-ONE name)' })),
  runtimeNote: Type.Optional(Type.String({ description: 'how the requested runtime maps onto `runtime`' })),
  metrics: Type.Unknown(),
  moveMode: Type.String(),
  description: Type.String(),
  storagePath: Type.String(),
  size: Type.Integer(),
  fileCount: Type.Integer(),
  createdAt: Type.String(),
  readyAt: Type.Union([Type.String(), Type.Null()]),
  files: Type.Optional(Type.Array(FileSchema)),
});

export const errorResponses = {
  400: { $ref: 'Error#' },
  404: { $ref: 'Error#' },
};

export const pageOf = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), offset: Type.Integer(), limit: Type.Integer() });
