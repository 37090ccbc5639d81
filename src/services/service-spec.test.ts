import { describe, expect, it } from 'vitest';
import type { ServiceVersionSpec } from '../contracts/services.js';
import { specHash, type InstanceShape } from './service-spec.js';

const spec: ServiceVersionSpec = {
  model: 'm',
  modelVersion: 'v1',
  resources: { cpuMillicores: 500, memoryMiB: 256 },
  scaling: { mode: 'manual', instances: 1 },
  env: { A: '1' },
};
const shape: InstanceShape = { model: 'm', modelVersion: 1, runtime: 'onnx', spec };

describe('specHash', () => {
  it('stays the value running instances and pods already carry (a change would restart them all)', () => {
    expect(specHash(shape)).toBe('d4332d4ca4ecd30f');
  });

  it('ignores what changes without a restart: scaling, limits, log delivery, rollout', () => {
    const tuned: ServiceVersionSpec = {
      ...spec,
      scaling: { mode: 'manual', instances: 5 },
      limits: { maxConcurrency: 2 },
      logDelivery: { type: 'off' },
      rollingUpdate: { maxSurge: 2, maxUnavailable: 1 },
    };
    expect(specHash({ ...shape, spec: tuned })).toBe(specHash(shape));
  });

  it('changes with the model version, runtime, resources or env', () => {
    const others = [
      { ...shape, modelVersion: 2 },
      { ...shape, runtime: 'python' },
      { ...shape, spec: { ...spec, resources: { cpuMillicores: 1000, memoryMiB: 256 } } },
      { ...shape, spec: { ...spec, env: { A: '2' } } },
    ];
    for (const o of others) expect(specHash(o)).not.toBe(specHash(shape));
  });
});
