/**
 * The task run lifecycle (DESIGN.md §2, issue #5): one closed union, one transition table.
 * Pending → Starting → Running → Succeeded | Failed | Stopped; a run can fail or be
 * stopped from any state before it ends. Final states never change.
 */
import { FINAL_TASK_STATES, type TaskState } from '../contracts/tasks.js';

const NEXT: Record<TaskState, readonly TaskState[]> = {
  Pending: ['Starting', 'Failed', 'Stopped'],
  Starting: ['Running', 'Failed', 'Stopped'],
  Running: ['Succeeded', 'Failed', 'Stopped'],
  Succeeded: [],
  Failed: [],
  Stopped: [],
};

export function canMove(from: TaskState, to: TaskState): boolean {
  return from === to || NEXT[from].includes(to);
}

export function isFinal(s: TaskState): boolean {
  return FINAL_TASK_STATES.includes(s);
}

/** States in which a run holds (or is about to hold) a process. */
export function isActive(s: TaskState): boolean {
  return !isFinal(s);
}
