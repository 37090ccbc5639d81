/** Service rows: services, versions, observed instances, events. Spec and status are written apart. */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { DomainError } from '../contracts/errors.js';
import { containsText } from '../store/db/like.js';
import type { Database, InstancesTable, ServiceEventsTable, ServicesTable, ServiceVersionsTable } from '../store/db/schema.js';

export type ServiceRow = Selectable<ServicesTable>;
export type VersionRow = Selectable<ServiceVersionsTable>;
export type InstanceRow = Selectable<InstancesTable>;
export type EventRow = Selectable<ServiceEventsTable>;

const now = () => new Date().toISOString();

export interface NewServiceVersion {
  modelName: string;
  modelVersion: number;
  runtime: string;
  spec: unknown;
  weight: number;
  desiredInstances: number;
}

export class ServicesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(
    s: { name: string; description: string; tags: Record<string, string>; billingMode: string; resourceGroup?: string; auth: boolean },
    v: NewServiceVersion,
  ): Promise<ServiceRow> {
    const ts = now();
    const row: ServiceRow = {
      id: randomUUID(),
      name: s.name,
      description: s.description,
      tags: JSON.stringify(s.tags),
      billing_mode: s.billingMode,
      resource_group: s.resourceGroup ?? null,
      auth: s.auth ? 1 : 0,
      desired: 'running',
      next_seq: 1,
      status: 'Creating',
      reason: null,
      shadow: null,
      created_at: ts,
      updated_at: ts,
    };
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx.insertInto('services').values(row).execute();
        await tx
          .insertInto('service_versions')
          .values(versionRow(row.id, 1, v))
          .execute();
      });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') throw new DomainError('SERVICE_EXISTS', `service "${s.name}" already exists`);
      throw e;
    }
    return row;
  }

  async find(name: string): Promise<ServiceRow | undefined> {
    return this.db.selectFrom('services').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async get(name: string): Promise<ServiceRow> {
    const s = await this.find(name);
    if (!s) throw new DomainError('SERVICE_NOT_FOUND', `service "${name}" does not exist`);
    return s;
  }

  async list(opts: { offset: number; limit: number; keyword?: string }): Promise<{ items: ServiceRow[]; total: number }> {
    let q = this.db.selectFrom('services');
    if (opts.keyword) q = q.where(containsText('name', opts.keyword));
    const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const items = await q.selectAll().orderBy('created_at', 'desc').orderBy('name').offset(opts.offset).limit(opts.limit).execute();
    return { items, total: Number(total.n) };
  }

  async all(): Promise<ServiceRow[]> {
    return this.db.selectFrom('services').selectAll().orderBy('name').execute();
  }

  async versions(serviceId: string): Promise<VersionRow[]> {
    return this.db.selectFrom('service_versions').selectAll().where('service_id', '=', serviceId).orderBy('seq').execute();
  }

  async versionsOf(serviceIds: string[]): Promise<VersionRow[]> {
    if (!serviceIds.length) return [];
    return this.db.selectFrom('service_versions').selectAll().where('service_id', 'in', serviceIds).orderBy('seq').execute();
  }

  async addVersion(serviceId: string, v: NewServiceVersion): Promise<VersionRow> {
    const upd = await this.db
      .updateTable('services')
      .set((eb) => ({ next_seq: eb('next_seq', '+', 1), updated_at: now() }))
      .where('id', '=', serviceId)
      .returning('next_seq')
      .executeTakeFirstOrThrow();
    const row = versionRow(serviceId, Number(upd.next_seq), v);
    await this.db.insertInto('service_versions').values(row).execute();
    return row;
  }

  // ---- spec (user-owned) ----

  async setDesired(serviceId: string, desired: 'running' | 'stopped' | 'deleted'): Promise<void> {
    await this.db.updateTable('services').set({ desired, updated_at: now() }).where('id', '=', serviceId).execute();
  }

  async setVersionSpec(
    versionId: string,
    patch: { desiredInstances?: number; resumeInstances?: number; weight?: number; spec?: unknown; model?: { name: string; version: number; runtime: string } },
  ): Promise<void> {
    await this.db
      .updateTable('service_versions')
      .set({
        ...(patch.model ? { model_name: patch.model.name, model_version: patch.model.version, runtime: patch.model.runtime } : {}),
        ...(patch.desiredInstances !== undefined ? { desired_instances: patch.desiredInstances } : {}),
        ...(patch.resumeInstances !== undefined ? { resume_instances: patch.resumeInstances } : {}),
        ...(patch.weight !== undefined ? { weight: patch.weight } : {}),
        ...(patch.spec !== undefined ? { spec: JSON.stringify(patch.spec) } : {}),
        updated_at: now(),
      })
      .where('id', '=', versionId)
      .execute();
  }

  async setWeights(weights: { id: string; weight: number }[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      for (const w of weights) await tx.updateTable('service_versions').set({ weight: w.weight, updated_at: now() }).where('id', '=', w.id).execute();
    });
  }

  /** `shadow`: the service's shadow traffic (JSON text), null to turn it off. */
  async setMeta(serviceId: string, patch: { description?: string; tags?: Record<string, string>; auth?: boolean; shadow?: string | null }): Promise<void> {
    await this.db
      .updateTable('services')
      .set({
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.tags !== undefined ? { tags: JSON.stringify(patch.tags) } : {}),
        ...(patch.auth !== undefined ? { auth: patch.auth ? 1 : 0 } : {}),
        ...(patch.shadow !== undefined ? { shadow: patch.shadow } : {}),
        updated_at: now(),
      })
      .where('id', '=', serviceId)
      .execute();
  }

  /**
   * Deletes one version of a service if `allowed` says so of the versions as they are
   * inside the transaction (which first locks the service row, so two removals of a
   * service's versions cannot both pass on PostgreSQL either). Answers the versions that remain.
   */
  async removeVersion(serviceId: string, versionId: string, allowed: (all: VersionRow[]) => void): Promise<VersionRow[]> {
    return this.db.transaction().execute(async (tx) => {
      await tx.updateTable('services').set({ updated_at: now() }).where('id', '=', serviceId).execute();
      const all = await tx.selectFrom('service_versions').selectAll().where('service_id', '=', serviceId).orderBy('seq').execute();
      allowed(all);
      await tx.deleteFrom('service_versions').where('id', '=', versionId).execute();
      return all.filter((v) => v.id !== versionId);
    });
  }

  async deleteVersion(versionId: string): Promise<void> {
    await this.db.deleteFrom('service_versions').where('id', '=', versionId).execute();
  }

  async delete(serviceId: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('service_events').where('service_id', '=', serviceId).execute();
      await tx.deleteFrom('service_tokens').where('service_id', '=', serviceId).execute();
      await tx.deleteFrom('rollouts').where('service_id', '=', serviceId).execute();
      await tx.deleteFrom('service_versions').where('service_id', '=', serviceId).execute();
      await tx.deleteFrom('services').where('id', '=', serviceId).execute();
    });
  }

  // ---- status (system-owned) ----

  async setStatus(serviceId: string, status: string, reason: string | null): Promise<void> {
    await this.db.updateTable('services').set({ status, reason }).where('id', '=', serviceId).execute();
  }

  async setVersionStatus(versionId: string, status: string, reason: string | null, ready: number): Promise<void> {
    await this.db.updateTable('service_versions').set({ status, reason, ready_instances: ready }).where('id', '=', versionId).execute();
  }

  /** Replaces the observed instances of the given services with what the backend reports. */
  async replaceInstances(rows: InstanceRow[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('instances').execute();
      for (let i = 0; i < rows.length; i += 100)
        await tx
          .insertInto('instances')
          .values(rows.slice(i, i + 100))
          .execute();
    });
  }

  /** Every instance as the leading replica last observed it (followers route from this). */
  async allInstances(): Promise<InstanceRow[]> {
    return this.db.selectFrom('instances').selectAll().execute();
  }

  async instances(serviceName: string): Promise<InstanceRow[]> {
    return this.db.selectFrom('instances').selectAll().where('service_name', '=', serviceName).orderBy('started_at').execute();
  }

  // ---- events ----

  /** Records an event, folding a repeat of the last identical one into a count. */
  async event(serviceId: string, e: { type: 'Normal' | 'Warning'; reason: string; object: string; message: string }): Promise<void> {
    const ts = now();
    const same = await this.db
      .selectFrom('service_events')
      .selectAll()
      .where('service_id', '=', serviceId)
      .where('type', '=', e.type)
      .where('reason', '=', e.reason)
      .where('object', '=', e.object)
      .where('message', '=', e.message)
      .executeTakeFirst();
    if (same) {
      await this.db
        .updateTable('service_events')
        .set({ count: same.count + 1, last_at: ts })
        .where('id', '=', same.id)
        .execute();
      return;
    }
    await this.db
      .insertInto('service_events')
      .values({ id: randomUUID(), service_id: serviceId, ...e, first_at: ts, last_at: ts, count: 1 })
      .execute();
  }

  async events(serviceId: string, limit: number): Promise<EventRow[]> {
    return this.db.selectFrom('service_events').selectAll().where('service_id', '=', serviceId).orderBy('last_at', 'desc').limit(limit).execute();
  }

  /** Services whose versions use a model (or one version of it). */
  async usersOf(model: string, version?: number): Promise<string[]> {
    let q = this.db
      .selectFrom('service_versions')
      .innerJoin('services', 'services.id', 'service_versions.service_id')
      .select('services.name')
      .where('service_versions.model_name', '=', model);
    if (version !== undefined) q = q.where('service_versions.model_version', '=', version);
    return [...new Set((await q.execute()).map((r) => r.name))];
  }
}

function versionRow(serviceId: string, seq: number, v: NewServiceVersion): VersionRow {
  const ts = now();
  return {
    id: randomUUID(),
    service_id: serviceId,
    seq,
    model_name: v.modelName,
    model_version: v.modelVersion,
    runtime: v.runtime,
    spec: JSON.stringify(v.spec),
    weight: v.weight,
    desired_instances: v.desiredInstances,
    resume_instances: v.desiredInstances,
    status: 'Creating',
    reason: null,
    ready_instances: 0,
    created_at: ts,
    updated_at: ts,
  };
}
