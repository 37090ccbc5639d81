/**
 * Rollout rows. The spec (user-owned: what was asked, the hand controls) and the status
 * (system-owned: phase, step, figures) are written apart, never in one step. The store's
 * partial unique index keeps one active rollout per service.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { DomainError } from '../../contracts/errors.js';
import type { RolloutSpec, RolloutStatus } from '../../contracts/rollouts.js';
import type { Database, RolloutsTable } from '../../store/db/schema.js';

export type RolloutRow = Selectable<RolloutsTable>;

const now = () => new Date().toISOString();

export interface NewRollout {
  serviceId: string;
  serviceName: string;
  targetVersionId: string;
  baseline: { id: string; seq: number; weight: number };
  spec: RolloutSpec;
  status: RolloutStatus;
}

export class RolloutsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(r: NewRollout): Promise<RolloutRow> {
    const ts = now();
    const row: RolloutRow = {
      id: randomUUID(),
      service_id: r.serviceId,
      target_version_id: r.targetVersionId,
      baseline_version_id: r.baseline.id,
      baseline_seq: r.baseline.seq,
      baseline_weight: r.baseline.weight,
      active: 1,
      spec: JSON.stringify(r.spec),
      status: JSON.stringify(r.status),
      created_at: ts,
      spec_updated_at: ts,
      status_updated_at: ts,
    };
    try {
      await this.db.insertInto('rollouts').values(row).execute();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new DomainError('ROLLOUT_IN_PROGRESS', `service "${r.serviceName}" already has a rollout in progress; promote or abort it first`);
      throw e;
    }
    return row;
  }

  /** The service's active rollout, else its latest. */
  async current(serviceId: string): Promise<RolloutRow | undefined> {
    return this.db
      .selectFrom('rollouts')
      .selectAll()
      .where('service_id', '=', serviceId)
      .orderBy('active', 'desc')
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  async active(): Promise<RolloutRow[]> {
    return this.db.selectFrom('rollouts').selectAll().where('active', '=', 1).execute();
  }

  // ---- spec (user-owned) ----

  async setSpec(id: string, spec: RolloutSpec): Promise<void> {
    await this.db
      .updateTable('rollouts')
      .set({ spec: JSON.stringify(spec), spec_updated_at: now() })
      .where('id', '=', id)
      .execute();
  }

  // ---- status (system-owned) ----

  async setStatus(id: string, status: RolloutStatus, finished: boolean): Promise<void> {
    await this.db
      .updateTable('rollouts')
      .set({ status: JSON.stringify(status), status_updated_at: now(), ...(finished ? { active: 0 } : {}) })
      .where('id', '=', id)
      .execute();
  }

  async deleteOf(serviceId: string): Promise<void> {
    await this.db.deleteFrom('rollouts').where('service_id', '=', serviceId).execute();
  }
}
