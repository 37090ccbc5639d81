/**
 * A service's shadow traffic as the API sets it (PATCH /api/v1/services/{name}, field
 * `shadow`, docs/shadow.md): the request schema, and the check of a patch against the
 * service's versions. Pure: the service manager stores what this answers.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DomainError } from '../contracts/errors.js';
import type { ShadowSpec } from '../contracts/services.js';

/** `shadow` in a service patch: null turns it off; an object is merged into the current one (RFC 7396). */
export const ShadowPatchSchema = Type.Union([
  Type.Object(
    {
      version: Type.Optional(
        Type.Integer({ minimum: 1, maximum: 999_999_999, description: 'the version number that gets the copies (needed when the service has no shadow yet)' }),
      ),
      percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'the share of calls copied to it, 0–100 (default 100)' })),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
export type ShadowPatch = Static<typeof ShadowPatchSchema>;

/** The versions of a service as the check needs them. */
export interface ShadowCandidate {
  seq: number;
  weight: number;
}

/**
 * The shadow after a patch, or null (off). Refused: a version the service does not have
 * (404 SERVICE_VERSION_NOT_FOUND), and the version that takes all the traffic — every
 * other version at weight 0 — since it would only be sent copies of its own calls
 * (400 INVALID_SHADOW).
 */
export function resolveShadow(service: string, current: ShadowSpec | undefined, patch: ShadowPatch, versions: readonly ShadowCandidate[]): ShadowSpec | null {
  if (patch === null) return null;
  const version = patch.version ?? current?.version;
  if (version === undefined) {
    throw new DomainError('INVALID_ARGUMENT', 'shadow.version is needed: the service has no shadow yet', {
      fields: [{ field: 'shadow.version', message: 'is required when turning shadow traffic on' }],
    });
  }
  const v = versions.find((x) => x.seq === version);
  if (!v)
    throw new DomainError('SERVICE_VERSION_NOT_FOUND', `service "${service}" has no version ${version} to send shadow traffic to`, { field: 'shadow.version' });
  if (!versions.some((x) => x.seq !== version && x.weight > 0)) {
    throw new DomainError(
      'INVALID_SHADOW',
      `version ${version} takes all of service "${service}"'s traffic, so it cannot also be its shadow; give another version a weight first, or name a version with weight 0`,
      {
        version,
        weights: versions.map((x) => ({ version: x.seq, weight: x.weight })),
      },
    );
  }
  return { version, percent: patch.percent ?? current?.percent ?? 100 };
}

/** The stored shadow column, parsed; undefined when none (or unreadable). */
export function storedShadow(column: string | null | undefined): ShadowSpec | undefined {
  if (!column) return undefined;
  try {
    const s = JSON.parse(column) as ShadowSpec;
    return typeof s?.version === 'number' && typeof s.percent === 'number' ? s : undefined;
  } catch {
    return undefined;
  }
}
