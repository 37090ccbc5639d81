/**
 * The rollout lifecycle (docs/rollout.md has the diagram): one closed union, one
 * transition table. Pending (the target starts) → Progressing (steps) ⇄ Paused, and from
 * any of those to Promoted, RolledBack (a guardrail tripped, or the target failed) or
 * Aborted (by hand, or a version of the pair was removed). Finished states never change.
 */
import { FINISHED_PHASES, type RolloutPhase } from '../../contracts/rollouts.js';

const NEXT: Record<RolloutPhase, readonly RolloutPhase[]> = {
  Pending: ['Progressing', 'Paused', 'Promoted', 'RolledBack', 'Aborted'],
  Progressing: ['Paused', 'Promoted', 'RolledBack', 'Aborted'],
  Paused: ['Progressing', 'Pending', 'Promoted', 'RolledBack', 'Aborted'],
  Promoted: [],
  RolledBack: [],
  Aborted: [],
};

export function canMove(from: RolloutPhase, to: RolloutPhase): boolean {
  return from === to || NEXT[from].includes(to);
}

export function isFinished(p: RolloutPhase): boolean {
  return FINISHED_PHASES.includes(p);
}

/** Throws on a move the table does not allow (a bug in the controller, never user input). */
export function move(from: RolloutPhase, to: RolloutPhase): RolloutPhase {
  if (!canMove(from, to)) throw new Error(`rollout cannot go from ${from} to ${to}`);
  return to;
}
