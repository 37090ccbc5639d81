/**
 * "Contains this text" in a WHERE clause, the same on SQLite and PostgreSQL: the keyword
 * is taken literally (LIKE's `%`, `_` and `\` escaped, not stripped, so `digits_v2` finds
 * `digits_v2`) and matched without regard to case (SQLite's LIKE ignores ASCII case,
 * PostgreSQL's does not, so both sides are lowered).
 */
import { sql, type Expression, type SqlBool } from 'kysely';

export function containsText(column: string, keyword: string): Expression<SqlBool> {
  const pattern = `%${keyword.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}
