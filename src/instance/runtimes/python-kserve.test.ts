/**
 * The Python runtime on a KServe custom predictor (examples/kserve-custom/model.py, as
 * KServe's docs write one) through the shared Runtime contract, and its OIP v2 side:
 * requests handed whole to the model, metadata from its get_input_types/get_output_types.
 * The journey through an instance and the gateway is test/python-kserve.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeContract } from '../runtime.contract.js';
import { createPythonRuntime, PythonRuntime } from './python-runtime.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/kserve-custom/', import.meta.url));

runtimeContract({
  name: 'python (KServe model.py, unchanged)',
  create: () => createPythonRuntime(),
  modelDir: () => EXAMPLE,
  tensors: false,
  bodies: [
    { instances: [[1, 2, 3, 4]] },
    {
      instances: [
        [0, 0, 0, 0],
        [2, 0, 0, 0],
      ],
    },
  ],
  badBody: { instances: [[1, 2]] },
  check: (b, r) => {
    const rows = (b as { instances: number[][] }).instances;
    expect((r as { predictions: number[][] }).predictions).toHaveLength(rows.length);
  },
});

describe('python runtime: a KServe model.py over OIP v2', () => {
  const rt = new PythonRuntime();
  beforeAll(
    () => rt.load({ modelDir: EXAMPLE, modelName: 'scorer', env: process.env as Record<string, string>, threads: 1, maxBatchSize: 1, log: () => undefined }),
    60_000,
  );
  afterAll(() => rt.close());

  it('is a KServe package with the signature its model gives', () => {
    expect(rt.kind).toBe('kserve');
    expect(rt.metadata()).toMatchObject({
      name: 'scorer',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'scores', datatype: 'FP32', shape: [-1, 3] }],
    });
  });

  it("hands a v2 request to predict as an InferRequest and answers its InferResponse (the model named by model_server.parser's default)", async () => {
    const [resp] = await rt.inferRequests!([{ id: 'a', inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [2, 2, 2, 2] }] }]);
    expect(resp).toMatchObject({ model_name: 'model', outputs: [{ name: 'scores', shape: [1, 3], datatype: 'FP32', data: [2, 3, 3] }] });
  });
});
