import { describe, expect, it } from 'vitest';
import { serviceState, versionState, type VersionView } from './states.js';

const base: VersionView = { desired: 'running', desiredInstances: 2, readyCurrent: 0, stale: 0, alive: 0, previous: 'Creating' };

describe('versionState', () => {
  it('goes Creating → Running as instances become ready', () => {
    expect(versionState({ ...base, alive: 2, readyCurrent: 1 }).status).toBe('Creating');
    expect(versionState({ ...base, alive: 2, readyCurrent: 2 }).status).toBe('Running');
  });
  it('is Updating while a running version scales or rolls', () => {
    expect(versionState({ ...base, previous: 'Running', desiredInstances: 3, alive: 3, readyCurrent: 2 }).status).toBe('Updating');
    expect(versionState({ ...base, previous: 'Running', alive: 3, readyCurrent: 2, stale: 1 }).status).toBe('Updating');
  });
  it('is Stopping until the last instance is gone, then Stopped', () => {
    expect(versionState({ ...base, desired: 'stopped', alive: 1 }).status).toBe('Stopping');
    expect(versionState({ ...base, desired: 'stopped', alive: 0 }).status).toBe('Stopped');
  });
  it('reports Failed with the reason, and Deleting above all', () => {
    expect(versionState({ ...base, failed: 'model load failed: boom' })).toEqual({ status: 'Failed', reason: 'model load failed: boom' });
    expect(versionState({ ...base, desired: 'deleted', failed: 'x' }).status).toBe('Deleting');
  });
  it('says what a version waits for while it cannot start instances (its Python environment)', () => {
    expect(versionState({ ...base, waiting: 'installing requirements' })).toEqual({ status: 'Creating', reason: 'installing requirements' });
    expect(serviceState([{ status: 'Creating', reason: 'installing requirements', weight: 100 }])).toEqual({
      status: 'Creating',
      reason: 'installing requirements',
    });
  });
  it('counts a version scaled to zero as Running', () => {
    expect(versionState({ ...base, desiredInstances: 0 }).status).toBe('Running');
  });
});

describe('serviceState', () => {
  it('is Failed only when every serving version failed', () => {
    expect(serviceState([{ status: 'Failed', reason: 'r', weight: 100 }])).toEqual({ status: 'Failed', reason: 'r' });
    const mixed = serviceState([
      { status: 'Failed', reason: 'r', weight: 10 },
      { status: 'Running', reason: null, weight: 90 },
    ]);
    expect(mixed.status).toBe('Running');
    expect(mixed.reason).toContain('r');
  });
  it('shows the most in-progress state', () => {
    expect(
      serviceState([
        { status: 'Running', reason: null, weight: 50 },
        { status: 'Creating', reason: null, weight: 50 },
      ]).status,
    ).toBe('Creating');
    expect(
      serviceState([
        { status: 'Running', reason: null, weight: 50 },
        { status: 'Updating', reason: null, weight: 0 },
      ]).status,
    ).toBe('Running');
  });
});
