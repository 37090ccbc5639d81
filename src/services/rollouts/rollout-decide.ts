/**
 * One rollout's next state from what is observed now: the reconcile step's decision,
 * a pure function (tested with a fake clock in rollout-decide.test.ts). The controller
 * applies the effects it answers (weights, retiring the baseline, an event), then writes
 * the status; effects are idempotent, so a pass cut short is redone by the next one.
 */
import type { RolloutBreach, RolloutSpec, RolloutStatus, VersionFigures } from '../../contracts/rollouts.js';
import type { ServiceState } from '../../contracts/services.js';
import { judge, planSteps } from './rollout-plan.js';
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

export function decide(i: DecideInput): Decision {
  const { spec, now } = i;
  let st = i.status;
  if (isFinished(st.phase)) return { status: st };
  const at = new Date(now).toISOString();
  const back = { target: 0, baseline: i.baseline.weight };
  const finish = (phase: 'Promoted' | 'RolledBack' | 'Aborted', message: string, extra: Partial<RolloutStatus> = {}): RolloutStatus => ({ ...st, ...extra, phase: move(st.phase, phase), message, finishedAt: at, pausedElapsedMs: undefined });

  if (!i.target) return { status: finish('Aborted', `version ${spec.target} was removed`, { weights: { target: 0, baseline: i.baseline.weight } }), ...(i.baseline.present ? { weights: back } : {}), event: { type: 'Warning', reason: 'RolloutAborted', message: `version ${spec.target} was removed during the rollout` } };
  if (!i.baseline.present) return { status: finish('Aborted', `version ${i.baseline.seq} (the baseline) was removed`), event: { type: 'Warning', reason: 'RolloutAborted', message: `version ${i.baseline.seq} was removed during the rollout` } };
  if (spec.abort) return { status: finish('Aborted', 'aborted by hand; the baseline takes the traffic again', { weights: back }), weights: back, event: { type: 'Normal', reason: 'RolloutAborted', message: `rollout to version ${spec.target} aborted by hand; version ${i.baseline.seq} takes the traffic again` } };
  if (spec.promote) return promote(i, finish, 'promoted by hand');
  if (i.target.status === 'Failed') {
    const breach: RolloutBreach = { guardrail: 'targetFailed', message: `version ${spec.target} failed: ${i.target.reason ?? 'no reason given'}`, target: null, baseline: null, threshold: null };
    return rollBack(i, finish, breach);
  }
  const steps = planSteps(spec.policy);
  if (st.phase === 'Pending' || (st.phase === 'Paused' && st.stepStartedAt === null)) {
    const ready = i.target.status === 'Running' && i.target.ready > 0;
    if (spec.paused) return { status: { ...st, phase: move(st.phase, 'Paused'), pausedElapsedMs: 0, message: 'paused before the first step' }, weights: back };
    if (!ready) return { status: { ...st, phase: move(st.phase, 'Pending'), message: `waiting for version ${spec.target} to be ready (${i.target.ready} ready, ${i.target.status})` }, weights: back };
    const w = steps[0]!.weight;
    const weights = { target: w, baseline: 100 - w };
    return { status: { ...st, phase: move(st.phase, 'Progressing'), step: 0, stepStartedAt: at, weights, pausedElapsedMs: undefined, message: stepMessage(0, steps.length, w, steps[0]!.bakeMs) }, weights, event: { type: 'Normal', reason: 'RolloutStep', message: `step 1/${steps.length}: version ${spec.target} takes ${w}%` } };
  }

  const figures = i.figures ? { windowMs: spec.guardrails.windowMs, at, ...i.figures } : st.figures;
  const breach = i.figures ? judge(spec.guardrails, i.figures.target, i.figures.baseline) : undefined;
  if (breach) return rollBack(i, finish, breach, figures);
  const step = steps[Math.min(st.step, steps.length - 1)]!;
  const started = Date.parse(st.stepStartedAt ?? at);
  if (i.holding && st.phase === 'Progressing' && !spec.paused) {
    // the step's clock stops too: it goes on from where it was once both versions serve again
    const elapsed = Math.min(step.bakeMs, Math.max(0, now - started));
    return { status: { ...st, figures, stepStartedAt: new Date(now - (st.pausedElapsedMs ?? elapsed)).toISOString(), pausedElapsedMs: st.pausedElapsedMs ?? elapsed, message: `holding at step ${st.step + 1}/${steps.length}: ${i.holding}` }, weights: st.weights };
  }
  // back from holding: the frozen clock runs again
  if (st.phase === 'Progressing' && st.pausedElapsedMs !== undefined) st = { ...st, pausedElapsedMs: undefined };

  if (st.phase === 'Paused') {
    if (spec.paused) return { status: { ...st, figures }, weights: st.weights };
    return { status: { ...st, figures, phase: move('Paused', 'Progressing'), stepStartedAt: new Date(now - (st.pausedElapsedMs ?? 0)).toISOString(), pausedElapsedMs: undefined, message: `resumed: ${stepMessage(st.step, steps.length, step.weight, step.bakeMs - (st.pausedElapsedMs ?? 0))}` }, weights: st.weights, event: { type: 'Normal', reason: 'RolloutResumed', message: `rollout resumed at step ${st.step + 1}/${steps.length}` } };
  }
  if (spec.paused) {
    const elapsed = Math.max(0, now - started);
    return { status: { ...st, figures, phase: move('Progressing', 'Paused'), pausedElapsedMs: elapsed, message: `paused at step ${st.step + 1}/${steps.length}` }, weights: st.weights, event: { type: 'Normal', reason: 'RolloutPaused', message: `rollout paused at step ${st.step + 1}/${steps.length}` } };
  }
  const left = step.bakeMs - (now - started);
  if (left > 0) return { status: { ...st, figures, message: stepMessage(st.step, steps.length, step.weight, left) }, weights: st.weights };
  const calls = i.figures?.target.calls ?? 0;
  if (calls < spec.guardrails.minCalls) {
    return { status: { ...st, figures, message: `step ${st.step + 1}/${steps.length} baked; waiting for ${spec.guardrails.minCalls} calls to version ${spec.target} in the window (${calls} so far)` }, weights: st.weights };
  }
  if (st.step >= steps.length - 1) return promote({ ...i, status: { ...st, figures } }, finish, `every step passed (${steps.length}); version ${i.baseline.seq} retired`);
  const next = st.step + 1;
  const w = steps[next]!.weight;
  const weights = { target: w, baseline: 100 - w };
  return { status: { ...st, figures, step: next, stepStartedAt: at, weights, message: stepMessage(next, steps.length, w, steps[next]!.bakeMs) }, weights, event: { type: 'Normal', reason: 'RolloutStep', message: `step ${next + 1}/${steps.length}: version ${spec.target} takes ${w}%` } };
}

type Finish = (phase: 'Promoted' | 'RolledBack' | 'Aborted', message: string, extra?: Partial<RolloutStatus>) => RolloutStatus;

function promote(i: DecideInput, finish: Finish, why: string): Decision {
  const weights = { target: 100, baseline: 0 };
  return { status: finish('Promoted', why, { weights, step: planSteps(i.spec.policy).length - 1 }), weights, retireBaseline: true, event: { type: 'Normal', reason: 'RolloutPromoted', message: `version ${i.spec.target} promoted (${why})` } };
}

function rollBack(i: DecideInput, finish: Finish, breach: RolloutBreach, figures?: RolloutStatus['figures']): Decision {
  const weights = { target: 0, baseline: i.baseline.weight };
  const message = `rolled back: ${breach.message}; version ${i.spec.target} is kept (weight 0) for inspection`;
  return { status: finish('RolledBack', message, { weights, breach, ...(figures ? { figures } : {}) }), weights, event: { type: 'Warning', reason: 'RolloutRolledBack', message: `version ${i.spec.target} rolled back: ${breach.message}` } };
}

function stepMessage(step: number, of: number, weight: number, leftMs: number): string {
  return `step ${step + 1}/${of}: version takes ${weight}%, ${Math.max(0, Math.ceil(leftMs / 1000))} s of baking left`;
}
