/**
 * Progressive rollouts (docs/rollout.md) as the REST API answers them; shared by API, CLI
 * and console. A rollout moves a service's traffic from its serving version (the baseline)
 * to another of its versions (the target) step by step, judging the target's own figures
 * against the baseline's in the same window. Depends on nothing.
 */

/** A rollout's states (a closed union; the transitions are in src/services/rollout-states.ts). */
export const ROLLOUT_PHASES = ['Pending', 'Progressing', 'Paused', 'Promoted', 'RolledBack', 'Aborted'] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];
export const FINISHED_PHASES: readonly RolloutPhase[] = ['Promoted', 'RolledBack', 'Aborted'];

export type RolloutPolicy =
  /** `weight` % to the target for `bakeMs`, then all of it */
  | { type: 'canary'; weight: number; bakeMs: number }
  /** `stepWeight` %, 2×, … every `stepMs` until 100 % */
  | { type: 'linear'; stepWeight: number; stepMs: number }
  /** all traffic at once, judged for `bakeMs` before the baseline is retired */
  | { type: 'all-at-once'; bakeMs: number };

export interface Guardrails {
  /** the window the two versions' figures are taken over (a sliding window, default 30 s) */
  windowMs: number;
  /** calls the target needs in the window before it is judged, and before a step can pass */
  minCalls: number;
  /** breach: target error rate (5xx and timeouts) above the baseline's + maxIncrease */
  errorRate: { maxIncrease: number };
  /**
   * breach: target p99 above baseline p99 × maxRatio and more than toleranceMs above it, or
   * above maxMs; judged once the target had `minCalls` calls in the window (default 100:
   * over fewer, a p99 is only the slowest call, a cold one after a start among them)
   */
  p99: { maxRatio: number; toleranceMs: number; minCalls: number; maxMs?: number };
  /** a Prometheus-style metric the instances export on /metrics, summed over each version's ready instances */
  metric?: { name: string; maxRatio?: number; max?: number };
}

/** What the user asks (user-owned). */
export interface RolloutSpec {
  /** the version moved onto (its seq) */
  target: number;
  policy: RolloutPolicy;
  guardrails: Guardrails;
  /** hand controls: the controller acts on them at its next pass */
  paused: boolean;
  promote: boolean;
  abort: boolean;
}

/** One version's figures over the guardrail window. */
export interface VersionFigures {
  version: number;
  calls: number;
  errors: number;
  /** errors / calls; null without calls */
  errorRate: number | null;
  p99Ms: number | null;
  /** the guardrail metric's value, when one is set and could be read */
  metric?: number | null;
}

export interface RolloutBreach {
  guardrail: 'errorRate' | 'p99' | 'metric' | 'targetFailed';
  message: string;
  target: number | null;
  baseline: number | null;
  threshold: number | null;
}

export interface RolloutStepView {
  /** the target's traffic share in this step, percent */
  weight: number;
  bakeMs: number;
  /** stopped: the step a rollback or abort ended */
  state: 'done' | 'current' | 'stopped' | 'waiting';
}

/** What the controller observed and decided (system-owned). */
export interface RolloutStatus {
  phase: RolloutPhase;
  /** the current step (0-based) */
  step: number;
  stepStartedAt: string | null;
  /** with the rollout paused: how far into the step it was */
  pausedElapsedMs?: number;
  /** the weights applied now */
  weights: { target: number; baseline: number };
  figures?: { windowMs: number; at: string; target: VersionFigures; baseline: VersionFigures };
  breach?: RolloutBreach;
  /** why it is in its phase, in words (waiting for calls, rolled back because…, promoted after…) */
  message: string;
  finishedAt?: string;
}

export interface Rollout {
  id: string;
  service: string;
  /** the version that served before (its seq) and its weight then */
  baseline: { version: number; weight: number };
  spec: RolloutSpec;
  status: RolloutStatus;
  steps: RolloutStepView[];
  createdAt: string;
  updatedAt: string;
}

export type RolloutAction = 'pause' | 'resume' | 'promote' | 'abort';
