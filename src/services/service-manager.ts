/**
 * Online services (在线服务): what the API asks of services. It writes only the desired
 * state (spec); the reconciler makes it so and writes the status.
 */
import { DomainError } from '../contracts/errors.js';
import { isValidName, NAME_RULE, RESERVED_NAMES } from '../contracts/names.js';
import { checkServiceEnv } from '../contracts/process-input.js';
import type { CaptureSpec } from '../contracts/capture.js';
import type { Instance, Service, ServiceEvent, ServiceState, ServiceVersion, ServiceVersionSpec, ShadowStats } from '../contracts/services.js';
import type { ModelRepository } from '../models/model-repository.js';
import type { EventRow, ServiceRow, ServicesRepo, VersionRow } from './services-repo.js';
import { reservation, type Billing } from '../billing/billing.js';
import { checkSchedules, scheduleState } from './scaling-schedule.js';
import { zeroShadowStats } from './shadow-series.js';
import { resolveShadow, storedShadow } from './shadow-spec.js';
import { initialInstances, MAX_SERVICE_TAGS, withDefaults, type ServiceCreate, type ServicePatch, type VersionSpecInput } from './service-spec.js';

export interface ServiceManagerDeps {
  repo: ServicesRepo;
  billing: Billing;
  models: ModelRepository;
  baseUrl: () => string;
  kick: () => void;
  /** what the gateway counted of a service's shadow version (shadow-series.ts) */
  shadowStats?: (service: string, version: number) => ShadowStats;
  /** whether a progressive rollout is moving the service's weights now (docs/rollout.md) */
  rolloutActive?: (serviceId: string) => Promise<boolean>;
}

export class ServiceManager {
  constructor(private readonly deps: ServiceManagerDeps) {}

  async create(input: ServiceCreate): Promise<Service> {
    checkServiceName(input.name);
    const billingMode = input.billingMode ?? 'postpaid';
    if (billingMode === 'prepaid' && !input.resourceGroup) {
      throw new DomainError('INVALID_ARGUMENT', 'prepaid billing needs a resourceGroup', {
        fields: [{ field: 'resourceGroup', message: 'is required for prepaid billing' }],
      });
    }
    const v = await this.versionFrom(input.version, 100, 'version.');
    if (input.resourceGroup) await this.deps.billing.admit(input.resourceGroup, reservation(v.spec, v.desiredInstances));
    await this.deps.repo.create(
      {
        name: input.name,
        description: input.description ?? '',
        tags: input.tags ?? {},
        billingMode,
        resourceGroup: input.resourceGroup,
        auth: input.auth ?? false,
      },
      v,
    );
    this.deps.kick();
    return this.get(input.name);
  }

  async get(name: string): Promise<Service> {
    const s = await this.deps.repo.get(name);
    return this.toService(s, await this.deps.repo.versions(s.id));
  }

  async list(opts: { offset?: number; limit?: number; keyword?: string }): Promise<{ items: Service[]; total: number; offset: number; limit: number }> {
    const offset = opts.offset ?? 0;
    const limit = opts.limit ?? 50;
    const { items, total } = await this.deps.repo.list({ offset, limit, keyword: opts.keyword });
    const versions = await this.deps.repo.versionsOf(items.map((s) => s.id));
    return {
      items: items.map((s) =>
        this.toService(
          s,
          versions.filter((v) => v.service_id === s.id),
        ),
      ),
      total,
      offset,
      limit,
    };
  }

  async addVersion(name: string, input: VersionSpecInput): Promise<Service> {
    const s = await this.live(name);
    const existing = await this.deps.repo.versions(s.id);
    const weight = input.weight ?? (existing.some((v) => v.weight > 0) ? 0 : 100);
    const next = await this.versionFrom(input, weight, '');
    if (s.resource_group) await this.deps.billing.admit(s.resource_group, reservation(next.spec, next.desiredInstances));
    await this.deps.repo.addVersion(s.id, next);
    this.deps.kick();
    return this.get(name);
  }

  /**
   * Replaces a version's settings — or the model version it serves: its instances are
   * replaced by a rolling update under maxSurge/maxUnavailable.
   */
  async updateVersion(name: string, ref: string, input: VersionSpecInput): Promise<Service> {
    const s = await this.live(name);
    const v = await this.version(s, ref);
    const next = await this.versionFrom(input, v.weight, '');
    if (s.resource_group) await this.deps.billing.admit(s.resource_group, reservation(next.spec, next.desiredInstances), v.id);
    await this.deps.repo.setVersionSpec(v.id, {
      model: { name: next.modelName, version: next.modelVersion, runtime: next.runtime },
      spec: next.spec,
      desiredInstances: next.desiredInstances,
      resumeInstances: next.desiredInstances,
      ...(input.weight !== undefined ? { weight: input.weight } : {}),
    });
    this.deps.kick();
    return this.get(name);
  }

  /**
   * Turns a version's payload capture on or off or changes its share (docs/capture.md). Only
   * the spec's `capture` changes: no instance is replaced, the gateway picks it up with its
   * next route (within a reconcile pass).
   */
  async setCapture(name: string, ref: string, capture: CaptureSpec): Promise<Service> {
    const s = await this.live(name);
    const v = await this.version(s, ref);
    const spec = JSON.parse(v.spec) as ServiceVersionSpec;
    await this.deps.repo.setVersionSpec(v.id, { spec: { ...spec, capture } });
    const what =
      capture.percent > 0
        ? `on for ${capture.percent}% of calls${capture.maxBodyBytes !== undefined ? `, bodies up to ${capture.maxBodyBytes} bytes` : ''}`
        : 'off';
    await this.deps.repo.event(s.id, { type: 'Normal', reason: 'CaptureChanged', object: `version/${v.seq}`, message: `payload capture ${what}` });
    this.deps.kick();
    return this.get(name);
  }

  /**
   * Removes a version: its instances are then drained and stopped by the reconciler. The
   * other versions keep their weights, so their shares of the traffic grow in proportion.
   * Refused (409) for the only version, and for one that holds all traffic (every other
   * version at weight 0): give another version a weight first.
   */
  async removeVersion(name: string, ref: string): Promise<Service> {
    const s = await this.live(name);
    const v = await this.version(s, ref);
    await this.deps.repo.removeVersion(s.id, v.id, (all) => {
      const rest = all.filter((x) => x.id !== v.id);
      if (rest.length === all.length) throw new DomainError('VERSION_NOT_FOUND', `service "${name}" has no version "${ref}"`);
      if (rest.length === 0)
        throw new DomainError('LAST_SERVICE_VERSION', `version ${v.seq} is the only version of service "${name}"; delete the service instead`, {
          version: v.seq,
        });
      if (!rest.some((x) => x.weight > 0)) {
        throw new DomainError(
          'VERSION_HOLDS_ALL_TRAFFIC',
          `version ${v.seq} takes all of service "${name}"'s traffic; give another version a weight first (PUT /api/v1/services/${name}/weights)`,
          {
            version: v.seq,
            others: rest.map((x) => ({ version: x.seq, weight: x.weight })),
          },
        );
      }
    });
    if (storedShadow(s.shadow)?.version === v.seq) {
      await this.deps.repo.setMeta(s.id, { shadow: null });
      await this.deps.repo.event(s.id, {
        type: 'Normal',
        reason: 'Updated',
        object: `service/${name}`,
        message: `shadow off: its version ${v.seq} was removed`,
      });
    }
    await this.deps.repo.event(s.id, {
      type: 'Normal',
      reason: 'VersionRemoved',
      object: `version/${v.seq}`,
      message: `version ${v.seq} (${v.model_name} v${v.model_version}) removed; its instances are stopped`,
    });
    this.deps.kick();
    return this.get(name);
  }

  /** Changes description, tags and auth (JSON merge patch semantics, see ServicePatchSchema). */
  async update(name: string, patch: ServicePatch): Promise<Service> {
    const s = await this.live(name);
    let tags: Record<string, string> | undefined;
    if (patch.tags !== undefined) {
      tags = patch.tags === null ? {} : { ...(JSON.parse(s.tags) as Record<string, string>) };
      for (const [k, val] of Object.entries(patch.tags ?? {})) {
        if (val === null) delete tags[k];
        else tags[k] = val;
      }
      if (Object.keys(tags).length > MAX_SERVICE_TAGS) {
        throw new DomainError('INVALID_ARGUMENT', `a service keeps at most ${MAX_SERVICE_TAGS} tags`, {
          fields: [{ field: 'tags', message: `at most ${MAX_SERVICE_TAGS} tags` }],
        });
      }
    }
    const description = patch.description === null ? '' : patch.description;
    const shadow = patch.shadow === undefined ? undefined : resolveShadow(name, storedShadow(s.shadow), patch.shadow, await this.deps.repo.versions(s.id));
    await this.deps.repo.setMeta(s.id, { description, tags, auth: patch.auth, ...(shadow !== undefined ? { shadow: shadow && JSON.stringify(shadow) } : {}) });
    const changed = [
      description !== undefined && 'description',
      tags && 'tags',
      patch.auth !== undefined && `auth ${patch.auth ? 'on' : 'off'}`,
      shadow !== undefined && (shadow ? `shadow: version ${shadow.version} gets ${shadow.percent}% of calls as copies` : 'shadow off'),
    ].filter(Boolean);
    if (changed.length)
      await this.deps.repo.event(s.id, { type: 'Normal', reason: 'Updated', object: `service/${name}`, message: `changed: ${changed.join(', ')}` });
    this.deps.kick();
    return this.get(name);
  }

  async setWeights(name: string, weights: { version: string | number; weight: number }[]): Promise<Service> {
    const s = await this.live(name);
    if (await this.deps.rolloutActive?.(s.id))
      throw new DomainError('ROLLOUT_IN_PROGRESS', `a rollout is moving service "${name}"'s weights; pause, promote or abort it (…/rollout/actions) instead`);
    const resolved: { id: string; weight: number }[] = [];
    for (const w of weights) resolved.push({ id: (await this.version(s, String(w.version))).id, weight: w.weight });
    const all = await this.deps.repo.versions(s.id);
    const total = all.reduce((a, v) => a + (resolved.find((r) => r.id === v.id)?.weight ?? v.weight), 0);
    if (total <= 0) throw new DomainError('INVALID_ARGUMENT', 'at least one version must keep a weight above 0');
    await this.deps.repo.setWeights(resolved);
    await this.deps.repo.event(s.id, {
      type: 'Normal',
      reason: 'WeightsChanged',
      object: `service/${name}`,
      message: resolved.map((r) => `${all.find((v) => v.id === r.id)?.seq}:${r.weight}`).join(' '),
    });
    this.deps.kick();
    return this.get(name);
  }

  async action(name: string, a: { action: 'stop' | 'resume' | 'scale'; instances?: number; version?: string | number }): Promise<Service> {
    const s = await this.live(name);
    const versions = await this.deps.repo.versions(s.id);
    if (a.action === 'stop') {
      await this.deps.repo.setDesired(s.id, 'stopped');
    } else if (a.action === 'resume') {
      if (s.resource_group) {
        for (const v of versions)
          await this.deps.billing.admit(s.resource_group, reservation(JSON.parse(v.spec) as ServiceVersionSpec, v.resume_instances), v.id);
      }
      for (const v of versions) await this.deps.repo.setVersionSpec(v.id, { desiredInstances: v.resume_instances });
      await this.deps.repo.setDesired(s.id, 'running');
    } else {
      if (a.instances === undefined)
        throw new DomainError('INVALID_ARGUMENT', 'scale needs "instances"', { fields: [{ field: 'instances', message: 'is required for scale' }] });
      const targets = a.version !== undefined ? [await this.version(s, String(a.version))] : versions.filter((v) => v.weight > 0);
      for (const v of targets) {
        const spec = JSON.parse(v.spec) as ServiceVersionSpec;
        if (spec.scaling.mode === 'auto')
          throw new DomainError('INVALID_ARGUMENT', `version ${v.seq} scales automatically; change its scaling settings instead`);
        if (s.resource_group) await this.deps.billing.admit(s.resource_group, reservation(spec, a.instances), v.id);
        await this.deps.repo.setVersionSpec(v.id, { desiredInstances: a.instances, resumeInstances: a.instances });
      }
    }
    await this.deps.repo.event(s.id, {
      type: 'Normal',
      reason: a.action === 'scale' ? 'Scaled' : a.action === 'stop' ? 'Stopped' : 'Resumed',
      object: `service/${name}`,
      message: a.action === 'scale' ? `scaled to ${a.instances} instance(s)` : `${a.action} requested`,
    });
    this.deps.kick();
    return this.get(name);
  }

  async delete(name: string): Promise<void> {
    const s = await this.deps.repo.get(name);
    await this.deps.repo.setDesired(s.id, 'deleted');
    this.deps.kick();
  }

  async instances(name: string): Promise<Instance[]> {
    await this.deps.repo.get(name);
    return (await this.deps.repo.instances(name)).map((i) => ({
      id: i.id,
      service: i.service_name,
      versionId: i.version_id,
      phase: i.phase as Instance['phase'],
      ready: i.ready === 1,
      restarts: i.restarts,
      startedAt: i.started_at,
      node: i.node,
      ...(i.last_exit_reason ? { lastExitReason: i.last_exit_reason } : {}),
    }));
  }

  async events(name: string, limit = 100): Promise<ServiceEvent[]> {
    const s = await this.deps.repo.get(name);
    return (await this.deps.repo.events(s.id, limit)).map(toEvent);
  }

  private async live(name: string): Promise<ServiceRow> {
    const s = await this.deps.repo.get(name);
    if (s.desired === 'deleted') throw new DomainError('SERVICE_NOT_FOUND', `service "${name}" is being deleted`);
    return s;
  }

  private async version(s: ServiceRow, ref: string): Promise<VersionRow> {
    const versions = await this.deps.repo.versions(s.id);
    const seq = Number(String(ref).replace(/^v/i, ''));
    const v = versions.find((x) => x.seq === seq || x.id === ref);
    if (!v) throw new DomainError('VERSION_NOT_FOUND', `service "${s.name}" has no version "${ref}"`);
    return v;
  }

  /** `at` is where the version object sits in the request body ("version." or ""), for field names. */
  private async versionFrom(input: VersionSpecInput, weight: number, at: string) {
    checkServiceEnv(input.env, `${at}env`);
    if (input.logDelivery?.type === 'http' && !URL.canParse(input.logDelivery.url)) {
      throw new DomainError('INVALID_ARGUMENT', `${at}logDelivery.url is not a valid URL`, {
        fields: [{ field: `${at}logDelivery.url`, message: 'is not a valid URL' }],
      });
    }
    const { version } = await this.deps.models.resolveVersion(input.model, input.modelVersion);
    if (version.status !== 'ready') {
      throw new DomainError('VERSION_NOT_READY', `model "${input.model}" v${version.number} is ${version.status}; deploy a ready version`);
    }
    if (input.scaling.mode === 'auto' && input.scaling.minInstances > input.scaling.maxInstances) {
      throw new DomainError('INVALID_ARGUMENT', 'minInstances is above maxInstances', {
        fields: [{ field: `${at}scaling.minInstances`, message: 'must not exceed maxInstances' }],
      });
    }
    checkSchedules(input.schedules, input.scaling, `${at}schedules`);
    const spec = withDefaults(input, version.number);
    return { modelName: input.model, modelVersion: version.number, runtime: version.runtime, spec, weight, desiredInstances: initialInstances(spec) };
  }

  /** The service's shadow traffic and what this replica's gateway counted of it. */
  private shadowState(s: ServiceRow): Pick<Service, 'shadow'> {
    const spec = storedShadow(s.shadow);
    if (!spec) return {};
    return { shadow: { ...spec, stats: this.deps.shadowStats?.(s.name, spec.version) ?? zeroShadowStats() } };
  }

  private toService(s: ServiceRow, versions: VersionRow[]): Service {
    return {
      name: s.name,
      description: s.description,
      tags: JSON.parse(s.tags) as Record<string, string>,
      billingMode: s.billing_mode as Service['billingMode'],
      ...(s.resource_group ? { resourceGroup: s.resource_group } : {}),
      auth: s.auth === 1,
      status: s.status as ServiceState,
      ...(s.reason ? { reason: s.reason } : {}),
      versions: versions.map((v) => toVersion(v, s.desired)),
      ...this.shadowState(s),
      url: `${this.deps.baseUrl()}/${s.name}/v1/models/m:predict`,
      createdAt: s.created_at,
      updatedAt: s.updated_at,
    };
  }
}

function toVersion(v: VersionRow, desired: string): ServiceVersion {
  const spec = JSON.parse(v.spec) as ServiceVersionSpec;
  const schedule = scheduleState(spec.schedules, spec.scaling, Date.now());
  return {
    id: v.id,
    seq: v.seq,
    model: v.model_name,
    modelVersion: `v${v.model_version}`,
    runtime: v.runtime,
    weight: v.weight,
    status: v.status as ServiceState,
    ...(v.reason ? { reason: v.reason } : {}),
    readyInstances: v.ready_instances,
    desiredInstances: desired === 'running' ? v.desired_instances : 0,
    spec,
    ...(schedule ? { schedule } : {}),
    createdAt: v.created_at,
  };
}

function toEvent(e: EventRow): ServiceEvent {
  return {
    type: e.type as ServiceEvent['type'],
    reason: e.reason,
    message: e.message,
    object: e.object,
    firstAt: e.first_at,
    lastAt: e.last_at,
    count: e.count,
  };
}

export function checkServiceName(name: string): void {
  if (!isValidName(name)) throw new DomainError('INVALID_NAME', `"${name.slice(0, 80)}" is not a valid name: ${NAME_RULE}`);
  if (RESERVED_NAMES.has(name.toLowerCase())) throw new DomainError('INVALID_NAME', `"${name}" is reserved by the platform's own URLs; choose another name`);
}
