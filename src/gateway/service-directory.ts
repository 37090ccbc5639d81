/**
 * What the gateway needs to know to route a call, kept in memory and refreshed by the
 * services reconciler (the hot path never touches the database). The services domain
 * implements it; the gateway only reads it.
 */
import type { CaptureSpec } from '../contracts/capture.js';
import type { ShadowOutcome, ShadowSpec } from '../contracts/services.js';

export interface RouteTarget {
  instanceId: string;
  /** e.g. http://127.0.0.1:43121 */
  url: string;
}

export interface RouteVersion {
  id: string;
  seq: number;
  weight: number;
  /** ready instances only */
  targets: RouteTarget[];
  limits?: { maxRequestsPerSecond?: number; maxConcurrency?: number };
  /** this version may scale from zero: hold calls while an instance starts */
  scalesFromZero: boolean;
  /** payload capture, when on (percent > 0): capture-hook.ts */
  capture?: CaptureSpec;
}

export interface ServiceRoute {
  name: string;
  auth: boolean;
  stopped: boolean;
  versions: RouteVersion[];
  /** shadow traffic: a share of the calls also sent to one version (gateway/shadow.ts) */
  shadow?: ShadowSpec;
}

export interface TokenCheck {
  ok: boolean;
  tokenId?: string;
  limits?: { perMinute?: number; perDay?: number };
  /** The token is valid but over one of its limits: the gateway answers 429 with Retry-After. */
  limited?: { window: 'minute' | 'day'; retryAfterSeconds: number };
}

/** One call, as the gateway reports it: nothing per request beyond these. */
export interface CallSample {
  latencyMs: number;
  status: number;
  /** the instance that served it, when one was chosen */
  instanceId?: string;
  /** why it got a 429: the token's limit, or the version's per-instance limit */
  limited?: 'token' | 'instance_limit';
}

export interface ServiceDirectory {
  /** The current route of a service, or undefined when no such service exists. */
  route(name: string): ServiceRoute | undefined;
  /** Asks for an instance of a scaled-to-zero version; resolves when one is ready or the wait ends (false). */
  wake(name: string, versionId: string, timeoutMs: number): Promise<boolean>;
  /**
   * Records a call for autoscaling, idle detection and metrics. `versionId` is undefined
   * for a call refused before a version was chosen (401, a token's 429, a missing service).
   */
  observe(name: string, versionId: string | undefined, sample: CallSample): void;
  /**
   * Shadow traffic, off the caller's path: `sent` when a copy goes to version
   * `versionId`, then how it ended; `skipped`/`dropped` for a copy not sent.
   */
  observeShadow?(name: string, versionId: string, event: ShadowOutcome | 'sent', latencyMs?: number): void;
  /** Checks a bearer token of a service with auth on. */
  verifyToken(name: string, token: string): Promise<TokenCheck>;
}
