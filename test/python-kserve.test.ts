/**
 * KServe custom predictors on the Python runtime, unchanged: examples/kserve-custom (a
 * model.py written the way KServe's custom-model docs write one: a kserve.Model subclass,
 * argparse over model_server.parser, ModelServer().start([model]) under __main__) and an
 * async variant, each in a real `modeldock instance` behind the gateway, called over
 * KServe v1 (`{"instances"}` → `{"predictions"}`) and OIP v2 infer (InferRequest →
 * InferResponse). Also a TI-ONE model_service.py answering OIP v2 tensors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packBinary, unpackBinary } from '../src/instance/binary-tensors.js';
import { PythonRuntime } from '../src/instance/runtimes/python-runtime.js';
import { call, MemoryDirectory, startGateway, startInstance, version, type InstanceProcess, type TestGateway } from './gateway-harness.js';
import { packageWith, tempDir } from './instance-harness.js';

const EXAMPLE = fileURLToPath(new URL('../examples/kserve-custom/', import.meta.url));
const TORCH = 'torch1.13-py311-cpu';

/** The same scorer with async stages, an older-KServe argparse (its own --model_name) and plain arrays out. */
const ASYNC_MODEL = `import argparse
import asyncio
import json

import numpy as np
import kserve
from kserve import InferRequest, Model, ModelServer, model_server


class AsyncScorer(Model):
    def __init__(self, name: str):
        super().__init__(name)
        self.ready = False

    def load(self):
        with open("weights.json") as f:
            w = json.load(f)
        self.weight = np.asarray(w["weight"], dtype=np.float32)
        self.bias = np.asarray(w["bias"], dtype=np.float32)
        self.ready = True

    async def preprocess(self, payload, headers=None):
        await asyncio.sleep(0)
        if isinstance(payload, InferRequest):
            return payload.inputs[0].as_numpy()
        return np.asarray(payload["instances"], dtype=np.float32)

    async def predict(self, features, headers=None):
        await asyncio.sleep(0)
        return features @ self.weight.T + self.bias

    async def postprocess(self, result, headers=None):
        return result


parser = argparse.ArgumentParser(parents=[model_server.parser])
parser.add_argument("--model_name", default="async-scorer", help="The name that the model is served under.")
args, _ = parser.parse_known_args()

if __name__ == "__main__":
    model = AsyncScorer(args.model_name)
    model.load()
    ModelServer(workers=1).start([model])
`;

/** A TI-ONE model_service.py: OIP v2 tensors reach it as {"x": nested rows}. */
const TIONE_SUM = `import tiinfer


class RowSum(tiinfer.Model):
    def load(self):
        return True

    def predict(self, request):
        return {"sum": [sum(row) for row in request["x"]], "label": ["big" if sum(row) > 5 else "small" for row in request["x"]]}
`;

const ROWS = [
  [1, 2, 3, 4],
  [0, 0, 0, 0],
];
// weights.json: rows [1,0,0,0], [0,1,0,0], [.5,.5,.5,.5]; bias [0, 1, -1]
const SCORES = [
  [1, 3, 4],
  [0, 1, -1],
];
const v2Body = (rows: number[][]) =>
  JSON.stringify({ id: 'req-1', inputs: [{ name: 'features', shape: [rows.length, 4], datatype: 'FP32', data: rows.flat() }] });

const instances: InstanceProcess[] = [];
let gw: TestGateway;
const dir = new MemoryDirectory();

async function serve(name: string, pkg: string): Promise<void> {
  const i = await startInstance(pkg, name, TORCH);
  instances.push(i);
  dir.set({ name, auth: false, stopped: false, versions: [version(`${name}-v1`, 1, 100, [i.url])] });
}

beforeAll(async () => {
  const asyncPkg = tempDir();
  fs.writeFileSync(path.join(asyncPkg, 'model.py'), ASYNC_MODEL);
  fs.copyFileSync(path.join(EXAMPLE, 'weights.json'), path.join(asyncPkg, 'weights.json'));
  gw = await startGateway(dir);
  await Promise.all([serve('scorer', EXAMPLE), serve('async-scorer', asyncPkg), serve('rowsum', packageWith({ 'model_service.py': TIONE_SUM }))]);
}, 120_000);
afterAll(async () => {
  await gw?.close();
  for (const i of instances) await i.close();
});

describe('a KServe custom predictor, unchanged (examples/kserve-custom)', () => {
  it("answers KServe v1 :predict with predictions, at the TI-ONE path and at KServe's /v1/models/{name}:predict", async () => {
    for (const url of [`${gw.url}/scorer/v1/models/m:predict`, `${gw.url}/v1/models/scorer:predict`]) {
      const r = await call(url, { body: JSON.stringify({ instances: ROWS }) });
      expect(r.status, r.text).toBe(200);
      expect(r.json()).toEqual({ predictions: SCORES });
    }
  });

  it('answers OIP v2 infer with its InferResponse (the output it names, FP32, the request id)', async () => {
    const r = await call(`${gw.url}/v2/models/scorer/infer`, { body: v2Body(ROWS) });
    expect(r.status, r.text).toBe(200);
    const body = r.json();
    expect(body.model_name).toBe('scorer');
    expect(body.id).toBe('req-1');
    expect(body.outputs).toEqual([{ name: 'scores', datatype: 'FP32', shape: [2, 3], data: SCORES.flat() }]);
  });

  it('takes and gives binary tensors (Inference-Header-Content-Length) like any other model', async () => {
    const x = Float32Array.from(ROWS.flat());
    const p = packBinary(
      {
        inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', parameters: { binary_data_size: x.byteLength } }],
        outputs: [{ name: 'scores', parameters: { binary_data: true } }],
      },
      [new Uint8Array(x.buffer)],
    );
    const r = await request(`${gw.url}/v2/models/scorer/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': p.headerLength },
      body: p.body,
    });
    const body = Buffer.from(await r.body.arrayBuffer());
    expect(r.statusCode, body.toString()).toBe(200);
    const back = unpackBinary(body, String(r.headers['inference-header-content-length']));
    expect(back.json.outputs).toEqual([{ name: 'scores', datatype: 'FP32', shape: [2, 3], parameters: { binary_data_size: 24 } }]);
    expect(Array.from(new Float32Array(new Uint8Array(back.bytes.scores!).buffer))).toEqual(SCORES.flat());
  });

  it('reports the inputs and outputs its get_input_types / get_output_types give', async () => {
    const r = await call(`${gw.url}/v2/models/scorer`);
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({
      name: 'scorer',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'scores', datatype: 'FP32', shape: [-1, 3] }],
    });
    const ready = await call(`${gw.url}/v2/models/scorer/versions/1/ready`);
    expect([ready.status, ready.json().ready]).toEqual([200, true]);
  });

  it("answers 400 with the model's reason when it raises kserve.errors.InvalidInput, and checks v2 inputs against its signature", async () => {
    const v1 = await call(`${gw.url}/scorer/v1/models/m:predict`, { body: JSON.stringify({ instances: [[1, 2, 3]] }) });
    expect(v1.status).toBe(400);
    expect(v1.json().error).toMatchObject({ code: 'INVALID_INPUT', message: 'expected rows of 4 features, got shape [1, 3]' });
    const v2 = await call(`${gw.url}/v2/models/scorer/infer`, {
      body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }),
    });
    expect(v2.status).toBe(400);
    expect(v2.json()).toMatchObject({ code: 'INVALID_TENSOR' });
    expect(v2.json().error).toMatch(/no input "x"/);
  });
});

describe('an async KServe predictor (async preprocess / predict / postprocess, numpy out)', () => {
  it('answers v1 with predictions and v2 with output-0, as KServe wraps a plain array', async () => {
    const v1 = await call(`${gw.url}/async-scorer/v1/models/m:predict`, { body: JSON.stringify({ instances: ROWS }) });
    expect(v1.status, v1.text).toBe(200);
    expect(v1.json()).toEqual({ predictions: SCORES });
    const v2 = await call(`${gw.url}/v2/models/async-scorer/infer`, { body: v2Body(ROWS) });
    expect(v2.status, v2.text).toBe(200);
    expect(v2.json().outputs).toEqual([{ name: 'output-0', datatype: 'FP32', shape: [2, 3], data: SCORES.flat() }]);
  });
});

describe('a TI-ONE model_service.py over OIP v2', () => {
  it('gets the tensors by name as nested rows and answers its JSON as output tensors', async () => {
    const body = JSON.stringify({ inputs: [{ name: 'x', shape: [2, 3], datatype: 'INT64', data: [1, 2, 3, 0, 1, 0] }] });
    const r = await call(`${gw.url}/v2/models/rowsum/infer`, { body });
    expect(r.status, r.text).toBe(200);
    expect(r.json().outputs).toEqual([
      { name: 'sum', datatype: 'FP64', shape: [2], data: [6, 1] },
      { name: 'label', datatype: 'BYTES', shape: [2], data: ['big', 'small'] },
    ]);
  });
});

describe('KServe packages that cannot serve', () => {
  const load = (files: Record<string, string>) =>
    new PythonRuntime().load({
      modelDir: packageWith(files),
      modelName: 'm',
      env: process.env as Record<string, string>,
      threads: 1,
      maxBatchSize: 1,
      log: () => undefined,
    });

  it('fails the load with a reason when model.py never calls ModelServer().start', async () => {
    await expect(load({ 'model.py': 'import kserve\nclass M(kserve.Model):\n    pass\n' })).rejects.toThrow(
      /without calling kserve.ModelServer\(\).start\(\[model\]\)/,
    );
  });

  it('fails the load when the model is still not ready after load()', async () => {
    const src =
      'import kserve\nclass M(kserve.Model):\n    def load(self):\n        self.ready = False\n\nif __name__ == "__main__":\n    kserve.ModelServer().start([M("m")])\n';
    await expect(load({ 'model.py': src })).rejects.toThrow(/ready is still False after load\(\)/);
  });
});
