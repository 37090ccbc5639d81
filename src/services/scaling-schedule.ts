/**
 * Scheduled scaling (TI-ONE 定时扩缩容): cron rules on an auto-scaled version, each setting
 * the autoscaling bounds from the moment it fires. Stateless: the rule in force is the one
 * whose latest firing is the most recent, worked out from the clock each time, so a
 * restart, a late reconcile pass or several replicas all agree, and nothing is stored.
 * Cron expressions are read by croner (5 fields, or 6 with seconds first) in the rule's
 * IANA time zone (UTC by default).
 */
import { Cron } from 'croner';
import { DomainError } from '../contracts/errors.js';
import type { ScalingSchedule, ScalingSpec, ScheduleState, ServiceVersionSpec } from '../contracts/services.js';

type AutoScaling = Extract<ScalingSpec, { mode: 'auto' }>;
export const MAX_SCHEDULES = 20;

const parsed = new Map<string, Cron>();

/** The rule's cron, parsed once (an evaluator only: no timer is ever started). */
function cronOf(r: ScalingSchedule): Cron {
  const key = `${r.timeZone ?? 'UTC'}\u0000${r.cron}`;
  let c = parsed.get(key);
  if (!c) {
    c = new Cron(r.cron, { timezone: r.timeZone ?? 'UTC', mode: '5-or-6-parts', paused: true });
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(key, c);
  }
  return c;
}

const bad = (at: string, message: string) => new DomainError('INVALID_SCHEDULE', `${at}: ${message}`, { fields: [{ field: at, message }] });

/** Refuses rules that cannot work, naming the field (`at`: "version.schedules" or "schedules"). */
export function checkSchedules(rules: ScalingSchedule[] | undefined, scaling: ScalingSpec, at: string): void {
  if (!rules?.length) return;
  if (scaling.mode !== 'auto') throw bad(at, 'scheduled scaling sets autoscaling bounds: use scaling mode "auto"');
  if (rules.length > MAX_SCHEDULES) throw bad(at, `at most ${MAX_SCHEDULES} rules`);
  rules.forEach((r, i) => {
    const here = `${at}[${i}]`;
    if (r.timeZone !== undefined && !validTimeZone(r.timeZone))
      throw bad(`${here}.timeZone`, `"${r.timeZone.slice(0, 64)}" is not an IANA time zone (e.g. Asia/Shanghai, UTC)`);
    let c: Cron;
    try {
      c = cronOf(r);
    } catch (e) {
      throw bad(`${here}.cron`, `"${r.cron.slice(0, 100)}" is not a cron expression (${(e as Error).message})`);
    }
    if (!c.nextRun()) throw bad(`${here}.cron`, `"${r.cron}" never fires`);
    if (r.minInstances === undefined && r.maxInstances === undefined) throw bad(here, 'give minInstances, maxInstances or both');
    const { min, max } = bounds(r, scaling);
    if (min > max) throw bad(here, `minInstances ${min} is above maxInstances ${max} while this rule is in force`);
  });
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * croner counts in whole seconds and leaves the reference's own second out of
 * previousRuns: the end of `now`'s second makes a rule that fires in it count at once.
 */
const prevRef = (now: number) => new Date(Math.floor(now / 1000) * 1000 + 1000);

const bounds = (r: ScalingSchedule, sc: AutoScaling) => ({ min: r.minInstances ?? sc.minInstances, max: r.maxInstances ?? sc.maxInstances });

/** The rule in force at `now` (the latest firing), and the next firing of any rule. */
export function scheduleState(rules: ScalingSchedule[] | undefined, scaling: ScalingSpec, now: number): ScheduleState | undefined {
  if (!rules?.length || scaling.mode !== 'auto') return undefined;
  const at = new Date(now);
  const state: ScheduleState = {};
  rules.forEach((r, i) => {
    const c = cronOf(r);
    const { min, max } = bounds(r, scaling);
    const prev = c.previousRuns(1, prevRef(now))[0];
    if (prev && (!state.active || prev.getTime() > Date.parse(state.active.firedAt)))
      state.active = { rule: i + 1, firedAt: prev.toISOString(), minInstances: min, maxInstances: max };
    const next = c.nextRun(at);
    if (next && (!state.next || next.getTime() < Date.parse(state.next.at)))
      state.next = { rule: i + 1, at: next.toISOString(), minInstances: min, maxInstances: max };
  });
  return state;
}

/** The rule that fired last before `now` (index from 0), with when; undefined when none has fired. */
export function activeRule(rules: ScalingSchedule[] | undefined, now: number): { index: number; rule: ScalingSchedule; firedAt: number } | undefined {
  if (!rules?.length) return undefined;
  const at = prevRef(now);
  let best: { index: number; rule: ScalingSchedule; firedAt: number } | undefined;
  rules.forEach((rule, index) => {
    const prev = cronOf(rule).previousRuns(1, at)[0]?.getTime();
    if (prev !== undefined && (!best || prev > best.firedAt)) best = { index, rule, firedAt: prev };
  });
  return best;
}

/** The scaling bounds in force at `now`: the latest-fired rule's, else the spec's. */
export function scheduledScaling(scaling: AutoScaling, rules: ScalingSchedule[] | undefined, now: number): AutoScaling {
  const active = activeRule(rules, now);
  if (!active) return scaling;
  const { min, max } = bounds(active.rule, scaling);
  return { ...scaling, minInstances: min, maxInstances: max };
}

/** Tells the reconciler when a version's rule in force changes (a firing, or found in force after a start), for its events. */
export class ScheduleReporter {
  /** version id → the firing last reported */
  private readonly seen = new Map<string, string>();

  /**
   * The event message when the rule in force changed since the last call, else undefined.
   * The same for every firing of a rule, so the events fold them into a count.
   */
  changed(versionId: string, spec: ServiceVersionSpec, now = Date.now()): string | undefined {
    if (spec.scaling.mode !== 'auto') return undefined;
    const active = activeRule(spec.schedules, now);
    if (!active) return undefined;
    const key = `${active.index}@${active.firedAt}`;
    if (this.seen.get(versionId) === key) return undefined;
    this.seen.set(versionId, key);
    const { min, max } = bounds(active.rule, spec.scaling);
    return `schedule rule ${active.index + 1} (${active.rule.cron}, ${active.rule.timeZone ?? 'UTC'}) sets ${min}–${max} instances`;
  }

  /** Forgets versions not in `versionIds` (deleted). */
  retain(versionIds: ReadonlySet<string>): void {
    for (const id of this.seen.keys()) if (!versionIds.has(id)) this.seen.delete(id);
  }
}
