import { describe, expect, it } from 'vitest';
import type { ServiceVersionSpec } from '../contracts/services.js';
import { Autoscaler } from './autoscaler.js';
import type { VersionRow } from './services-repo.js';

const row = { id: 'v1', desired_instances: 0 } as VersionRow;
const spec = (scaling: ServiceVersionSpec['scaling']): ServiceVersionSpec => ({
  model: 'm',
  modelVersion: 'v1',
  resources: { cpuMillicores: 1000, memoryMiB: 512 },
  scaling,
});
const auto = spec({
  mode: 'auto',
  minInstances: 0,
  maxInstances: 4,
  metric: 'qps-per-instance',
  target: 10,
  scaleDownStabilizationMs: 5_000,
  idleToZeroMs: 20_000,
});

describe('Autoscaler', () => {
  it('follows the manual count', () => {
    expect(new Autoscaler().desired({ ...row, desired_instances: 3 } as VersionRow, spec({ mode: 'manual', instances: 1 }))).toBe(3);
  });

  it('starts at zero, holds one instance while a call waits however long it takes, then idles to zero', () => {
    let t = 1_000_000;
    const a = new Autoscaler(() => t);
    expect(a.desired(row, auto)).toBe(0);
    const release = a.hold('v1');
    t += 60_000; // a slow cold start
    expect(a.desired(row, auto)).toBe(1);
    release();
    t += 19_000;
    expect(a.desired(row, auto)).toBe(1);
    t += 2_000;
    expect(a.desired(row, auto)).toBe(0);
  });

  it('scales up with load at once, within max, and down only after the stabilization window', () => {
    let t = 1_000_000;
    const a = new Autoscaler(() => t);
    for (let i = 0; i < 300; i++) a.observe('v1', 5); // 30 req/s over the 10 s window
    expect(a.desired(row, auto)).toBe(3);
    for (let i = 0; i < 1000; i++) a.observe('v1', 5);
    expect(a.desired(row, auto)).toBe(4);
    t += 11_000; // the window empties: load 0, but calls were recent
    for (let i = 0; i < 50; i++) a.observe('v1', 5);
    expect(a.desired(row, auto)).toBe(4);
    t += 6_000;
    expect(a.desired(row, auto)).toBe(1);
  });

  it('scales on CPU use against a target percentage (cpu-util)', () => {
    const a = new Autoscaler(() => 1_000_000);
    const cpu = spec({ mode: 'auto', minInstances: 1, maxInstances: 5, metric: 'cpu-util', target: 60 });
    expect(a.desired({ ...row, desired_instances: 2 } as VersionRow, cpu, [0.9, 0.9])).toBe(3);
  });

  it('adds the traffic other replicas report: their calls count and their waiting calls wake the version', () => {
    let t = 1_000_000;
    const follower = new Autoscaler(() => t);
    const leader = new Autoscaler(() => t);
    expect(leader.desired(row, auto)).toBe(0);
    const release = follower.hold('v1');
    leader.setPeers(follower.snapshot());
    expect(leader.desired(row, auto)).toBe(1);
    release();
    for (let i = 0; i < 300; i++) follower.observe('v1', 2);
    leader.setPeers(follower.snapshot());
    expect(follower.snapshot()).toEqual([{ versionId: 'v1', requests: 300, busyMs: 600, holds: 0, lastRequestAt: t }]);
    expect(leader.desired(row, auto)).toBe(3); // 30 requests/s against 10 per instance
    t += 25_000; // nothing reported any more: back down after the idle time
    leader.setPeers([]);
    expect(leader.desired(row, auto)).toBe(0);
  });

  it('counts only the last 10 s of calls, however many arrive', () => {
    let t = 1_000_000;
    const a = new Autoscaler(() => t);
    const busy = spec({ mode: 'auto', minInstances: 1, maxInstances: 100, metric: 'qps-per-instance', target: 100, scaleDownStabilizationMs: 0 });
    for (let s = 0; s < 30; s++) {
      for (let i = 0; i < 2_000; i++) a.observe('v1', 1); // 2,000 calls/s for 30 s
      t += 1_000;
    }
    expect(a.snapshot()[0]!.requests).toBe(18_000); // the 9 whole seconds still in the window; the current one is empty
    expect(a.desired({ ...row, desired_instances: 1 } as VersionRow, busy)).toBe(18);
    t += 10_000;
    expect(a.snapshot()).toEqual([]);
    expect(a.desired({ ...row, desired_instances: 1 } as VersionRow, busy)).toBe(1);
  });

  it('counts a long call as one in flight over the time it ran, not all at its end (concurrency)', () => {
    let t = 1_000_000;
    const a = new Autoscaler(() => t);
    const conc = spec({ mode: 'auto', minInstances: 1, maxInstances: 4, metric: 'concurrency', target: 1, scaleDownStabilizationMs: 0 });
    const one = { ...row, desired_instances: 1 } as VersionRow;
    for (let i = 0; i < 3; i++) {
      t += 20_000;
      a.observe('v1', 20_000); // one caller, one 20 s call after the other: 1 in flight
      expect(a.snapshot()[0]!.busyMs).toBe(9_750); // the window: the 39 whole buckets before the (empty) current one
      expect(a.desired(one, conc)).toBe(1);
    }
    for (let i = 0; i < 4; i++) a.observe('v1', 20_000); // 4 more just ended: 5 in flight over the window
    expect(a.desired(one, conc)).toBe(4);
    t += 5_000;
    a.observe('v1', 250); // 5 s later only the part of those still in the window counts
    expect(a.snapshot()[0]!.busyMs).toBe(5 * 4_750 + 250);
  });

  it('forgets versions that are gone', () => {
    const a = new Autoscaler(() => 1_000_000);
    a.observe('v1', 1);
    a.observe('v2', 1);
    a.retain(new Set(['v2']));
    expect(a.snapshot().map((s) => s.versionId)).toEqual(['v2']);
  });
});
