/**
 * What a user may hand to a process the platform starts (a service instance, a training
 * run): environment variables and command strings. The API checks them before anything is
 * stored, so a spec the operating system would refuse (a NUL byte, an oversized
 * environment) is a 400 naming the field, never an instance stuck in Pending.
 *
 * Depends only on errors.ts: the services and tasks domains (and the console) use it.
 */
import { DomainError } from './errors.js';

/** POSIX-style: letters, digits and `_`, not starting with a digit. */
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
const ENV_NAME_RE = new RegExp(ENV_NAME_PATTERN);
export const ENV_NAME_MAX_CHARS = 128;
export const ENV_MAX_ENTRIES = 64;
/** all names and values together, in UTF-8 bytes (Linux refuses far more, at ~2 MiB) */
export const ENV_MAX_TOTAL_BYTES = 64 * 1024;

/** Names the platform sets for a service instance itself; a user value would be overridden or break it. */
export const SERVICE_RESERVED_ENV: Readonly<Record<string, string>> = {
  MODELDOCK_INSTANCE_ID: 'the instance id',
  MODELDOCK_EXIT_WITH_STDIN: 'how an instance follows the platform process',
  MODELDOCK_WORKER_PARENT: 'the Python workers\u2019 parent process',
  TI_MODEL_DIR: 'the model package folder',
  NODE_OPTIONS: 'the heap cap from resources.memoryMiB',
  OMP_NUM_THREADS: 'the thread count from resources.cpuMillicores',
  PYTHONUNBUFFERED: 'the Python workers\u2019 log streaming',
  PYTHONDONTWRITEBYTECODE: 'keeping the package folder unchanged',
};

/** Names the platform sets for a training run (docs/tasks.md, "What a run sees"). */
export const TASK_RESERVED_ENV: Readonly<Record<string, string>> = {
  MODELDOCK_TASK: 'the task name',
  MODELDOCK_RUN: 'the run number',
  MODELDOCK_INPUT_DIR: 'the inputs folder',
  MODELDOCK_OUTPUT_DIR: 'the outputs folder',
  MODELDOCK_GUARD_GRACE_MS: 'how a run is stopped',
};
/** MODELDOCK_INPUT_<CHANNEL> is set for each input channel */
const TASK_RESERVED_PREFIX = 'MODELDOCK_INPUT_';

type Field = { field: string; message: string };
const utf8 = new TextEncoder();

function invalid(field: string, message: string): never {
  throw new DomainError('INVALID_ARGUMENT', `${field} ${message}`, { fields: [{ field, message }] } satisfies { fields: Field[] });
}

/** A string handed to a process: it must not hold a NUL byte (the OS would refuse it). */
export function checkProcessString(value: string, field: string): void {
  if (value.includes('\u0000')) invalid(field, 'contains a NUL byte, which no process can be given');
}

/**
 * Checks an `env` object: names, reserved names, NUL bytes, count and total size.
 * `field` is how the API names it (`version.env`, `env`).
 */
export function checkEnv(env: Record<string, string> | undefined, field: string, reserved: Readonly<Record<string, string>>, reservedPrefix?: string): void {
  if (!env) return;
  const entries = Object.entries(env);
  if (entries.length > ENV_MAX_ENTRIES) invalid(field, `has ${entries.length} variables; at most ${ENV_MAX_ENTRIES} are allowed`);
  let bytes = 0;
  for (const [name, value] of entries) {
    const at = `${field}.${printableName(name)}`;
    if (name.length === 0) invalid(field, 'has a variable with an empty name');
    if (name.length > ENV_NAME_MAX_CHARS) invalid(at, `is a name over ${ENV_NAME_MAX_CHARS} characters`);
    if (!ENV_NAME_RE.test(name)) invalid(at, 'is not a valid variable name: letters, digits and "_", not starting with a digit');
    const why = reserved[name] ?? (reservedPrefix && name.startsWith(reservedPrefix) ? 'an input folder' : undefined);
    if (why) invalid(at, `is set by the platform (${why}); choose another name`);
    if (typeof value !== 'string') invalid(at, 'must be a string');
    checkProcessString(value, at);
    bytes += utf8.encode(name).length + utf8.encode(value).length + 2;
  }
  if (bytes > ENV_MAX_TOTAL_BYTES) invalid(field, `is ${bytes} bytes in all; at most ${ENV_MAX_TOTAL_BYTES} are allowed`);
}

export const checkServiceEnv = (env: Record<string, string> | undefined, field: string): void => checkEnv(env, field, SERVICE_RESERVED_ENV);
export const checkTaskEnv = (env: Record<string, string> | undefined, field: string): void => checkEnv(env, field, TASK_RESERVED_ENV, TASK_RESERVED_PREFIX);

function printableName(name: string): string {
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  return shown.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
