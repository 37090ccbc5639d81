import { describe, expect, it } from 'vitest';
import { durationMs, startBody } from './services-rollout.js';

const base = { modelVersion: 'latest', cpu: '1000', memory: '1024', instances: '1', policy: 'canary' };

describe('services rollout start flags', () => {
  it('reads durations in ms, s, m and h', () => {
    expect([durationMs('1500ms', '--x'), durationMs('30s', '--x'), durationMs('5m', '--x'), durationMs('1h', '--x'), durationMs('250', '--x')]).toEqual([
      1500, 30_000, 300_000, 3_600_000, 250,
    ]);
    expect(() => durationMs('soon', '--bake')).toThrow(/--bake takes a duration/);
  });

  it('builds the body for each policy, onto an existing or a new version', () => {
    expect(startBody({ ...base, to: 'v2', weight: '25%', bake: '1m' })).toEqual({
      target: 'v2',
      policy: { type: 'canary', weight: 25, bakeMs: 60_000 },
      guardrails: {},
    });
    const linear = startBody({
      ...base,
      model: 'm',
      policy: 'linear',
      stepWeight: '30',
      step: '10s',
      window: '20s',
      minCalls: '50',
      p99Ratio: '2',
      metric: 'queue',
      metricMax: '9',
      paused: true,
    });
    expect(linear).toEqual({
      version: { model: 'm', modelVersion: 'latest', resources: { cpuMillicores: 1000, memoryMiB: 1024 }, scaling: { mode: 'manual', instances: 1 } },
      policy: { type: 'linear', stepWeight: 30, stepMs: 10_000 },
      guardrails: { windowMs: 20_000, minCalls: 50, p99: { maxRatio: 2 }, metric: { name: 'queue', max: 9 } },
      paused: true,
    });
    expect(startBody({ ...base, to: '2', policy: 'all-at-once' }).policy).toEqual({ type: 'all-at-once', bakeMs: 300_000 });
  });

  it('refuses both or neither of --to and --model, and an unknown policy', () => {
    expect(() => startBody({ ...base })).toThrow(/--to <version>/);
    expect(() => startBody({ ...base, to: '2', model: 'm' })).toThrow(/one of them/);
    expect(() => startBody({ ...base, to: '2', policy: 'blue-green' })).toThrow(/--policy takes canary, linear or all-at-once/);
  });
});
