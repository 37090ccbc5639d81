/**
 * A polled page of a list resource with its offset: the filters that are set go into the
 * query, and changing one goes back to the first page (the caller calls setOffset(0)).
 */
import { useState } from 'react';
import type { Page } from '../../../src/contracts/resources.js';
import { get } from '../api.js';
import { usePoll } from '../poll.js';
import type { Paging } from './ResourceTable.js';

export const LIST_LIMIT = 20;

export function usePagedList<T>(path: string, filters: Record<string, string | undefined>, intervalMs: number) {
  const [offset, setOffset] = useState(0);
  const q = new URLSearchParams({ offset: String(offset), limit: String(LIST_LIMIT) });
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  const list = usePoll(() => get<Page<T>>(`${path}?${q}`), [q.toString()], intervalMs);
  const paging: Paging = { offset, limit: LIST_LIMIT, total: list.data?.total, onChange: setOffset };
  return { list, setOffset, paging };
}
