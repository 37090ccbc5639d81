/**
 * The CLI's exit status per kind of failure, decided in this one place from the API's
 * stable error code (its kind, src/contracts/errors.ts) or, for a code the CLI does not
 * know, the HTTP status. docs/cli.md lists them; exit-codes.test.ts keeps the two in step.
 */
import { ERROR_CODES, type ErrorKind } from '../contracts/errors.js';

export const EXIT = {
  ok: 0,
  /** the operation failed: a server error, an import or task that failed, a corrupt download */
  failed: 1,
  /** bad flags, arguments or input, refused by the CLI or by the API */
  usage: 2,
  notFound: 3,
  /** the resource's state forbids it: it exists, is in use, is not ready */
  conflict: 4,
  /** no or a wrong token, or not allowed */
  auth: 5,
  /** nothing answers, the platform is busy or shutting down, or a deadline passed */
  unavailable: 6,
} as const;

type Exit = (typeof EXIT)[keyof typeof EXIT];

const BY_KIND: Record<ErrorKind, Exit> = {
  invalid: EXIT.usage,
  too_large: EXIT.usage,
  unsupported_media: EXIT.usage,
  headers_too_large: EXIT.usage,
  expectation_failed: EXIT.usage,
  method_not_allowed: EXIT.usage,
  unauthenticated: EXIT.auth,
  forbidden: EXIT.auth,
  not_found: EXIT.notFound,
  conflict: EXIT.conflict,
  limited: EXIT.unavailable,
  unavailable: EXIT.unavailable,
  timeout: EXIT.unavailable,
  request_timeout: EXIT.unavailable,
  internal: EXIT.failed,
  insufficient_storage: EXIT.failed,
};

/** Codes only the CLI raises (the client's transport failures). */
const CLI_CODES: Record<string, Exit> = {
  UNREACHABLE: EXIT.unavailable,
  TRANSPORT: EXIT.unavailable,
  INVALID_CONFIG: EXIT.usage,
};

function byStatus(status: number): Exit {
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 408 || status === 429 || status === 502 || status === 503 || status === 504) return EXIT.unavailable;
  if (status >= 400 && status < 500) return EXIT.usage;
  return EXIT.failed;
}

/** The exit status for a failure with this code (and HTTP status, when the API answered). */
export function exitCodeFor(code: unknown, status?: number): Exit {
  if (typeof code === 'string') {
    if (Object.hasOwn(ERROR_CODES, code)) return BY_KIND[ERROR_CODES[code as keyof typeof ERROR_CODES]];
    if (Object.hasOwn(CLI_CODES, code)) return CLI_CODES[code]!;
  }
  return typeof status === 'number' && status > 0 ? byStatus(status) : EXIT.failed;
}
