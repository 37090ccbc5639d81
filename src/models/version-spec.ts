/** The import spec of a model version: its schema (API validation + OpenAPI) and checks. */
import { Type, type Static } from '@sinclair/typebox';
import { MODEL_FORMATS, MOVE_MODES } from '../contracts/resources.js';
import { NAME_PATTERN } from '../contracts/names.js';

const lit = <T extends readonly string[]>(xs: T) => Type.Union(xs.map((x) => Type.Literal(x)));

// TypeBox turns a Record's key schema into patternProperties: only the pattern counts, and
// additionalProperties: false is what refuses the keys that do not match it.
export const TagsSchema = Type.Record(Type.String({ pattern: '^[^\\u0000-\\u001f]{1,63}$' }), Type.String({ maxLength: 255 }), {
  additionalProperties: false,
  description: 'key/value tags',
});

export const SourceSchema = Type.Union([
  Type.Object({ type: Type.Literal('upload') }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('storage'),
      path: Type.String({ minLength: 1, maxLength: 1024, description: 'a folder or file in the object store, or file:///… under an allowed import root' }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('task'), task: Type.String({ minLength: 1, maxLength: 60 }), run: Type.Optional(Type.String({ maxLength: 60 })) },
    { additionalProperties: false },
  ),
]);

export const VersionSpecSchema = Type.Object(
  {
    source: SourceSchema,
    format: lit(MODEL_FORMATS),
    runtime: Type.String({ minLength: 1, maxLength: 100 }),
    metrics: Type.Optional(
      Type.Union([Type.String(), Type.Record(Type.String(), Type.Unknown()), Type.Null()], { description: 'free text or JSON, at most 1000 characters' }),
    ),
    moveMode: Type.Optional(lit(MOVE_MODES)),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    createModel: Type.Optional(Type.Boolean({ description: 'create the model when it does not exist' })),
    modelDescription: Type.Optional(Type.String({ maxLength: 2000 })),
    modelTags: Type.Optional(TagsSchema),
    unzip: Type.Optional(Type.Boolean({ description: 'upload: unpack a single .zip (default true)' })),
  },
  { additionalProperties: false },
);

export type VersionSpec = Static<typeof VersionSpecSchema>;

export const ModelCreateSchema = Type.Object(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: '1–60 letters, digits, _ or -, starting with a letter or digit' }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    tags: Type.Optional(TagsSchema),
  },
  { additionalProperties: false },
);
export type ModelCreate = Static<typeof ModelCreateSchema>;

export const ModelPatchSchema = Type.Object(
  { description: Type.Optional(Type.String({ maxLength: 2000 })), tags: Type.Optional(TagsSchema) },
  { additionalProperties: false },
);
export type ModelPatch = Static<typeof ModelPatchSchema>;

export const MAX_METRICS_CHARS = 1000;
export const MAX_TAGS = 50;
