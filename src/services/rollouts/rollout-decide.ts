/**
 * One rollout's next state from what is observed now: the reconcile step's decision,
 * a pure function (tested with a fake clock in rollout-decide.test.ts). The controller
 * applies the effects it answers (weights, retiring the baseline, an event), then writes
 * the status; effects are idempotent, so a pass cut short is redone by the next one.
 */
import type { RolloutBreach, RolloutSpec, RolloutStatus, VersionFigures } from '../../contracts/rollouts.js';
import type { ServiceState } from '../../contracts/services.js';
import { judge, planSteps, type PlanStep } from './rollout-plan.js';
import { isFinished, move } from './rollout-states.js';

export interface DecideInput {
  now: number;
  spec: RolloutSpec;
  status: RolloutStatus;
  baseline: { seq: number; weight: number; present: boolean };
  /** the target version as the reconciler last saw it; undefined once it was removed */
  target?: { status: ServiceState; ready: number; reason?: string };
  /** why neither the guardrails nor the step clock count now: a version of the pair has no ready instance routed */
  holding?: string;
  /** both versions over the guardrail window (taken while steps run) */
  figures?: { target: VersionFigures; baseline: VersionFigures };
}

export interface Decision {
  status: RolloutStatus;
  /** the weights to hold (absent: leave them) */
  weights?: { target: number; baseline: number };
  retireBaseline?: boolean;
  event?: { type: 'Normal' | 'Warning'; reason: string; message: string };
}

type Ended = 'Promoted' | 'RolledBack' | 'Aborted';

/** What every branch of a decision needs: the time, the weights to go back to, the steps. */
interface Ctx {
  at: string;
  back: { target: number; baseline: number };
  steps: PlanStep[];
  finish(from: RolloutStatus, phase: Ended, message: string, extra?: Partial<RolloutStatus>): RolloutStatus;
}

export function decide(i: DecideInput): Decision {
  const { spec, status: st } = i;
  if (isFinished(st.phase)) return { status: st };
  const at = new Date(i.now).toISOString();
  const back = { target: 0, baseline: i.baseline.weight };
  const c: Ctx = {
    at,
    back,
    steps: planSteps(spec.policy),
    finish: (from, phase, message, extra = {}) => ({ ...from, ...extra, phase: move(from.phase, phase), message, finishedAt: at, pausedElapsedMs: undefined }),
  };
  if (!i.target) {
    return {
      status: c.finish(st, 'Aborted', `version ${spec.target} was removed`, { weights: back }),
      ...(i.baseline.present ? { weights: back } : {}),
      event: { type: 'Warning', reason: 'RolloutAborted', message: `version ${spec.target} was removed during the rollout` },
    };
  }
  if (!i.baseline.present) {
    return {
      status: c.finish(st, 'Aborted', `version ${i.baseline.seq} (the baseline) was removed`),
      event: { type: 'Warning', reason: 'RolloutAborted', message: `version ${i.baseline.seq} was removed during the rollout` },
    };
  }
  if (spec.abort) {
    const message = `rollout to version ${spec.target} aborted by hand; version ${i.baseline.seq} takes the traffic again`;
    return {
      status: c.finish(st, 'Aborted', 'aborted by hand; the baseline takes the traffic again', { weights: back }),
      weights: back,
      event: { type: 'Normal', reason: 'RolloutAborted', message },
    };
  }
  if (spec.promote) return promote(i, c, st, 'promoted by hand');
  if (i.target.status === 'Failed') {
    const message = `version ${spec.target} failed: ${i.target.reason ?? 'no reason given'}`;
    return rollBack(i, c, st, { guardrail: 'targetFailed', message, target: null, baseline: null, threshold: null });
  }
  const begun = st.phase === 'Progressing' || (st.phase === 'Paused' && st.stepStartedAt !== null);
  return begun ? stepping(i, c) : beginning(i, c);
}

/** Before the first step: wait for the target to be ready (or paused), then set the first step's weights. */
function beginning(i: DecideInput, c: Ctx): Decision {
  const { spec, status: st } = i;
  if (spec.paused) return { status: { ...st, phase: move(st.phase, 'Paused'), pausedElapsedMs: 0, message: 'paused before the first step' }, weights: c.back };
  const ready = i.target!.status === 'Running' && i.target!.ready > 0;
  if (!ready) {
    const message = `waiting for version ${spec.target} to be ready (${i.target!.ready} ready, ${i.target!.status})`;
    return { status: { ...st, phase: move(st.phase, 'Pending'), message }, weights: c.back };
  }
  const first = c.steps[0]!;
  const weights = { target: first.weight, baseline: 100 - first.weight };
  return {
    status: {
      ...st,
      phase: move(st.phase, 'Progressing'),
      step: 0,
      stepStartedAt: c.at,
      weights,
      pausedElapsedMs: undefined,
      message: stepMessage(0, c.steps.length, first.weight, first.bakeMs),
    },
    weights,
    event: { type: 'Normal', reason: 'RolloutStep', message: `step 1/${c.steps.length}: version ${spec.target} takes ${first.weight}%` },
  };
}

/** A step runs (or is paused): judge the figures, hold, pause or resume, and pass the step once baked with enough calls. */
function stepping(i: DecideInput, c: Ctx): Decision {
  const { spec, now } = i;
  const of = c.steps.length;
  let st: RolloutStatus = { ...i.status, figures: i.figures ? { windowMs: spec.guardrails.windowMs, at: c.at, ...i.figures } : i.status.figures };
  const breach = i.figures ? judge(spec.guardrails, i.figures.target, i.figures.baseline) : undefined;
  if (breach) return rollBack(i, c, st, breach);
  const step = c.steps[Math.min(st.step, of - 1)]!;
  const started = Date.parse(st.stepStartedAt ?? c.at);
  const hold = { weights: st.weights };
  if (i.holding && st.phase === 'Progressing' && !spec.paused) {
    // the step's clock stops too: it goes on from where it was once both versions serve again
    const frozen = st.pausedElapsedMs ?? Math.min(step.bakeMs, Math.max(0, now - started));
    return {
      status: {
        ...st,
        stepStartedAt: new Date(now - frozen).toISOString(),
        pausedElapsedMs: frozen,
        message: `holding at step ${st.step + 1}/${of}: ${i.holding}`,
      },
      ...hold,
    };
  }
  // back from holding: the frozen clock runs again
  if (st.phase === 'Progressing' && st.pausedElapsedMs !== undefined) st = { ...st, pausedElapsedMs: undefined };
  if (st.phase === 'Paused') {
    if (spec.paused) return { status: st, ...hold };
    const elapsed = st.pausedElapsedMs ?? 0;
    const message = `resumed: ${stepMessage(st.step, of, step.weight, step.bakeMs - elapsed)}`;
    return {
      status: { ...st, phase: move('Paused', 'Progressing'), stepStartedAt: new Date(now - elapsed).toISOString(), pausedElapsedMs: undefined, message },
      ...hold,
      event: { type: 'Normal', reason: 'RolloutResumed', message: `rollout resumed at step ${st.step + 1}/${of}` },
    };
  }
  if (spec.paused) {
    const message = `paused at step ${st.step + 1}/${of}`;
    return {
      status: { ...st, phase: move('Progressing', 'Paused'), pausedElapsedMs: Math.max(0, now - started), message },
      ...hold,
      event: { type: 'Normal', reason: 'RolloutPaused', message: `rollout ${message}` },
    };
  }
  const left = step.bakeMs - (now - started);
  if (left > 0) return { status: { ...st, message: stepMessage(st.step, of, step.weight, left) }, ...hold };
  const calls = i.figures?.target.calls ?? 0;
  if (calls < spec.guardrails.minCalls) {
    const message = `step ${st.step + 1}/${of} baked; waiting for ${spec.guardrails.minCalls} calls to version ${spec.target} in the window (${calls} so far)`;
    return { status: { ...st, message }, ...hold };
  }
  if (st.step >= of - 1) return promote(i, c, st, `every step passed (${of}); version ${i.baseline.seq} retired`);
  const next = st.step + 1;
  const w = c.steps[next]!.weight;
  const weights = { target: w, baseline: 100 - w };
  return {
    status: { ...st, step: next, stepStartedAt: c.at, weights, message: stepMessage(next, of, w, c.steps[next]!.bakeMs) },
    weights,
    event: { type: 'Normal', reason: 'RolloutStep', message: `step ${next + 1}/${of}: version ${spec.target} takes ${w}%` },
  };
}

function promote(i: DecideInput, c: Ctx, from: RolloutStatus, why: string): Decision {
  const weights = { target: 100, baseline: 0 };
  return {
    status: c.finish(from, 'Promoted', why, { weights, step: c.steps.length - 1 }),
    weights,
    retireBaseline: true,
    event: { type: 'Normal', reason: 'RolloutPromoted', message: `version ${i.spec.target} promoted (${why})` },
  };
}

function rollBack(i: DecideInput, c: Ctx, from: RolloutStatus, breach: RolloutBreach): Decision {
  const message = `rolled back: ${breach.message}; version ${i.spec.target} is kept (weight 0) for inspection`;
  return {
    status: c.finish(from, 'RolledBack', message, { weights: c.back, breach }),
    weights: c.back,
    event: { type: 'Warning', reason: 'RolloutRolledBack', message: `version ${i.spec.target} rolled back: ${breach.message}` },
  };
}

function stepMessage(step: number, of: number, weight: number, leftMs: number): string {
  return `step ${step + 1}/${of}: version takes ${weight}%, ${Math.max(0, Math.ceil(leftMs / 1000))} s of baking left`;
}
