/**
 * The rollout controller (STYLE.md §4): on the leading replica, every check it reads each
 * active rollout (spec and status from the store), the two versions as the reconciler
 * last saw them and their figures over the guardrail window, decides the next state
 * (rollout-decide.ts), applies the effects (weights, retiring the baseline, an event) and
 * then writes the status. Idempotent; the state lives in the store, so a restarted
 * platform resumes each rollout where it stood.
 */
import type { Logger } from '../../log.js';
import type { RolloutSpec, RolloutStatus } from '../../contracts/rollouts.js';
import type { ServiceState } from '../../contracts/services.js';
import type { ServiceRow, ServicesRepo, VersionRow } from '../services-repo.js';
import { decide, type Decision } from './rollout-decide.js';
import { isFinished } from './rollout-states.js';
import type { RolloutRow, RolloutsRepo } from './rollouts-repo.js';
import type { RolloutWindow } from './rollout-window.js';
import { PassLoop } from '../../cluster/pass-loop.js';

export interface RolloutControllerDeps {
  rollouts: RolloutsRepo;
  services: ServicesRepo;
  window: RolloutWindow;
  log: Logger;
  /** how often rollouts are checked (default 1000 ms) */
  periodMs?: number;
  now?: () => number;
  /** the metric guardrail's reading for one version (absent: no metric guardrail is read) */
  metric?: (service: string, seq: number, name: string) => Promise<number | null>;
  /** ready instances the gateway routes to for a version now (absent: the store's count) */
  routed?: (service: string, seq: number) => number;
  /** asks the services reconciler for a pass (weights changed, a version retired) */
  kick: () => void;
}

export class RolloutController {
  private readonly loop: PassLoop;
  private readonly now: () => number;

  constructor(private readonly deps: RolloutControllerDeps) {
    this.now = deps.now ?? Date.now;
    this.loop = new PassLoop(() => this.pass(), { periodMs: deps.periodMs ?? 1_000, onError: (e) => deps.log.error({ err: e }, 'rollout pass failed') });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  kick(): void {
    this.loop.kick();
  }

  /** One pass over every active rollout (tests call it with a fake clock). */
  async pass(): Promise<void> {
    const rows = await this.deps.rollouts.active();
    this.deps.window.retain(new Set(rows.map((r) => r.id)));
    if (!rows.length) return;
    const services = new Map((await this.deps.services.all()).map((s) => [s.id, s]));
    for (const row of rows) {
      const s = services.get(row.service_id);
      if (!s) {
        await this.deps.rollouts.deleteOf(row.service_id);
        continue;
      }
      if (s.desired !== 'running') continue; // stopped or being deleted: the rollout waits
      await this.reconcile(row, s).catch((e) => this.deps.log.warn({ err: e, service: s.name }, 'reconciling a rollout failed'));
    }
  }

  private async reconcile(row: RolloutRow, s: ServiceRow): Promise<void> {
    const spec = JSON.parse(row.spec) as RolloutSpec;
    const status = JSON.parse(row.status) as RolloutStatus;
    const versions = await this.deps.services.versions(s.id);
    const target = versions.find((v) => v.id === row.target_version_id);
    const baseline = versions.find((v) => v.id === row.baseline_version_id);
    const stepping = status.phase === 'Progressing' || (status.phase === 'Paused' && status.stepStartedAt !== null);
    const holding = stepping && target && baseline ? this.holding(s.name, target, baseline) : undefined;
    // calls answered while a version had no ready instance (a start, a restart) are left out of the window
    if (holding) this.deps.window.reset(row.id);
    const figures = stepping && target && baseline && !holding ? await this.figures(row, s.name, spec) : undefined;
    const d = decide({
      now: this.now(),
      spec,
      status,
      baseline: { seq: row.baseline_seq, weight: row.baseline_weight, present: !!baseline },
      ...(target
        ? { target: { status: target.status as ServiceState, ready: target.ready_instances, ...(target.reason ? { reason: target.reason } : {}) } }
        : {}),
      ...(figures ? { figures } : {}),
      ...(holding ? { holding } : {}),
    });
    await this.apply(s, d, target, baseline);
    // the first step begins: the window starts here (its first sample)
    if (!stepping && d.status.phase === 'Progressing') {
      this.deps.window.reset(row.id);
      this.deps.window.figures({ id: row.id, service: s.name, target: spec.target, baseline: row.baseline_seq }, this.now(), spec.guardrails.windowMs);
    }
    if (JSON.stringify(d.status) !== row.status) await this.deps.rollouts.setStatus(row.id, d.status, isFinished(d.status.phase));
  }

  /** Why the pair cannot be judged now: a version with no ready instance routed. */
  private holding(service: string, target: VersionRow, baseline: VersionRow): string | undefined {
    const ready = (v: VersionRow) => this.deps.routed?.(service, v.seq) ?? (v.status === 'Running' ? v.ready_instances : 0);
    const idle = [target, baseline].filter((v) => ready(v) === 0);
    return idle.length ? `waiting for version${idle.length > 1 ? 's' : ''} ${idle.map((v) => v.seq).join(' and ')} to have a ready instance` : undefined;
  }

  private async figures(row: RolloutRow, service: string, spec: RolloutSpec) {
    const f = this.deps.window.figures({ id: row.id, service, target: spec.target, baseline: row.baseline_seq }, this.now(), spec.guardrails.windowMs);
    const m = spec.guardrails.metric;
    if (m && this.deps.metric) {
      f.target.metric = await this.deps.metric(service, spec.target, m.name);
      f.baseline.metric = await this.deps.metric(service, row.baseline_seq, m.name);
    }
    return f;
  }

  /** The decision's effects, each a no-op when already so. */
  private async apply(s: ServiceRow, d: Decision, target?: VersionRow, baseline?: VersionRow): Promise<void> {
    const { services } = this.deps;
    let changed = false;
    if (d.weights && target && baseline && (target.weight !== d.weights.target || baseline.weight !== d.weights.baseline)) {
      await services.setWeights([
        { id: target.id, weight: d.weights.target },
        { id: baseline.id, weight: d.weights.baseline },
      ]);
      await services.event(s.id, {
        type: 'Normal',
        reason: 'WeightsChanged',
        object: `service/${s.name}`,
        message: `${target.seq}:${d.weights.target} ${baseline.seq}:${d.weights.baseline} (rollout)`,
      });
      changed = true;
    }
    if (d.retireBaseline && baseline) {
      await services.removeVersion(s.id, baseline.id, () => undefined);
      await services.event(s.id, {
        type: 'Normal',
        reason: 'VersionRemoved',
        object: `version/${baseline.seq}`,
        message: `version ${baseline.seq} (${baseline.model_name} v${baseline.model_version}) retired by the rollout; its instances are stopped`,
      });
      changed = true;
    }
    if (d.event) await services.event(s.id, { ...d.event, object: `rollout/${s.name}` });
    if (changed) this.deps.kick();
  }
}
