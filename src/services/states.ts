/**
 * Service and version states (DESIGN.md §2) derived from desired vs. observed state.
 * Pure functions, tested in states.test.ts.
 */
import type { ServiceState } from '../contracts/services.js';

export interface VersionView {
  desired: 'running' | 'stopped' | 'deleted';
  desiredInstances: number;
  /** ready instances running the current spec */
  readyCurrent: number;
  /** live instances running an older spec (a rolling update in progress) */
  stale: number;
  /** live instances of any spec */
  alive: number;
  failed?: string;
  /** what the version waits for before its instances can start (a Python environment being built) */
  waiting?: string;
  previous: ServiceState;
}

export function versionState(v: VersionView): { status: ServiceState; reason: string | null } {
  if (v.desired === 'deleted') return { status: 'Deleting', reason: null };
  if (v.failed) return { status: 'Failed', reason: v.failed };
  if (v.desired === 'stopped') return v.alive > 0 ? { status: 'Stopping', reason: null } : { status: 'Stopped', reason: null };
  const settled = v.readyCurrent >= v.desiredInstances && v.stale === 0 && v.alive <= v.desiredInstances;
  if (settled) return { status: 'Running', reason: null };
  const wasUp = v.previous === 'Running' || v.previous === 'Updating';
  return { status: wasUp ? 'Updating' : 'Creating', reason: v.waiting ?? null };
}

const PRIORITY: ServiceState[] = ['Deleting', 'Stopping', 'Stopped', 'Creating', 'Updating', 'Running'];

/**
 * A service's state from its versions': Failed when every version that takes traffic
 * failed; otherwise the most "in progress" of them.
 */
export function serviceState(versions: { status: ServiceState; reason: string | null; weight: number }[]): { status: ServiceState; reason: string | null } {
  if (!versions.length) return { status: 'Failed', reason: 'the service has no versions' };
  const serving = versions.filter((v) => v.weight > 0);
  const considered = serving.length ? serving : versions;
  const failed = considered.filter((v) => v.status === 'Failed');
  if (failed.length === considered.length) return { status: 'Failed', reason: failed[0]!.reason };
  const live = considered.filter((v) => v.status !== 'Failed');
  for (const s of PRIORITY) {
    const hit = live.find((v) => v.status === s);
    if (hit) return { status: s, reason: failed.length ? `a version failed: ${failed[0]!.reason}` : hit.reason };
  }
  return { status: 'Running', reason: null };
}
