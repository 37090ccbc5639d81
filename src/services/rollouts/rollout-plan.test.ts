import { describe, expect, it } from 'vitest';
import type { VersionFigures } from '../../contracts/rollouts.js';
import { DEFAULT_GUARDRAILS, judge, planSteps, quantileMs } from './rollout-plan.js';

const fig = (calls: number, errors: number, p99Ms: number | null, version = 2): VersionFigures => ({
  version,
  calls,
  errors,
  errorRate: calls ? errors / calls : null,
  p99Ms,
});

describe('planSteps', () => {
  it('canary: one step at its share; linear: steps up to 100; all-at-once: 100', () => {
    expect(planSteps({ type: 'canary', weight: 10, bakeMs: 5000 })).toEqual([{ weight: 10, bakeMs: 5000 }]);
    expect(planSteps({ type: 'linear', stepWeight: 30, stepMs: 1000 }).map((s) => s.weight)).toEqual([30, 60, 90, 100]);
    expect(planSteps({ type: 'linear', stepWeight: 50, stepMs: 1000 }).map((s) => s.weight)).toEqual([50, 100]);
    expect(planSteps({ type: 'all-at-once', bakeMs: 2000 })).toEqual([{ weight: 100, bakeMs: 2000 }]);
  });
});

describe('judge', () => {
  const g = { ...DEFAULT_GUARDRAILS, minCalls: 10 };
  it('holds off until the target had minCalls', () => {
    expect(judge(g, fig(9, 9, 1000), fig(100, 0, 5, 1))).toBeUndefined();
  });
  it('trips on an error rate above the baseline + maxIncrease, not at it', () => {
    expect(judge(g, fig(100, 1, 5), fig(100, 0, 5, 1))).toBeUndefined();
    const b = judge(g, fig(100, 2, 5), fig(100, 0, 5, 1))!;
    expect([b.guardrail, b.target, b.baseline, b.threshold]).toEqual(['errorRate', 0.02, 0, 0.01]);
    expect(b.message).toMatch(/2% \(2\/100 calls\)/);
    // a baseline with errors of its own raises the bar
    expect(judge(g, fig(100, 5, 5), fig(100, 5, 5, 1))).toBeUndefined();
  });
  it('trips on p99 above ratio × baseline and the tolerance; a tiny baseline needs the tolerance too', () => {
    expect(judge(g, fig(100, 0, 40), fig(100, 0, 2, 1))).toBeUndefined(); // 20× but only +38 ms
    expect(judge(g, fig(100, 0, 140), fig(100, 0, 100, 1))).toBeUndefined(); // +40 ms, under 1.5×
    const b = judge(g, fig(100, 0, 400), fig(100, 0, 2, 1))!;
    expect([b.guardrail, b.threshold]).toEqual(['p99', 52]);
    expect(judge({ ...g, p99: { ...g.p99, maxMs: 30 } }, fig(100, 0, 40), fig(0, 0, null, 1))?.guardrail).toBe('p99');
    // over fewer than p99.minCalls calls the p99 is the slowest call: not judged
    expect(judge(g, fig(99, 0, 400), fig(100, 0, 2, 1))).toBeUndefined();
  });
  it('without baseline calls (all-at-once) holds errors against 0 and skips the p99 ratio', () => {
    expect(judge(g, fig(150, 0, 900), fig(0, 0, null, 1))).toBeUndefined();
    expect(judge(g, fig(50, 1, 5), fig(0, 0, null, 1))?.guardrail).toBe('errorRate');
  });
  it('trips on the metric guardrail by ratio or limit', () => {
    const m = { ...g, metric: { name: 'queue', maxRatio: 2, max: 100 } };
    expect(judge(m, { ...fig(50, 0, 5), metric: 30 }, { ...fig(50, 0, 5, 1), metric: 20 })).toBeUndefined();
    expect(judge(m, { ...fig(50, 0, 5), metric: 50 }, { ...fig(50, 0, 5, 1), metric: 20 })?.guardrail).toBe('metric');
    expect(judge(m, { ...fig(50, 0, 5), metric: 101 }, { ...fig(50, 0, 5, 1), metric: null })?.threshold).toBe(100);
  });
});

describe('quantileMs', () => {
  const bounds = [0.001, 0.01, 0.1, 1];
  it('interpolates inside the bucket the rank falls in, as histogram_quantile does', () => {
    expect(quantileMs(bounds, [0, 0, 0, 0, 0], 0.99)).toBeNull();
    expect(quantileMs(bounds, [100, 0, 0, 0, 0], 0.99)).toBe(0.99);
    expect(quantileMs(bounds, [98, 0, 2, 0, 0], 0.99)).toBe(55); // halfway into 10–100 ms
    expect(quantileMs(bounds, [0, 0, 0, 0, 10], 0.99)).toBe(1000); // +Inf: the top bound
  });
});
