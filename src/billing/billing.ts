/**
 * Billing: resource groups hold prepaid capacity and admit services only within it;
 * postpaid usage is metered as instance-seconds × spec and priced from the config's
 * price table.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { DomainError } from '../contracts/errors.js';
import { isValidName, NAME_RULE } from '../contracts/names.js';
import type { ResourcesSpec, ServiceVersionSpec } from '../contracts/services.js';
import type { ObservedInstance } from '../backends/backend.js';
import type { Database } from '../store/db/schema.js';

import type { Capacity, ResourceGroup } from '../contracts/service-ops.js';

export type { Capacity, ResourceGroup } from '../contracts/service-ops.js';

export interface Prices {
  currency: string;
  cpuCoreHour: number;
  memoryGiBHour: number;
  gpuHour: number;
}

const zero = (): Capacity => ({ cpuMillicores: 0, memoryMiB: 0, gpu: 0 });

/** What one version reserves: every instance it may run × its spec. */
export function reservation(spec: ServiceVersionSpec, desiredInstances: number): Capacity {
  // auto: the most it may run, a scheduled rule's max included
  const n = spec.scaling.mode === 'auto' ? Math.max(spec.scaling.maxInstances, ...(spec.schedules ?? []).map((r) => r.maxInstances ?? 0)) : desiredInstances;
  const r: ResourcesSpec = spec.resources;
  return { cpuMillicores: n * r.cpuMillicores, memoryMiB: n * r.memoryMiB, gpu: n * (r.gpu ?? 0) };
}

/** Something besides services that holds a group's capacity (batch jobs): its names and what it reserves. */
export type CapacityHolder = (group: string) => Promise<Capacity & { names: string[] }>;

export class Billing {
  private readonly holders: CapacityHolder[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly prices: Prices,
  ) {}

  /** Counts another holder's reservations beside the services' (admission, used, in use). */
  addHolder(h: CapacityHolder): void {
    this.holders.push(h);
  }

  async createGroup(input: { name: string } & Partial<Capacity>): Promise<ResourceGroup> {
    if (!isValidName(input.name)) throw new DomainError('INVALID_NAME', `"${input.name}" is not a valid name: ${NAME_RULE}`);
    try {
      await this.db
        .insertInto('resource_groups')
        .values({
          id: randomUUID(),
          name: input.name,
          cpu_millicores: input.cpuMillicores ?? 0,
          memory_mib: input.memoryMiB ?? 0,
          gpu: input.gpu ?? 0,
          created_at: new Date().toISOString(),
        })
        .execute();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new DomainError('RESOURCE_GROUP_EXISTS', `resource group "${input.name}" already exists`);
      throw e;
    }
    return this.group(input.name);
  }

  async groups(): Promise<ResourceGroup[]> {
    const rows = await this.db.selectFrom('resource_groups').select('name').orderBy('name').execute();
    return Promise.all(rows.map((r) => this.group(r.name)));
  }

  async group(name: string): Promise<ResourceGroup> {
    const g = await this.db.selectFrom('resource_groups').selectAll().where('name', '=', name).executeTakeFirst();
    if (!g) throw new DomainError('RESOURCE_GROUP_NOT_FOUND', `resource group "${name}" does not exist`);
    const { used, services } = await this.usedBy(name);
    return { name: g.name, capacity: { cpuMillicores: g.cpu_millicores, memoryMiB: g.memory_mib, gpu: g.gpu }, used, services, createdAt: g.created_at };
  }

  async deleteGroup(name: string): Promise<void> {
    const g = await this.group(name);
    if (g.services.length) throw new DomainError('RESOURCE_GROUP_IN_USE', `resource group "${name}" holds service(s) ${g.services.join(', ')}`);
    await this.db.deleteFrom('resource_groups').where('name', '=', name).execute();
  }

  /**
   * Refuses with NO_CAPACITY unless the group can hold what is already reserved plus
   * `extra`, leaving out the version being replaced (`excludeVersionId`).
   */
  async admit(groupName: string, extra: Capacity, excludeVersionId?: string): Promise<void> {
    const g = await this.group(groupName);
    const { used } = await this.usedBy(groupName, excludeVersionId);
    const need = { cpuMillicores: used.cpuMillicores + extra.cpuMillicores, memoryMiB: used.memoryMiB + extra.memoryMiB, gpu: used.gpu + extra.gpu };
    const short = (['cpuMillicores', 'memoryMiB', 'gpu'] as const).filter((k) => need[k] > g.capacity[k]);
    if (short.length) {
      const what = short.map((k) => `${k} ${need[k]} > ${g.capacity[k]}`).join(', ');
      throw new DomainError('NO_CAPACITY', `resource group "${groupName}" has no room: ${what}`);
    }
  }

  private async usedBy(groupName: string, excludeVersionId?: string): Promise<{ used: Capacity; services: string[] }> {
    const rows = await this.db
      .selectFrom('service_versions')
      .innerJoin('services', 'services.id', 'service_versions.service_id')
      .select(['services.name', 'services.desired', 'service_versions.id', 'service_versions.spec', 'service_versions.desired_instances'])
      .where('services.resource_group', '=', groupName)
      .where('services.desired', '!=', 'deleted')
      .execute();
    const used = zero();
    for (const r of rows) {
      if (r.id === excludeVersionId || r.desired === 'stopped') continue;
      const c = reservation(JSON.parse(r.spec) as ServiceVersionSpec, r.desired_instances);
      used.cpuMillicores += c.cpuMillicores;
      used.memoryMiB += c.memoryMiB;
      used.gpu += c.gpu;
    }
    const names = rows.map((r) => r.name);
    for (const h of this.holders) {
      const c = await h(groupName);
      used.cpuMillicores += c.cpuMillicores;
      used.memoryMiB += c.memoryMiB;
      used.gpu += c.gpu;
      names.push(...c.names);
    }
    return { used, services: [...new Set(names)] };
  }

  /** Adds `elapsedMs` of every live instance to its service's usage of the day. */
  async meter(instances: ObservedInstance[], specOf: (versionId: string) => ServiceVersionSpec | undefined, elapsedMs: number): Promise<void> {
    if (elapsedMs <= 0) return;
    const day = new Date().toISOString().slice(0, 10);
    const per = new Map<string, { i: number; cpu: number; mem: number; gpu: number }>();
    for (const inst of instances) {
      if (!['Starting', 'Ready', 'Unhealthy'].includes(inst.phase)) continue;
      const spec = specOf(inst.versionId);
      if (!spec) continue;
      const s = elapsedMs / 1000;
      const u = per.get(inst.serviceName) ?? { i: 0, cpu: 0, mem: 0, gpu: 0 };
      u.i += s;
      u.cpu += (s * spec.resources.cpuMillicores) / 1000;
      u.mem += (s * spec.resources.memoryMiB) / 1024;
      u.gpu += s * (spec.resources.gpu ?? 0);
      per.set(inst.serviceName, u);
    }
    for (const [service, u] of per) {
      await this.db
        .insertInto('service_usage')
        .values({ service_name: service, day, instance_seconds: u.i, cpu_core_seconds: u.cpu, memory_gib_seconds: u.mem, gpu_seconds: u.gpu })
        .onConflict((oc) =>
          oc.columns(['service_name', 'day']).doUpdateSet({
            instance_seconds: sql`service_usage.instance_seconds + ${u.i}`,
            cpu_core_seconds: sql`service_usage.cpu_core_seconds + ${u.cpu}`,
            memory_gib_seconds: sql`service_usage.memory_gib_seconds + ${u.mem}`,
            gpu_seconds: sql`service_usage.gpu_seconds + ${u.gpu}`,
          }),
        )
        .execute();
    }
  }

  async usage(service: string, days: number) {
    const since = new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
    const rows = await this.db.selectFrom('service_usage').selectAll().where('service_name', '=', service).where('day', '>=', since).orderBy('day').execute();
    const p = this.prices;
    const items = rows.map((r) => ({
      day: r.day,
      instanceSeconds: round(r.instance_seconds),
      cpuCoreSeconds: round(r.cpu_core_seconds),
      memoryGiBSeconds: round(r.memory_gib_seconds),
      gpuSeconds: round(r.gpu_seconds),
      cost: round((r.cpu_core_seconds * p.cpuCoreHour + r.memory_gib_seconds * p.memoryGiBHour + r.gpu_seconds * p.gpuHour) / 3600, 4),
    }));
    return {
      service,
      currency: p.currency,
      prices: p,
      items,
      total: round(
        items.reduce((a, i) => a + i.cost, 0),
        4,
      ),
    };
  }
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
