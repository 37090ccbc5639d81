import { describe, expect, it } from 'vitest';
import type { ScalingSchedule, ServiceVersionSpec } from '../contracts/services.js';
import { DomainError } from '../contracts/errors.js';
import { Autoscaler } from './autoscaler.js';
import { checkSchedules, ScheduleReporter, scheduledScaling, scheduleState } from './scaling-schedule.js';
import type { VersionRow } from './services-repo.js';

type Auto = Extract<ServiceVersionSpec['scaling'], { mode: 'auto' }>;
const auto: Auto = { mode: 'auto', minInstances: 1, maxInstances: 8, metric: 'concurrency', target: 4, scaleDownStabilizationMs: 0, idleToZeroMs: 1_000 };
/** weekdays 09:00 Beijing time: at least 4; every day 20:00: down to 0 */
const office: ScalingSchedule[] = [
  { cron: '0 9 * * 1-5', timeZone: 'Asia/Shanghai', minInstances: 4 },
  { cron: '0 20 * * *', timeZone: 'Asia/Shanghai', minInstances: 0 },
];
const at = (iso: string) => Date.parse(iso);

describe('scheduled scaling rules', () => {
  it('the rule that fired last sets the bounds, read in its time zone', () => {
    // Monday 2026-12-07 08:59 in Shanghai is 00:59 UTC: the last firing was Sunday 20:00
    expect(scheduledScaling(auto, office, at('2026-12-07T00:59:00Z'))).toMatchObject({ minInstances: 0, maxInstances: 8 });
    // 09:00 Shanghai = 01:00 UTC
    expect(scheduledScaling(auto, office, at('2026-12-07T01:00:30Z'))).toMatchObject({ minInstances: 4, maxInstances: 8 });
    expect(scheduledScaling(auto, office, at('2026-12-07T11:59:00Z'))).toMatchObject({ minInstances: 4 });
    expect(scheduledScaling(auto, office, at('2026-12-07T12:00:01Z'))).toMatchObject({ minInstances: 0 });
    // Saturday morning: no 09:00 rule on weekends, Friday 20:00 still holds
    expect(scheduledScaling(auto, office, at('2026-12-12T03:00:00Z'))).toMatchObject({ minInstances: 0 });
    // no rules: the spec's own bounds
    expect(scheduledScaling(auto, undefined, at('2026-12-07T03:00:00Z'))).toBe(auto);
  });

  it('shows the rule in force and the next firing', () => {
    const s = scheduleState(office, auto, at('2026-12-07T03:00:00Z'));
    expect(s).toEqual({
      active: { rule: 1, firedAt: '2026-12-07T01:00:00.000Z', minInstances: 4, maxInstances: 8 },
      next: { rule: 2, at: '2026-12-07T12:00:00.000Z', minInstances: 0, maxInstances: 8 },
    });
    // Friday evening: the next firing is Monday 09:00 (Sunday 01:00 UTC)
    expect(scheduleState(office, auto, at('2026-12-11T13:00:00Z'))?.next).toMatchObject({ rule: 2, at: '2026-12-12T12:00:00.000Z' });
    expect(scheduleState(office.slice(0, 1), auto, at('2026-12-11T13:00:00Z'))?.next).toMatchObject({ rule: 1, at: '2026-12-14T01:00:00.000Z' });
    // UTC by default; max can be scheduled too
    expect(scheduleState([{ cron: '30 6 * * *', maxInstances: 2 }], auto, at('2026-12-07T07:00:00Z'))?.active).toMatchObject({
      firedAt: '2026-12-07T06:30:00.000Z',
      minInstances: 1,
      maxInstances: 2,
    });
    expect(scheduleState(office, { mode: 'manual', instances: 1 }, 0)).toBeUndefined();
  });

  it('refuses rules that cannot work with INVALID_SCHEDULE naming the rule', () => {
    const cases: [ScalingSchedule[], ServiceVersionSpec['scaling'], string][] = [
      [[{ cron: 'every day', minInstances: 1 }], auto, 'schedules[0].cron'],
      [[{ cron: '61 * * * *', minInstances: 1 }], auto, 'schedules[0].cron'],
      [
        [
          { cron: '0 9 * * *', minInstances: 1 },
          { cron: '0 9 30 2 *', minInstances: 1 },
        ],
        auto,
        'schedules[1].cron',
      ],
      [[{ cron: '0 9 * * *', timeZone: 'Mars/Olympus', minInstances: 1 }], auto, 'schedules[0].timeZone'],
      [[{ cron: '0 9 * * *' }], auto, 'schedules[0]'],
      [[{ cron: '0 9 * * *', minInstances: 9 }], auto, 'schedules[0]'],
      [[{ cron: '0 9 * * *', minInstances: 1 }], { mode: 'manual', instances: 1 }, 'schedules'],
      [Array.from({ length: 21 }, () => ({ cron: '0 9 * * *', minInstances: 1 })), auto, 'schedules'],
    ];
    for (const [rules, scaling, field] of cases) {
      let err: unknown;
      try {
        checkSchedules(rules, scaling, 'schedules');
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(rules[0])).toBeInstanceOf(DomainError);
      expect([(err as DomainError).code, ((err as DomainError).details as { fields: { field: string }[] }).fields[0]!.field]).toEqual([
        'INVALID_SCHEDULE',
        field,
      ]);
    }
    expect(() => checkSchedules(office, auto, 'schedules')).not.toThrow();
    expect(() => checkSchedules([{ cron: '*/5 * * * * *', minInstances: 2 }], auto, 'schedules')).not.toThrow();
  });
});

describe('the autoscaler with a schedule (fake clock)', () => {
  it('holds the scheduled minimum from 09:00, and scales to zero once the 20:00 rule fires and the version is idle', () => {
    let t = at('2026-12-07T00:59:00Z'); // Monday 08:59 in Shanghai
    const a = new Autoscaler(() => t);
    const row = { id: 'v1', desired_instances: 1 } as VersionRow;
    const spec: ServiceVersionSpec = { model: 'm', modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 512 }, scaling: auto, schedules: office };
    expect(a.desired(row, spec)).toBe(0);
    t = at('2026-12-07T01:00:00Z');
    expect(a.desired(row, spec)).toBe(4);
    // load above the scheduled minimum still scales up, within max
    for (let i = 0; i < 100; i++) a.observe('v1', 2_000); // 200 s of busy time in 10 s: concurrency 20
    expect(a.desired(row, spec)).toBe(5);
    t = at('2026-12-07T12:00:00Z') + 20_000; // 20:00:20, idle for hours
    expect(a.desired(row, spec)).toBe(0);
  });
});

describe('ScheduleReporter', () => {
  it('reports the rule in force once, then each firing once, with a message that folds across firings', () => {
    const r = new ScheduleReporter();
    const spec: ServiceVersionSpec = { model: 'm', modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 512 }, scaling: auto, schedules: office };
    const monday9 = 'schedule rule 1 (0 9 * * 1-5, Asia/Shanghai) sets 4–8 instances';
    expect(r.changed('v1', spec, at('2026-12-07T01:00:00Z'))).toBe(monday9);
    expect(r.changed('v1', spec, at('2026-12-07T05:00:00Z'))).toBeUndefined();
    expect(r.changed('v1', spec, at('2026-12-07T12:00:00Z'))).toBe('schedule rule 2 (0 20 * * *, Asia/Shanghai) sets 0–8 instances');
    expect(r.changed('v1', spec, at('2026-12-08T01:00:00Z'))).toBe(monday9); // Tuesday: the same line again
    r.retain(new Set());
    expect(r.changed('v1', spec, at('2026-12-08T01:00:05Z'))).toBe(monday9); // forgotten: found in force again
    expect(r.changed('v2', { ...spec, scaling: { mode: 'manual', instances: 1 } }, at('2026-12-08T01:00:05Z'))).toBeUndefined();
  });
});
