/**
 * What the API asks of rollouts: start one (onto an existing version of the service, or a
 * new one added at weight 0), read it, and the hand controls (pause, resume, promote,
 * abort). It writes only the spec; the rollout controller acts on it and writes the status.
 */
import { DomainError } from '../../contracts/errors.js';
import type { Rollout, RolloutAction, RolloutSpec, RolloutStatus } from '../../contracts/rollouts.js';
import { versionSeqOf } from '../../contracts/service-ops.js';
import type { ServiceManager } from '../service-manager.js';
import type { ServiceRow, ServicesRepo, VersionRow } from '../services-repo.js';
import type { VersionSpecInput } from '../service-spec.js';
import { planSteps } from './rollout-plan.js';
import { guardrailsWithDefaults, type RolloutStart } from './rollout-spec.js';
import { isFinished } from './rollout-states.js';
import type { RolloutRow, RolloutsRepo } from './rollouts-repo.js';

export interface RolloutManagerDeps {
  rollouts: RolloutsRepo;
  services: ServicesRepo;
  manager: ServiceManager;
  kick: () => void;
}

export class RolloutManager {
  constructor(private readonly deps: RolloutManagerDeps) {}

  async start(name: string, input: RolloutStart): Promise<Rollout> {
    const { services, rollouts } = this.deps;
    if ((input.target === undefined) === (input.version === undefined)) {
      throw new DomainError('INVALID_ARGUMENT', 'name the version to roll out: "target" (an existing version) or "version" (a new one), one of them', {
        fields: [{ field: 'target', message: 'give target or version' }],
      });
    }
    const s = await this.live(name);
    const existing = await rollouts.current(s.id);
    if (existing && existing.active === 1)
      throw new DomainError(
        'ROLLOUT_IN_PROGRESS',
        `service "${name}" already has a rollout in progress (to version ${(JSON.parse(existing.spec) as RolloutSpec).target}); promote or abort it first`,
      );
    let versions = await services.versions(s.id);
    const baseline = this.baselineOf(s, versions, input.target);
    let target: VersionRow;
    if (input.version) {
      await this.deps.manager.addVersion(name, { ...(input.version as VersionSpecInput), weight: 0 });
      versions = await services.versions(s.id);
      target = versions[versions.length - 1]!;
    } else {
      target = this.versionOf(s, versions, input.target!);
      if (target.weight > 0)
        throw new DomainError(
          'INVALID_ARGUMENT',
          `version ${target.seq} already takes traffic (weight ${target.weight}); a rollout moves traffic onto a version at weight 0`,
          { fields: [{ field: 'target', message: 'takes traffic already' }] },
        );
    }
    const spec: RolloutSpec = {
      target: target.seq,
      policy: input.policy,
      guardrails: guardrailsWithDefaults(input.guardrails),
      paused: input.paused ?? false,
      promote: false,
      abort: false,
    };
    const status: RolloutStatus = {
      phase: 'Pending',
      step: 0,
      stepStartedAt: null,
      weights: { target: 0, baseline: baseline.weight },
      message: `waiting for version ${target.seq} to be ready`,
    };
    await rollouts.create({
      serviceId: s.id,
      serviceName: name,
      targetVersionId: target.id,
      baseline: { id: baseline.id, seq: baseline.seq, weight: baseline.weight },
      spec,
      status,
    });
    await services.event(s.id, {
      type: 'Normal',
      reason: 'RolloutStarted',
      object: `rollout/${name}`,
      message: `rollout from version ${baseline.seq} to ${target.seq} (${input.policy.type})`,
    });
    this.deps.kick();
    return this.get(name);
  }

  async get(name: string): Promise<Rollout> {
    const s = await this.deps.services.get(name);
    const row = await this.deps.rollouts.current(s.id);
    if (!row) throw new DomainError('ROLLOUT_NOT_FOUND', `service "${name}" has no rollout`);
    return toRollout(name, row);
  }

  /** A hand control: written to the spec, acted on by the controller's next pass. */
  async act(name: string, action: RolloutAction): Promise<Rollout> {
    const s = await this.live(name);
    const row = await this.deps.rollouts.current(s.id);
    if (!row) throw new DomainError('ROLLOUT_NOT_FOUND', `service "${name}" has no rollout`);
    const status = JSON.parse(row.status) as RolloutStatus;
    if (row.active !== 1 || isFinished(status.phase))
      throw new DomainError('ROLLOUT_FINISHED', `the rollout of service "${name}" has finished (${status.phase}); start another`, { phase: status.phase });
    const spec = JSON.parse(row.spec) as RolloutSpec;
    const next: RolloutSpec = {
      ...spec,
      ...(action === 'pause' ? { paused: true } : action === 'resume' ? { paused: false } : action === 'promote' ? { promote: true } : { abort: true }),
    };
    await this.deps.rollouts.setSpec(row.id, next);
    await this.deps.services.event(s.id, { type: 'Normal', reason: 'RolloutAction', object: `rollout/${name}`, message: `${action} requested` });
    this.deps.kick();
    return toRollout(name, { ...row, spec: JSON.stringify(next) });
  }

  private async live(name: string): Promise<ServiceRow> {
    const s = await this.deps.services.get(name);
    if (s.desired === 'deleted') throw new DomainError('SERVICE_NOT_FOUND', `service "${name}" is being deleted`);
    return s;
  }

  private versionOf(s: ServiceRow, versions: VersionRow[], ref: string | number): VersionRow {
    const seq = versionSeqOf(String(ref));
    const v = versions.find((x) => x.seq === seq);
    if (!v) throw new DomainError('VERSION_NOT_FOUND', `service "${s.name}" has no version "${ref}"`);
    return v;
  }

  /** The one version (other than the target) that takes traffic now. */
  private baselineOf(s: ServiceRow, versions: VersionRow[], target?: string | number): VersionRow {
    const seq = target === undefined ? undefined : versionSeqOf(String(target));
    const serving = versions.filter((v) => v.weight > 0 && v.seq !== seq);
    if (serving.length !== 1) {
      throw new DomainError(
        'INVALID_ARGUMENT',
        `a rollout moves traffic from the one version that takes it; service "${s.name}" has ${serving.length} (${serving.map((v) => `${v.seq}:${v.weight}`).join(' ') || 'none'}): set the weights first`,
        { serving: serving.map((v) => ({ version: v.seq, weight: v.weight })) },
      );
    }
    return serving[0]!;
  }
}

export function toRollout(service: string, row: RolloutRow): Rollout {
  const spec = JSON.parse(row.spec) as RolloutSpec;
  const status = JSON.parse(row.status) as RolloutStatus;
  const steps = planSteps(spec.policy);
  const began = status.stepStartedAt !== null || status.phase === 'Promoted';
  return {
    id: row.id,
    service,
    baseline: { version: row.baseline_seq, weight: row.baseline_weight },
    spec,
    status,
    steps: steps.map((st, i) => ({
      weight: st.weight,
      bakeMs: st.bakeMs,
      state:
        status.phase === 'Promoted' || (began && i < status.step)
          ? 'done'
          : began && i === status.step
            ? isFinished(status.phase)
              ? 'stopped'
              : 'current'
            : 'waiting',
    })),
    createdAt: row.created_at,
    updatedAt: row.status_updated_at > row.spec_updated_at ? row.status_updated_at : row.spec_updated_at,
  };
}
