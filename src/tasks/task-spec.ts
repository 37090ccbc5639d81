/** The create-task request: schema (API validation + OpenAPI) and its defaults. */
import { Type, type Static } from '@sinclair/typebox';
import { NAME_PATTERN } from '../contracts/names.js';
import { ENV_MAX_ENTRIES, TASK_RESERVED_ENV } from '../contracts/process-input.js';
import { TagsSchema } from '../models/version-spec.js';

const Int = (min: number, max: number, extra: object = {}) => Type.Integer({ minimum: min, maximum: max, ...extra });

export const CHANNEL_PATTERN = '^[A-Za-z][A-Za-z0-9_]{0,31}$';

export const TaskCodeSchema = Type.Union([
  Type.Object(
    { type: Type.Literal('example'), name: Type.String({ minLength: 1, maxLength: 60, description: 'a built-in example (GET /api/v1/task-examples)' }) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('storage'),
      path: Type.String({ minLength: 1, maxLength: 1024, description: 'a folder or zip in the object store, or file:///… under an allowed import root' }),
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('upload') }, { additionalProperties: false, description: 'multipart only: the files or one zip follow the spec field' }),
]);

export const TaskSpecSchema = Type.Object(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: '1–60 letters, digits, _ or -, starting with a letter or digit' }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    runtime: Type.String({ minLength: 1, maxLength: 100, description: 'a runtime environment id (GET /api/v1/runtimes)' }),
    code: TaskCodeSchema,
    command: Type.String({ minLength: 1, maxLength: 4096, description: 'run with /bin/sh -c in the code folder, e.g. "python train.py --epochs 3"' }),
    inputs: Type.Optional(
      Type.Record(Type.String({ pattern: CHANNEL_PATTERN }), Type.String({ minLength: 1, maxLength: 1024 }), {
        maxProperties: 16,
        additionalProperties: false,
        description: 'channel → object-store folder; the run finds it at $MODELDOCK_INPUT_<CHANNEL>',
      }),
    ),
    output: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1024, description: 'object-store folder for the outputs (run n goes to <output>/run-<n>); default tasks/<name>' }),
    ),
    env: Type.Optional(
      Type.Record(Type.String(), Type.String({ maxLength: 4096 }), {
        maxProperties: ENV_MAX_ENTRIES,
        description: `names of letters, digits and _ (not starting with a digit, not one the platform sets: ${Object.keys(TASK_RESERVED_ENV).join(', ')}, MODELDOCK_INPUT_*); values without NUL bytes`,
      }),
    ),
    resources: Type.Optional(
      Type.Object({ cpuMillicores: Int(100, 64_000), memoryMiB: Int(64, 512 * 1024), gpu: Type.Optional(Int(0, 16)) }, { additionalProperties: false }),
    ),
    timeoutMs: Type.Optional(Int(1_000, 7 * 24 * 3_600_000)),
    tags: Type.Optional(TagsSchema),
  },
  { additionalProperties: false },
);

export type TaskSpecInput = Static<typeof TaskSpecSchema>;

export const TASK_DEFAULTS = {
  resources: { cpuMillicores: 2_000, memoryMiB: 4_096 },
  timeoutMs: 3_600_000,
  output: (name: string) => `tasks/${name}`,
} as const;

/** Where run n of a task puts its output. */
export function runOutputPath(output: string, run: number): string {
  return `${output}/run-${run}`;
}
