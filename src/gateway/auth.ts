/** Service-token auth on the data plane: `Authorization: Bearer <token>`, or the bare token (TI-ONE style). */
import { DomainError } from '../contracts/errors.js';
import type { ServiceDirectory } from './service-directory.js';

/** The token in an Authorization header value ('' when there is none). */
export function bearerToken(header: string | string[] | undefined): string {
  if (typeof header !== 'string') return '';
  const h = header.trim();
  if (h.length > 7 && h.charCodeAt(6) === 32 && h.slice(0, 6).toLowerCase() === 'bearer') return h.slice(7).trim();
  return h;
}

/**
 * Throws UNAUTHENTICATED (401) for a missing, wrong or disabled token and RATE_LIMITED
 * (429, with the seconds to wait in `retryAfterSeconds`) for one over its limits.
 * Answers nothing else: the token is neither logged nor forwarded.
 */
export async function authorize(directory: ServiceDirectory, service: string, header: string | string[] | undefined): Promise<void> {
  const token = bearerToken(header);
  if (!token) throw new DomainError('UNAUTHENTICATED', `service "${service}" requires a token: Authorization: Bearer <token>`);
  const check = await directory.verifyToken(service, token);
  if (!check.ok) throw new DomainError('UNAUTHENTICATED', `the token is not valid for service "${service}" (wrong, disabled or deleted)`);
  if (check.limited) {
    throw new DomainError('RATE_LIMITED', `the token's per-${check.limited.window} request limit is reached`, {
      retryAfterSeconds: check.limited.retryAfterSeconds,
    });
  }
}
