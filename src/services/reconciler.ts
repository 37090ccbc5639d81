/**
 * The services reconciler (STYLE.md §4): reads the desired state (services and their
 * versions in the store), compares it with what the instance backend runs, starts and
 * stops instances to match (rolling replacement under maxSurge/maxUnavailable), and writes
 * back the observed status. Idempotent: it can run any number of times; it runs on a
 * timer and whenever something changes.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceState, ServiceVersionSpec } from '../contracts/services.js';
import type { Logger } from '../log.js';
import type { InstanceBackend, InstanceTemplate, ObservedInstance } from '../backends/backend.js';
import type { ModelsRepo } from '../models/models-repo.js';
import type { ServiceRow, ServicesRepo, VersionRow } from './services-repo.js';
import { serviceState, versionState } from './states.js';
import { ScheduleReporter } from './scaling-schedule.js';
import type { Autoscaler } from './autoscaler.js';
import type { Billing } from '../billing/billing.js';
import type { EnvState } from '../runtime-catalog/python-envs.js';
import { mappingNote } from '../runtime-catalog/aliases.js';
import type { DependencyGate } from './version-envs.js';
import { specHash } from './service-spec.js';
import { PassLoop } from '../cluster/pass-loop.js';

export interface ReconcilerDeps {
  repo: ServicesRepo;
  models: ModelsRepo;
  backend: InstanceBackend;
  autoscaler: Autoscaler;
  log: Logger;
  periodMs: number;
  /** called after every pass with what was observed (the gateway's directory listens) */
  onObserved: (snapshot: Observed) => void;
  billing: Billing;
  /** time between taking an instance out of the routes and stopping it (default 500 ms) */
  drainDelayMs?: number;
  /** Python environments for packages with requirements.txt (local backend); none: the base Python */
  envs?: DependencyGate;
  /** where an environment build's progress goes (the service's logs) */
  envLog?: (service: string, line: string) => void;
}

export interface Observed {
  services: ServiceRow[];
  versions: VersionRow[];
  instances: ObservedInstance[];
}

const LIVE = new Set(['Pending', 'Starting', 'Ready', 'Unhealthy']);
/** Live, or exited and about to be restarted in place by the backend (not failed). */
const counts = (i: ObservedInstance) => LIVE.has(i.phase) || (i.phase === 'Exited' && !i.failed);

export class Reconciler {
  /** passes run only between start() and stop(): on the replica that holds the lease */
  private readonly loop: PassLoop;
  /** version id → the spec stamp (updated_at) it failed at; a newer spec retries */
  private readonly failures = new Map<string, { at: string; reason: string }>();
  private lastMeterAt = Date.now();
  /**
   * Instances taken out of the gateway's routes and about to be stopped: they get
   * `drainDelayMs` for calls already routed to them to arrive before SIGTERM (the
   * instance then drains what it holds), and count as gone for scaling decisions.
   */
  private readonly draining = new Set<string>();
  private lastObserved?: Observed;
  /** instance id → exits already reported as events */
  private readonly reportedExits = new Map<string, number>();
  /** version id → the environment state last reported as an event */
  private readonly envReported = new Map<string, string>();
  /** versions whose runtime mapping (a TI-ONE name) was reported */
  private readonly runtimeNoted = new Set<string>();
  /** scheduled-scaling rules taking effect, for events */
  private readonly schedules = new ScheduleReporter();

  constructor(private readonly deps: ReconcilerDeps) {
    this.loop = new PassLoop(() => this.pass(), { periodMs: deps.periodMs, onError: (e) => deps.log.error({ err: e }, 'reconcile pass failed') });
    deps.backend.onChange(() => this.kick());
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Asks for a pass soon; passes never overlap. */
  kick(): void {
    this.loop.kick();
  }

  /** Resolves after a full pass that started after this call. */
  async settle(): Promise<void> {
    await this.loop.settle();
  }

  private async pass(): Promise<void> {
    const { repo, backend } = this.deps;
    const services = await repo.all();
    const versions = await repo.versionsOf(services.map((s) => s.id));
    const observed = backend.list();
    const known = new Set(versions.map((v) => v.id));
    // Instances whose version no longer exists (removed, or its service deleted) are drained and stopped.
    for (const i of observed) if (!known.has(i.versionId) && LIVE.has(i.phase)) this.retire(i, 5_000);
    this.deps.autoscaler.retain(known);
    this.schedules.retain(known);

    for (const s of services) {
      const own = versions.filter((v) => v.service_id === s.id);
      const states: { status: ServiceState; reason: string | null; weight: number }[] = [];
      for (const v of own)
        states.push({
          ...(await this.reconcileOrReport(
            s,
            v,
            observed.filter((i) => i.versionId === v.id),
          )),
          weight: v.weight,
        });
      if (s.desired === 'deleted') {
        if (!observed.some((i) => own.some((v) => v.id === i.versionId))) {
          await repo.delete(s.id);
          this.deps.log.info({ service: s.name }, 'service deleted');
        } else if (s.status !== 'Deleting') await repo.setStatus(s.id, 'Deleting', null);
        continue;
      }
      const next = serviceState(states);
      if (next.status !== s.status || next.reason !== s.reason) {
        await repo.setStatus(s.id, next.status, next.reason);
        await repo.event(s.id, {
          type: next.status === 'Failed' ? 'Warning' : 'Normal',
          reason: next.status,
          object: `service/${s.name}`,
          message: next.reason ?? `service is ${next.status}`,
        });
      }
    }
    const after = backend.list();
    const specs = new Map(versions.map((v) => [v.id, JSON.parse(v.spec) as ServiceVersionSpec]));
    const meterAt = Date.now();
    await this.deps.billing.meter(after, (id) => specs.get(id), meterAt - this.lastMeterAt);
    this.lastMeterAt = meterAt;
    await repo.replaceInstances(
      after.map((i) => ({
        id: i.instanceId,
        version_id: i.versionId,
        service_name: i.serviceName,
        phase: i.phase,
        ready: i.phase === 'Ready' ? 1 : 0,
        restarts: i.restarts,
        started_at: i.startedAt,
        node: i.node,
        url: i.url ?? null,
        pid: i.pid ?? null,
        last_exit_reason: i.lastExitReason ?? null,
        updated_at: new Date().toISOString(),
      })),
    );
    this.lastObserved = { services: await repo.all(), versions: await repo.versionsOf(services.map((s) => s.id)), instances: after };
    this.publish();
  }

  /** Hands the gateway what runs now, leaving out instances that are draining. */
  private publish(): void {
    const o = this.lastObserved;
    if (!o) return;
    const instances = this.deps.backend.list().filter((i) => !this.draining.has(i.instanceId));
    this.deps.onObserved({ ...o, instances });
  }

  /**
   * A version whose reconcile throws (the backend refused to start an instance, its model
   * version is gone) shows it: a Warning event and the version Failed with the reason,
   * never only a log line. The next pass tries again, so a passing fault clears itself.
   */
  private async reconcileOrReport(s: ServiceRow, v: VersionRow, mine: ObservedInstance[]): Promise<{ status: ServiceState; reason: string | null }> {
    try {
      return await this.reconcileVersion(s, v, mine);
    } catch (e) {
      const reason = `reconcile failed: ${(e as Error).message}`;
      this.deps.log.warn({ err: e, service: s.name, version: v.seq }, 'reconciling a service version failed');
      const { repo } = this.deps;
      await repo.event(s.id, { type: 'Warning', reason: 'ReconcileFailed', object: `version/${v.seq}`, message: reason });
      if (v.status !== 'Failed' || v.reason !== reason) {
        await repo.setVersionStatus(v.id, 'Failed', reason, v.ready_instances);
        if (v.status !== 'Failed') await repo.event(s.id, { type: 'Warning', reason: 'Failed', object: `version/${v.seq}`, message: reason });
      }
      return { status: 'Failed', reason };
    }
  }

  private async reconcileVersion(s: ServiceRow, v: VersionRow, mine: ObservedInstance[]): Promise<{ status: ServiceState; reason: string | null }> {
    const { backend, repo } = this.deps;
    const spec = JSON.parse(v.spec) as ServiceVersionSpec;
    const hash = specHash({ model: v.model_name, modelVersion: v.model_version, runtime: v.runtime, spec });
    const desiredState = s.desired as 'running' | 'stopped' | 'deleted';
    mine = mine.filter((i) => !this.draining.has(i.instanceId));

    for (const i of mine) {
      const exits = i.restarts + (i.phase === 'Exited' ? 1 : 0);
      if (exits > (this.reportedExits.get(i.instanceId) ?? 0)) {
        this.reportedExits.set(i.instanceId, exits);
        await repo.event(s.id, {
          type: 'Warning',
          reason: 'Crashed',
          object: `instance/${i.instanceId}`,
          message: `instance ${i.instanceId} ${i.lastExitReason ?? 'exited'}; restarting`,
        });
      }
    }
    const gaveUp = mine.find((i) => i.failed);
    if (gaveUp) {
      this.failures.set(v.id, { at: v.updated_at, reason: gaveUp.failed! });
      await repo.event(s.id, { type: 'Warning', reason: 'Failed', object: `instance/${gaveUp.instanceId}`, message: gaveUp.failed! });
      for (const i of mine) await backend.stop(i.instanceId, 1_000);
      mine = [];
    }
    const failure = this.failures.get(v.id);
    const changed = !!failure && failure.at !== v.updated_at;
    if (changed) this.failures.delete(v.id);
    const env = desiredState === 'running' && !this.failures.has(v.id) ? await this.dependencies(s, v, changed) : null;
    if (env?.state === 'failed') this.failures.set(v.id, { at: v.updated_at, reason: env.reason });
    const failed = this.failures.get(v.id)?.reason;

    const applied = desiredState === 'running' ? this.schedules.changed(v.id, spec) : undefined;
    if (applied) await repo.event(s.id, { type: 'Normal', reason: 'ScheduleApplied', object: `version/${v.seq}`, message: applied });
    const want =
      desiredState === 'running' && !failed
        ? this.deps.autoscaler.desired(
            v,
            spec,
            mine.filter((i) => i.phase === 'Ready' && i.cpuUtil !== undefined).map((i) => i.cpuUtil!),
          )
        : 0;
    const live = mine.filter(counts);
    const current = live.filter((i) => i.specHash === hash);
    const stale = live.filter((i) => i.specHash !== hash);
    const ready = (xs: ObservedInstance[]) => xs.filter((i) => i.phase === 'Ready').length;

    if (want === 0) {
      for (const i of live) await this.stopInstance(s, i, spec);
    } else {
      const { maxSurge, maxUnavailable } = normalizedRolling(spec);
      // start instances of the current spec, up to desired (+ surge while old ones remain)
      let toStart = Math.min(want - current.length, want + maxSurge - live.length);
      if (stale.length === 0) toStart = want - current.length;
      // instances start once the package's Python environment is ready
      if (env?.state === 'building') toStart = 0;
      const python = env?.state === 'ready' ? env.python : undefined;
      for (let n = 0; n < toStart; n++) await this.startInstance(s, v, spec, hash, python);
      // retire old-spec instances as far as availability allows
      const available = ready(current) + ready(stale);
      let canStop = Math.max(0, available - (want - maxUnavailable));
      const staleSorted = [...stale].sort((a, b) => Number(a.phase === 'Ready') - Number(b.phase === 'Ready'));
      for (const i of staleSorted) {
        if (i.phase === 'Ready') {
          if (canStop <= 0) continue;
          canStop--;
        }
        await this.stopInstance(s, i, spec);
      }
      // scale down extra instances of the current spec, not-ready and newest first
      const extra = current.length - want;
      if (extra > 0) {
        const order = [...current].sort(
          (a, b) => Number(a.phase === 'Ready') - Number(b.phase === 'Ready') || (b.startedAt ?? '').localeCompare(a.startedAt ?? ''),
        );
        for (const i of order.slice(0, extra)) await this.stopInstance(s, i, spec);
      }
    }

    const now = this.deps.backend.list().filter((i) => i.versionId === v.id && counts(i) && !this.draining.has(i.instanceId));
    const readyCurrent = now.filter((i) => i.specHash === hash && i.phase === 'Ready').length;
    const st = versionState({
      desired: desiredState,
      desiredInstances: want,
      readyCurrent,
      stale: now.filter((i) => i.specHash !== hash).length,
      alive: now.length,
      failed,
      waiting: env?.state === 'building' ? 'installing the Python packages of requirements.txt (see the logs)' : undefined,
      previous: v.status as ServiceState,
    });
    if (st.status !== v.status || st.reason !== v.reason || readyCurrent !== v.ready_instances) {
      await repo.setVersionStatus(v.id, st.status, st.reason, readyCurrent);
      if (st.status !== v.status) {
        await repo.event(s.id, {
          type: st.status === 'Failed' ? 'Warning' : 'Normal',
          reason: st.status,
          object: `version/${v.seq}`,
          message: st.reason ?? `version ${v.seq} is ${st.status} (${readyCurrent}/${want} ready)`,
        });
      }
    }
    return st;
  }

  /** The version's Python environment (null: none needed); each new state becomes an event once. */
  private async dependencies(s: ServiceRow, v: VersionRow, retryFailed: boolean): Promise<EnvState | null> {
    if (!this.deps.envs) return null;
    const mv = await this.deps.models.versionById(await this.modelVersionId(v));
    if (!mv) return null;
    const env = await this.deps.envs.envFor(mv, v.runtime, (line) => this.deps.envLog?.(s.name, line), v.id, retryFailed);
    const seen = env ? `${env.key}:${env.state}` : '';
    if (!env || this.envReported.get(v.id) === seen) return env;
    this.envReported.set(v.id, seen);
    const object = `version/${v.seq}`;
    if (env.state === 'building') {
      await this.deps.repo.event(s.id, {
        type: 'Normal',
        reason: 'InstallingDependencies',
        object,
        message: `preparing the Python environment for requirements.txt (${env.key}); instances start when it is ready`,
      });
    } else if (env.state === 'ready') {
      await this.deps.repo.event(s.id, { type: 'Normal', reason: env.venv ? 'DependenciesInstalled' : 'DependenciesMet', object, message: env.note });
    } else {
      await this.deps.repo.event(s.id, { type: 'Warning', reason: 'DependencyInstallFailed', object, message: env.reason });
    }
    return env;
  }

  private async startInstance(s: ServiceRow, v: VersionRow, spec: ServiceVersionSpec, hash: string, python?: string): Promise<void> {
    const mv = await this.deps.models.versionById(await this.modelVersionId(v));
    if (!mv) throw new Error(`model "${v.model_name}" v${v.model_version} no longer exists`);
    if (mv.runtime_requested && !this.runtimeNoted.has(v.id)) {
      this.runtimeNoted.add(v.id);
      await this.deps.repo.event(s.id, {
        type: 'Warning',
        reason: 'RuntimeMapped',
        object: `version/${v.seq}`,
        message: mappingNote(mv.runtime_requested, mv.runtime),
      });
    }
    const t: InstanceTemplate = {
      instanceId: `${s.name}-${v.seq}-${randomUUID().slice(0, 8)}`,
      serviceName: s.name,
      versionId: v.id,
      specHash: hash,
      modelKey: mv.storage_path,
      runtime: v.runtime,
      ...(python ? { python } : {}),
      env: spec.env ?? {},
      resources: spec.resources,
      batching: spec.batching,
      startupTimeoutMs: spec.startupTimeoutMs ?? 120_000,
      readiness: {
        path: spec.probes?.readiness?.path ?? '/v2/health/ready',
        initialDelayMs: spec.probes?.readiness?.initialDelayMs ?? 0,
        periodMs: spec.probes?.readiness?.periodMs ?? 5_000,
        timeoutMs: spec.probes?.readiness?.timeoutMs ?? 2_000,
        failureThreshold: spec.probes?.readiness?.failureThreshold ?? 3,
      },
      ...(spec.probes?.liveness
        ? {
            liveness: {
              path: spec.probes.liveness.path ?? '/v2/health/live',
              initialDelayMs: spec.probes.liveness.initialDelayMs ?? 0,
              periodMs: spec.probes.liveness.periodMs ?? 10_000,
              timeoutMs: spec.probes.liveness.timeoutMs ?? 2_000,
              failureThreshold: spec.probes.liveness.failureThreshold ?? 3,
            },
          }
        : {}),
    };
    await this.deps.backend.start(t);
    await this.deps.repo.event(s.id, { type: 'Normal', reason: 'Scheduled', object: `version/${v.seq}`, message: `started instance ${t.instanceId}` });
  }

  private async stopInstance(s: ServiceRow, i: ObservedInstance, spec: ServiceVersionSpec): Promise<void> {
    if (!this.retire(i, spec.terminationGracePeriodMs ?? 30_000)) return;
    await this.deps.repo.event(s.id, { type: 'Normal', reason: 'Stopping', object: `instance/${i.instanceId}`, message: `stopping instance ${i.instanceId}` });
  }

  /** Takes an instance out of the routes, then stops it after the drain delay; false when it is already going. */
  private retire(i: ObservedInstance, gracePeriodMs: number): boolean {
    if (i.phase === 'Terminating' || this.draining.has(i.instanceId)) return false;
    this.draining.add(i.instanceId);
    this.publish();
    const delay = i.phase === 'Ready' ? (this.deps.drainDelayMs ?? 500) : 0;
    const timer = setTimeout(() => {
      void this.deps.backend.stop(i.instanceId, gracePeriodMs).finally(() => {
        this.draining.delete(i.instanceId);
        this.kick();
      });
    }, delay);
    timer.unref();
    return true;
  }

  private readonly mvIds = new Map<string, string>();
  private async modelVersionId(v: VersionRow): Promise<string> {
    const key = `${v.id}:${v.model_name}:${v.model_version}`;
    const cached = this.mvIds.get(key);
    if (cached) return cached;
    const m = await this.deps.models.findModel(v.model_name);
    const mv = m ? await this.deps.models.findVersion(m.id, v.model_version) : undefined;
    if (mv) this.mvIds.set(key, mv.id);
    return mv?.id ?? '';
  }
}

function normalizedRolling(spec: ServiceVersionSpec): { maxSurge: number; maxUnavailable: number } {
  const r = spec.rollingUpdate ?? { maxSurge: 1, maxUnavailable: 0 };
  return r.maxSurge === 0 && r.maxUnavailable === 0 ? { maxSurge: 1, maxUnavailable: 0 } : r;
}
