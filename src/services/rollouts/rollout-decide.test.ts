/** The reconcile step's decision with a fake clock: step timing, hand controls, breaches. */
import { describe, expect, it } from 'vitest';
import type { RolloutSpec, RolloutStatus, VersionFigures } from '../../contracts/rollouts.js';
import { decide, type DecideInput } from './rollout-decide.js';
import { DEFAULT_GUARDRAILS } from './rollout-plan.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const spec = (over: Partial<RolloutSpec> = {}): RolloutSpec => ({
  target: 2,
  policy: { type: 'linear', stepWeight: 50, stepMs: 10_000 },
  guardrails: { ...DEFAULT_GUARDRAILS, minCalls: 10 },
  paused: false,
  promote: false,
  abort: false,
  ...over,
});
const pending: RolloutStatus = { phase: 'Pending', step: 0, stepStartedAt: null, weights: { target: 0, baseline: 100 }, message: '' };
const fig = (version: number, calls: number, errors = 0, p99Ms: number | null = 5): VersionFigures => ({
  version,
  calls,
  errors,
  errorRate: calls ? errors / calls : null,
  p99Ms,
});
const good = { target: fig(2, 50), baseline: fig(1, 50) };
const input = (over: Partial<DecideInput>): DecideInput => ({
  now: T0,
  spec: spec(),
  status: pending,
  baseline: { seq: 1, weight: 100, present: true },
  target: { status: 'Running', ready: 1 },
  ...over,
});

/** Runs decisions over a fake clock, feeding each status into the next. */
function run(steps: { at: number; spec?: RolloutSpec; figures?: DecideInput['figures']; holding?: string }[], from: RolloutStatus = pending) {
  let status = from;
  return steps.map((s) => {
    const d = decide(
      input({
        now: T0 + s.at,
        status,
        ...(s.spec ? { spec: s.spec } : {}),
        ...(s.figures ? { figures: s.figures } : {}),
        ...(s.holding ? { holding: s.holding } : {}),
      }),
    );
    status = d.status;
    return d;
  });
}

describe('decide', () => {
  it('waits in Pending until the target is ready, holding the baseline', () => {
    const d = decide(input({ target: { status: 'Creating', ready: 0 } }));
    expect([d.status.phase, d.weights]).toEqual(['Pending', { target: 0, baseline: 100 }]);
    expect(d.status.message).toMatch(/waiting for version 2/);
  });

  it('steps through a linear policy on the clock and promotes after the last step, retiring the baseline', () => {
    const [first, early, second, last] = run([{ at: 0 }, { at: 9_999, figures: good }, { at: 10_000, figures: good }, { at: 20_000, figures: good }]);
    expect([first!.status.phase, first!.weights, first!.event?.reason]).toEqual(['Progressing', { target: 50, baseline: 50 }, 'RolloutStep']);
    expect([early!.status.step, early!.event]).toEqual([0, undefined]);
    expect(early!.status.message).toMatch(/1 s of baking left/);
    expect([second!.status.step, second!.weights]).toEqual([1, { target: 100, baseline: 0 }]);
    expect([last!.status.phase, last!.retireBaseline, last!.event?.reason, last!.status.finishedAt]).toEqual([
      'Promoted',
      true,
      'RolloutPromoted',
      new Date(T0 + 20_000).toISOString(),
    ]);
  });

  it('does not pass a baked step until the target had minCalls in the window', () => {
    const [, waiting, passed] = run([{ at: 0 }, { at: 10_000, figures: { target: fig(2, 3), baseline: fig(1, 3) } }, { at: 12_000, figures: good }]);
    expect([waiting!.status.step, waiting!.status.message]).toEqual([0, expect.stringMatching(/waiting for 10 calls .* \(3 so far\)/)]);
    expect(passed!.status.step).toBe(1);
  });

  it('rolls back at once on a breach, back to the baseline weight, keeping the figures and why', () => {
    const [, d] = run([{ at: 0 }, { at: 1_000, figures: { target: fig(2, 20, 5), baseline: fig(1, 20) } }]);
    expect([d!.status.phase, d!.weights, d!.status.breach?.guardrail, d!.event?.type]).toEqual([
      'RolledBack',
      { target: 0, baseline: 100 },
      'errorRate',
      'Warning',
    ]);
    expect(d!.status.figures?.target.errors).toBe(5);
    expect(d!.status.message).toMatch(/kept \(weight 0\) for inspection/);
    // finished: nothing more happens
    expect(decide(input({ status: d!.status, now: T0 + 5_000, figures: good }))).toEqual({ status: d!.status });
  });

  it('rolls back when the target fails to start', () => {
    const d = decide(input({ target: { status: 'Failed', ready: 0, reason: 'model load failed' } }));
    expect([d.status.phase, d.status.breach?.guardrail, d.status.breach?.message]).toEqual([
      'RolledBack',
      'targetFailed',
      'version 2 failed: model load failed',
    ]);
  });

  it('pause freezes the step clock; resume goes on with what was left', () => {
    const s = spec();
    const paused = spec({ paused: true });
    const [, p, stillPaused, resumed, notYet, next] = run([
      { at: 0, spec: s },
      { at: 4_000, spec: paused, figures: good },
      { at: 60_000, spec: paused, figures: good },
      { at: 100_000, spec: s, figures: good },
      { at: 105_999, spec: s, figures: good },
      { at: 106_000, spec: s, figures: good },
    ]);
    expect([p!.status.phase, p!.status.pausedElapsedMs, p!.weights]).toEqual(['Paused', 4_000, { target: 50, baseline: 50 }]);
    expect(stillPaused!.status.step).toBe(0);
    expect([resumed!.status.phase, resumed!.status.stepStartedAt]).toEqual(['Progressing', new Date(T0 + 96_000).toISOString()]);
    expect(notYet!.status.step).toBe(0);
    expect(next!.status.step).toBe(1);
  });

  it('holds the step clock and the verdict while a version has no ready instance, then goes on', () => {
    const holding = 'waiting for version 1 to have a ready instance';
    const [, held, stillHeld, back, notYet, next] = run([
      { at: 0 },
      { at: 4_000, holding },
      { at: 50_000, holding },
      { at: 50_200, figures: good },
      { at: 55_900, figures: good },
      { at: 56_000, figures: good },
    ]);
    expect([held!.status.phase, held!.status.message, held!.event]).toEqual(['Progressing', `holding at step 1/2: ${holding}`, undefined]);
    expect([stillHeld!.status.step, stillHeld!.status.stepStartedAt]).toEqual([0, new Date(T0 + 46_000).toISOString()]);
    expect([back!.status.step, back!.status.pausedElapsedMs]).toEqual([0, undefined]);
    expect(notYet!.status.step).toBe(0);
    expect(next!.status.step).toBe(1);
  });

  it('a rollout started paused waits before its first step, then begins on resume', () => {
    const [p, r] = run([
      { at: 0, spec: spec({ paused: true }) },
      { at: 1_000, spec: spec() },
    ]);
    expect([p!.status.phase, p!.weights]).toEqual(['Paused', { target: 0, baseline: 100 }]);
    expect([r!.status.phase, r!.weights]).toEqual(['Progressing', { target: 50, baseline: 50 }]);
  });

  it('promote and abort by hand; a removed version aborts', () => {
    const [, promoted] = run([{ at: 0 }, { at: 1, spec: spec({ promote: true }) }]);
    expect([promoted!.status.phase, promoted!.weights, promoted!.retireBaseline]).toEqual(['Promoted', { target: 100, baseline: 0 }, true]);
    const [, aborted] = run([{ at: 0 }, { at: 1, spec: spec({ abort: true }) }]);
    expect([aborted!.status.phase, aborted!.weights, aborted!.retireBaseline]).toEqual(['Aborted', { target: 0, baseline: 100 }, undefined]);
    const gone = decide({ ...input({}), target: undefined });
    expect([gone.status.phase, gone.weights]).toEqual(['Aborted', { target: 0, baseline: 100 }]);
    expect(decide(input({ baseline: { seq: 1, weight: 100, present: false } })).status.phase).toBe('Aborted');
  });

  it('canary: its share for the bake time, then all of it', () => {
    const c = spec({ policy: { type: 'canary', weight: 20, bakeMs: 5_000 } });
    const [start, done] = run([
      { at: 0, spec: c },
      { at: 5_000, spec: c, figures: good },
    ]);
    expect(start!.weights).toEqual({ target: 20, baseline: 80 });
    expect([done!.status.phase, done!.weights]).toEqual(['Promoted', { target: 100, baseline: 0 }]);
  });
});
