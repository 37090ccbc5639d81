/**
 * The batch job lifecycle: one closed union, one transition table.
 * Pending → Running → Succeeded | Failed | Stopped; a job can fail or be stopped before
 * it runs. A restart of the platform resumes a Running job in place (Running → Running).
 * Final states never change.
 */
import { FINAL_BATCH_STATES, type BatchState } from '../contracts/batch.js';

const NEXT: Record<BatchState, readonly BatchState[]> = {
  Pending: ['Running', 'Failed', 'Stopped'],
  Running: ['Succeeded', 'Failed', 'Stopped'],
  Succeeded: [],
  Failed: [],
  Stopped: [],
};

export function canMove(from: BatchState, to: BatchState): boolean {
  return from === to || NEXT[from].includes(to);
}

export function isFinal(s: BatchState): boolean {
  return FINAL_BATCH_STATES.includes(s);
}

/** The states a move to `to` may start from (the repo's guarded update uses it). */
export function sourcesOf(to: BatchState): BatchState[] {
  return (Object.keys(NEXT) as BatchState[]).filter((from) => canMove(from, to) && !isFinal(from));
}
