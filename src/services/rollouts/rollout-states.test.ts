import { describe, expect, it } from 'vitest';
import { ROLLOUT_PHASES } from '../../contracts/rollouts.js';
import { canMove, isFinished, move } from './rollout-states.js';

describe('rollout transitions', () => {
  it('run Pending → Progressing ⇄ Paused → a finished state, which never changes', () => {
    expect(canMove('Pending', 'Progressing')).toBe(true);
    expect(canMove('Progressing', 'Paused')).toBe(true);
    expect(canMove('Paused', 'Progressing')).toBe(true);
    for (const to of ['Promoted', 'RolledBack', 'Aborted'] as const)
      for (const from of ['Pending', 'Progressing', 'Paused'] as const) expect(canMove(from, to)).toBe(true);
    for (const from of ['Promoted', 'RolledBack', 'Aborted'] as const) {
      expect(isFinished(from)).toBe(true);
      for (const to of ROLLOUT_PHASES) expect(canMove(from, to)).toBe(to === from);
    }
    expect(canMove('Progressing', 'Pending')).toBe(false);
    expect(() => move('Promoted', 'Progressing')).toThrow(/Promoted to Progressing/);
  });
});
