/** Service token rows (Kysely over `service_tokens`): only hashes and hints are stored, never a token. */
import type { Kysely, Selectable } from 'kysely';
import { DomainError } from '../contracts/errors.js';
import type { Database, ServiceTokensTable } from '../store/db/schema.js';

export type TokenRow = Selectable<ServiceTokensTable>;

export interface TokenPatch {
  name?: string;
  enabled?: boolean;
  perMinute?: number | null;
  perDay?: number | null;
  hash?: string;
  hint?: string;
}

export class TokensRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** The id of a live service (one being deleted counts as gone), or SERVICE_NOT_FOUND. */
  async serviceId(name: string): Promise<string> {
    const row = await this.db.selectFrom('services').select(['id', 'desired']).where('name', '=', name).executeTakeFirst();
    if (!row || row.desired === 'deleted') throw new DomainError('SERVICE_NOT_FOUND', `service "${name}" does not exist`);
    return row.id;
  }

  async insert(row: TokenRow): Promise<void> {
    await this.db.insertInto('service_tokens').values(row).execute();
  }

  async list(serviceId: string): Promise<TokenRow[]> {
    return this.db.selectFrom('service_tokens').selectAll().where('service_id', '=', serviceId).orderBy('created_at').orderBy('id').execute();
  }

  /** The tokens of a service by its name, for verification (one query, no service check). */
  async listByServiceName(name: string): Promise<TokenRow[]> {
    return this.db
      .selectFrom('service_tokens')
      .innerJoin('services', 'services.id', 'service_tokens.service_id')
      .selectAll('service_tokens')
      .where('services.name', '=', name)
      .where('services.desired', '!=', 'deleted')
      .execute();
  }

  async get(serviceId: string, id: string): Promise<TokenRow> {
    const row = await this.db.selectFrom('service_tokens').selectAll().where('service_id', '=', serviceId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new DomainError('TOKEN_NOT_FOUND', `the service has no token "${id}"`);
    return row;
  }

  async update(serviceId: string, id: string, patch: TokenPatch): Promise<TokenRow> {
    const set: Partial<TokenRow> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
    if (patch.perMinute !== undefined) set.per_minute = patch.perMinute;
    if (patch.perDay !== undefined) set.per_day = patch.perDay;
    if (patch.hash !== undefined) set.hash = patch.hash;
    if (patch.hint !== undefined) set.hint = patch.hint;
    if (Object.keys(set).length) {
      await this.db.updateTable('service_tokens').set(set).where('service_id', '=', serviceId).where('id', '=', id).execute();
    }
    return this.get(serviceId, id);
  }

  async delete(serviceId: string, id: string): Promise<void> {
    const res = await this.db.deleteFrom('service_tokens').where('service_id', '=', serviceId).where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new DomainError('TOKEN_NOT_FOUND', `the service has no token "${id}"`);
  }

  async touch(ids: string[], at: string): Promise<void> {
    if (ids.length) await this.db.updateTable('service_tokens').set({ last_used_at: at }).where('id', 'in', ids).execute();
  }
}
