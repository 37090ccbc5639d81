import { describe, expect, it } from 'vitest';
import { TASK_STATES } from '../contracts/tasks.js';
import { canMove, isActive, isFinal } from './states.js';

describe('task run states', () => {
  it('moves forward through the lifecycle', () => {
    expect(canMove('Pending', 'Starting')).toBe(true);
    expect(canMove('Starting', 'Running')).toBe(true);
    expect(canMove('Running', 'Succeeded')).toBe(true);
  });

  it('can fail or stop before it ends, but not succeed without running', () => {
    for (const s of ['Pending', 'Starting', 'Running'] as const) {
      expect(canMove(s, 'Failed')).toBe(true);
      expect(canMove(s, 'Stopped')).toBe(true);
    }
    expect(canMove('Pending', 'Succeeded')).toBe(false);
    expect(canMove('Starting', 'Succeeded')).toBe(false);
    expect(canMove('Running', 'Pending')).toBe(false);
  });

  it('never leaves a final state', () => {
    for (const f of ['Succeeded', 'Failed', 'Stopped'] as const) {
      expect(isFinal(f)).toBe(true);
      for (const s of TASK_STATES) expect(canMove(f, s)).toBe(s === f);
    }
    expect(TASK_STATES.filter(isActive)).toEqual(['Pending', 'Starting', 'Running']);
  });
});
