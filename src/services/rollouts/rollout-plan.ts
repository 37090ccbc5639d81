/**
 * What a rollout policy means as steps (the target's traffic share and how long each is
 * baked), and the guardrail verdict on two versions' figures. Pure functions, tested in
 * rollout-plan.test.ts.
 */
import type { Guardrails, RolloutBreach, RolloutPolicy, VersionFigures } from '../../contracts/rollouts.js';

export interface PlanStep {
  /** the target's share, percent (the last step is always 100) */
  weight: number;
  bakeMs: number;
}

/** The steps of a policy; the last one (100 %) is where the target is judged before the baseline is retired. */
export function planSteps(p: RolloutPolicy): PlanStep[] {
  if (p.type === 'canary') return [{ weight: p.weight, bakeMs: p.bakeMs }];
  if (p.type === 'all-at-once') return [{ weight: 100, bakeMs: p.bakeMs }];
  const out: PlanStep[] = [];
  for (let w = p.stepWeight; w < 100; w += p.stepWeight) out.push({ weight: w, bakeMs: p.stepMs });
  out.push({ weight: 100, bakeMs: p.stepMs });
  return out;
}

export const DEFAULT_GUARDRAILS: Guardrails = {
  windowMs: 30_000,
  minCalls: 20,
  errorRate: { maxIncrease: 0.01 },
  p99: { maxRatio: 1.5, toleranceMs: 50, minCalls: 100 },
};

/**
 * The first guardrail the target breaks, or undefined. The target is judged once it had
 * `minCalls` calls in the window; the baseline's figures count when it had calls too
 * (under all-at-once it has none: the error rate is then held against 0 and the p99 only
 * against maxMs).
 */
export function judge(g: Guardrails, target: VersionFigures, baseline: VersionFigures): RolloutBreach | undefined {
  if (target.calls < g.minCalls) return undefined;
  const baseRate = baseline.calls > 0 ? (baseline.errorRate ?? 0) : 0;
  const rate = target.errorRate ?? 0;
  const maxRate = baseRate + g.errorRate.maxIncrease;
  if (rate > maxRate) {
    return {
      guardrail: 'errorRate',
      target: rate,
      baseline: baseline.calls > 0 ? baseRate : null,
      threshold: maxRate,
      message: `error rate ${pct(rate)} (${target.errors}/${target.calls} calls) is above ${pct(maxRate)} (baseline ${pct(baseRate)} + ${pct(g.errorRate.maxIncrease)})`,
    };
  }
  const p99 = target.p99Ms;
  if (p99 !== null && target.calls >= g.p99.minCalls) {
    if (g.p99.maxMs !== undefined && p99 > g.p99.maxMs) {
      return {
        guardrail: 'p99',
        target: p99,
        baseline: baseline.p99Ms,
        threshold: g.p99.maxMs,
        message: `p99 ${ms(p99)} is above the ${ms(g.p99.maxMs)} limit`,
      };
    }
    const base = baseline.calls > 0 ? baseline.p99Ms : null;
    if (base !== null) {
      const limit = Math.max(base * g.p99.maxRatio, base + g.p99.toleranceMs);
      if (p99 > limit)
        return {
          guardrail: 'p99',
          target: p99,
          baseline: base,
          threshold: limit,
          message: `p99 ${ms(p99)} is above ${ms(limit)} (baseline ${ms(base)} × ${g.p99.maxRatio}, at least +${ms(g.p99.toleranceMs)})`,
        };
    }
  }
  const m = g.metric;
  if (m && typeof target.metric === 'number') {
    if (m.max !== undefined && target.metric > m.max) {
      return {
        guardrail: 'metric',
        target: target.metric,
        baseline: baseline.metric ?? null,
        threshold: m.max,
        message: `${m.name} ${target.metric} is above ${m.max}`,
      };
    }
    const base = baseline.metric;
    if (m.maxRatio !== undefined && typeof base === 'number' && base > 0 && target.metric > base * m.maxRatio) {
      return {
        guardrail: 'metric',
        target: target.metric,
        baseline: base,
        threshold: base * m.maxRatio,
        message: `${m.name} ${target.metric} is above ${base * m.maxRatio} (baseline ${base} × ${m.maxRatio})`,
      };
    }
  }
  return undefined;
}

/**
 * The q-quantile of a histogram as Prometheus' histogram_quantile reads it: linear
 * interpolation inside the bucket it falls in. `counts` are per bucket (not cumulative),
 * the last one +Inf (answered as the highest finite bound). Null without observations.
 */
export function quantileMs(boundsS: readonly number[], counts: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (seen + c >= rank && c > 0) {
      if (i >= boundsS.length) return boundsS[boundsS.length - 1]! * 1000;
      const lo = i === 0 ? 0 : boundsS[i - 1]!;
      const hi = boundsS[i]!;
      return round((lo + (hi - lo) * ((rank - seen) / c)) * 1000);
    }
    seen += c;
  }
  return boundsS[boundsS.length - 1]! * 1000;
}

const round = (x: number) => Math.round(x * 100) / 100;
const pct = (x: number) => `${round(x * 100)}%`;
const ms = (x: number) => `${round(x)} ms`;
