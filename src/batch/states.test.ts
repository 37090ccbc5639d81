import { describe, expect, it } from 'vitest';
import { BATCH_STATES } from '../contracts/batch.js';
import { canMove, isFinal, sourcesOf } from './states.js';

describe('batch job states', () => {
  it('moves forward through the lifecycle, and resumes Running in place', () => {
    expect(canMove('Pending', 'Running')).toBe(true);
    expect(canMove('Running', 'Running')).toBe(true);
    expect(canMove('Running', 'Succeeded')).toBe(true);
  });

  it('can fail or stop before it ends, but not succeed without running', () => {
    for (const s of ['Pending', 'Running'] as const) {
      expect(canMove(s, 'Failed')).toBe(true);
      expect(canMove(s, 'Stopped')).toBe(true);
    }
    expect(canMove('Pending', 'Succeeded')).toBe(false);
    expect(canMove('Running', 'Pending')).toBe(false);
  });

  it('never leaves a final state', () => {
    for (const f of ['Succeeded', 'Failed', 'Stopped'] as const) {
      expect(isFinal(f)).toBe(true);
      for (const s of BATCH_STATES) expect(canMove(f, s)).toBe(s === f);
    }
    expect(BATCH_STATES.filter((s) => !isFinal(s))).toEqual(['Pending', 'Running']);
  });

  it('names the states each move may start from', () => {
    expect(sourcesOf('Running')).toEqual(['Pending', 'Running']);
    expect(sourcesOf('Succeeded')).toEqual(['Running']);
    expect(sourcesOf('Stopped')).toEqual(['Pending', 'Running']);
  });
});
