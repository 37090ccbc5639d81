/**
 * The table every list page draws: a header row, one row per item, a muted row when the
 * list came back empty, and the pager under it. Columns are data, so a page says only
 * what it shows; the markup (and so the tests' selectors) stays the same everywhere.
 */
import type { ReactNode } from 'react';
import { Pager } from './Pager.js';

export interface Column<T> {
  /** The header text; an actions column has it for screen readers only. */
  head: string;
  cell: (row: T) => ReactNode;
  className?: string;
  srOnly?: boolean;
}

export interface Paging {
  offset: number;
  limit: number;
  total: number | undefined;
  onChange: (offset: number) => void;
}

interface Props<T> {
  columns: Column<T>[];
  /** undefined while the first answer is awaited: neither the empty row nor the pager shows. */
  rows: T[] | undefined;
  rowKey: (row: T) => string;
  /** extra attributes for a row, e.g. the data-service the tests find it by */
  rowProps?: (row: T) => Record<string, string>;
  empty?: string;
  paging?: Paging;
}

export function ResourceTable<T>({ columns, rows, rowKey, rowProps, empty, paging }: Props<T>) {
  return (
    <>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.head}>{c.srOnly ? <span className="sr-only">{c.head}</span> : c.head}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows?.map((r) => (
              <tr key={rowKey(r)} {...rowProps?.(r)}>
                {columns.map((c) => (
                  <td key={c.head} className={c.className}>
                    {c.cell(r)}
                  </td>
                ))}
              </tr>
            ))}
            {empty !== undefined && rows && rows.length === 0 && (
              <tr>
                <td colSpan={columns.length} className="muted">
                  {empty}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {paging && paging.total !== undefined && <Pager offset={paging.offset} limit={paging.limit} total={paging.total} onChange={paging.onChange} />}
    </>
  );
}
