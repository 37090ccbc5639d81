/**
 * The OIP v2 gRPC data plane end to end: a real platform (its gRPC port on loopback), real
 * instances serving real models — the tiny ONNX model, SqueezeNet (FP16, a real photo) and
 * a Python (tiinfer) model — called by a client built from proto/grpc_predict_v2.proto.
 * The same routing, weights, auth, limits, access lines and metrics as REST; bad messages
 * get the gRPC status a client expects, with the modeldock code in the trailing metadata.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { status as Status } from '@grpc/grpc-js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floatsToHalf, halfToFloats } from '../src/contracts/fp16.js';
import { loadConfig } from '../src/config.js';
import { startPlatform, VERSION } from '../src/platform.js';
import { tinyInferBody, tinyOnnx } from './gateway-model.js';
import { FIXTURES, RANGES, squeezenetPackage } from './instance-harness.js';
import { fp32Of, InferenceClient, rawFp32 } from './support/grpc-client.js';
import { eventually } from './support/platform.js';
import { api, importFiles, platformWithTiny, running, tinyVersion, type ReliabilityPlatform } from './support/reliability.js';

let rp: ReliabilityPlatform;
let client: InferenceClient;
let token: string;
let limitedToken: string;

const filesOf = (dir: string): Record<string, Buffer> =>
  Object.fromEntries(
    fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => [path.relative(dir, path.join(e.parentPath, e.name)), fs.readFileSync(path.join(e.parentPath, e.name))]),
  );

const PY_MODEL = `import tiinfer

class Doubler(tiinfer.Model):
    def load(self):
        return True

    def predict(self, data):
        return {"y": [[v * 2 for v in row] for row in data["x"]]}
`;
const SIGNATURE = { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 4] }] };

beforeAll(async () => {
  rp = await platformWithTiny();
  await importFiles(rp.base, 'tiny', { 'model.onnx': tinyOnnx('Abs') });
  await importFiles(rp.base, 'classify', filesOf(squeezenetPackage()));
  await importFiles(
    rp.base,
    'doubler',
    { 'model_service.py': PY_MODEL, 'modeldock.json': JSON.stringify(SIGNATURE) },
    { format: 'custom', runtime: 'torch1.13-py311-cpu' },
  );
  const svc = (name: string, version: object, extra: object = {}) =>
    api(rp.base, 'POST', '/api/v1/services', { name, billingMode: 'postpaid', version, ...extra });
  await svc('tiny', tinyVersion());
  await svc('split', tinyVersion());
  await api(rp.base, 'POST', '/api/v1/services/split/versions', tinyVersion({ modelVersion: 'v2' }));
  await api(rp.base, 'PUT', '/api/v1/services/split/weights', {
    weights: [
      { version: 1, weight: 90 },
      { version: 2, weight: 10 },
    ],
  });
  await svc('secure', tinyVersion(), { auth: true });
  await svc('classify', tinyVersion({ model: 'classify', limits: { maxRequestsPerSecond: 2 } }));
  await svc('doubler', tinyVersion({ model: 'doubler' }));
  token = (await api(rp.base, 'POST', '/api/v1/services/secure/tokens', { name: 'grpc' })).body.token;
  limitedToken = (await api(rp.base, 'POST', '/api/v1/services/secure/tokens', { name: 'one a minute', limits: { perMinute: 1 } })).body.token;
  for (const name of ['tiny', 'split', 'secure', 'classify', 'doubler']) await running(rp.base, name, 120_000);
  expect(rp.p.grpcAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  client = new InferenceClient(rp.p.grpcAddress!);
}, 240_000);

afterAll(async () => {
  client?.close();
  await rp?.close();
});

const tinyInfer = (values: number[], extra: object = {}) => ({
  model_name: 'tiny',
  inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4] }],
  raw_input_contents: [rawFp32(values)],
  ...extra,
});

describe('gRPC port', () => {
  it('refuses to start on a gRPC port already taken, naming it', async () => {
    const taken = Number(rp.p.grpcAddress!.split(':').pop());
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-grpc-taken-'));
    const start = startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, grpcPort: taken, logLevel: 'silent' } }));
    await expect(start).rejects.toMatchObject({ code: 'EADDRINUSE', grpcAddress: `127.0.0.1:${taken}` });
  });
});

describe('gRPC: server and model calls', () => {
  it('answers ServerLive, ServerReady and ServerMetadata', async () => {
    expect((await client.call('ServerLive', {})).res).toEqual({ live: true });
    expect((await client.call('ServerReady', {})).res).toEqual({ ready: true });
    expect((await client.call('ServerMetadata', {})).res).toMatchObject({ name: 'modeldock', version: VERSION });
  });

  it('says a model and its versions are ready, and NOT_FOUND for one that does not exist', async () => {
    expect((await client.call('ModelReady', { name: 'tiny' })).res).toEqual({ ready: true });
    expect((await client.call('ModelReady', { name: 'split', version: '2' })).res).toEqual({ ready: true });
    const none = await client.call('ModelReady', { name: 'nope' });
    expect([none.code, none.trailer('modeldock-error-code')]).toEqual([Status.NOT_FOUND, 'SERVICE_NOT_FOUND']);
    const noVersion = await client.call('ModelReady', { name: 'tiny', version: '9' });
    expect([noVersion.code, noVersion.trailer('modeldock-error-code')]).toEqual([Status.NOT_FOUND, 'SERVICE_VERSION_NOT_FOUND']);
  });

  it('gives the model metadata the instance reports', async () => {
    const m = await client.call('ModelMetadata', { name: 'classify' });
    expect(m.res).toMatchObject({
      name: 'classify',
      inputs: [{ name: 'data_0', datatype: 'FP16', shape: [-1, 3, 224, 224] }],
      outputs: [{ name: 'softmaxout_1', datatype: 'FP16' }],
    });
  });

  it('infers with raw_input_contents → raw_output_contents, and with typed contents → typed contents', async () => {
    const raw = await client.call('ModelInfer', tinyInfer([-3, -1, 0.5, 4], { id: 'call-1' }));
    expect(raw.code).toBe(0);
    expect(raw.res).toMatchObject({ model_name: 'tiny', id: 'call-1', outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 4] }] });
    expect(fp32Of(raw.res.raw_output_contents[0])).toEqual([0, 0, 0.5, 4]);
    const typed = await client.call('ModelInfer', {
      model_name: 'tiny',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1, -2, 3, -4] } }],
    });
    expect(typed.code).toBe(0);
    expect(typed.res.raw_output_contents).toEqual([]);
    expect(typed.res.outputs[0].contents.fp32_contents).toEqual([1, 0, 3, 0]);
  });

  it('classifies a real photo with SqueezeNet from raw FP16 bytes', async () => {
    // the template's preprocessing (modeldock.json): 224×224 fill, BGR, NCHW, minus the mean
    const { data } = await sharp(path.join(FIXTURES, 'cat-kserve.jpg'))
      .resize(224, 224, { fit: 'fill' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const mean = [104, 117, 123];
    const chw = new Float32Array(3 * 224 * 224);
    for (let c = 0; c < 3; c++) for (let i = 0; i < 224 * 224; i++) chw[c * 224 * 224 + i] = data[i * 3 + (2 - c)]! - mean[c]!;
    const half = floatsToHalf(Array.from(chw));
    const r = await client.call('ModelInfer', {
      model_name: 'classify',
      inputs: [{ name: 'data_0', datatype: 'FP16', shape: [1, 3, 224, 224] }],
      raw_input_contents: [Buffer.from(half.buffer)],
    });
    expect(r.code).toBe(0);
    expect(r.res.outputs[0]).toMatchObject({ name: 'softmaxout_1', datatype: 'FP16', shape: [1, 1000, 1, 1] });
    const out = r.res.raw_output_contents[0] as Buffer;
    const probs = halfToFloats(new Uint16Array(new Uint8Array(out).buffer));
    const top = probs.indexOf(Math.max(...probs));
    expect(top).toBeGreaterThanOrEqual(RANGES.cat[0]);
    expect(top).toBeLessThanOrEqual(RANGES.cat[1]);
  });

  it('infers on a Python (tiinfer) model', async () => {
    const r = await client.call('ModelInfer', {
      model_name: 'doubler',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 4] }],
      raw_input_contents: [rawFp32([1, 2, 3, 4, -1, 0, 0.5, 8])],
    });
    expect(r.err?.details).toBeUndefined();
    expect(r.res.outputs[0]).toMatchObject({ name: 'y', datatype: 'FP32', shape: [2, 4] });
    expect(fp32Of(r.res.raw_output_contents[0])).toEqual([2, 4, 6, 8, -2, 0, 1, 16]);
  });
});

describe('gRPC: bad messages', () => {
  const expectStatus = async (req: object, code: Status, modeldockCode: string, message: RegExp, tok?: string) => {
    const r = await client.call('ModelInfer', req, tok);
    expect([r.code, r.trailer('modeldock-error-code')]).toEqual([code, modeldockCode]);
    expect(r.err!.details).toMatch(message);
  };

  it('INVALID_ARGUMENT for a wrong datatype, raw bytes that do not fit the shape, and typed contents of the wrong count', async () => {
    await expectStatus(
      { model_name: 'tiny', inputs: [{ name: 'x', datatype: 'INT32', shape: [1, 4] }], raw_input_contents: [Buffer.alloc(16)] },
      Status.INVALID_ARGUMENT,
      'INVALID_TENSOR',
      /must be FP32, got INT32/,
    );
    await expectStatus(
      { model_name: 'tiny', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4] }], raw_input_contents: [Buffer.alloc(12)] },
      Status.INVALID_ARGUMENT,
      'INVALID_TENSOR',
      /takes 16 bytes/,
    );
    await expectStatus(
      { model_name: 'tiny', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1, 2] } }] },
      Status.INVALID_ARGUMENT,
      'INVALID_TENSOR',
      /holds 4 values, contents.fp32_contents has 2/,
    );
    await expectStatus(
      { model_name: 'tiny', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], contents: { int_contents: [1, 2, 3, 4] } }] },
      Status.INVALID_ARGUMENT,
      'INVALID_TENSOR',
      /contents.fp32_contents, not contents.int_contents/,
    );
    await expectStatus(
      { model_name: 'tiny', inputs: [{ name: 'nope', datatype: 'FP32', shape: [1, 4] }], raw_input_contents: [Buffer.alloc(16)] },
      Status.INVALID_ARGUMENT,
      'INVALID_TENSOR',
      /no input "nope"/,
    );
  });

  it('RESOURCE_EXHAUSTED for a message over the body limit (8 MiB, as REST)', async () => {
    const big = Buffer.alloc(9 * 1024 * 1024);
    const r = await client.call('ModelInfer', {
      model_name: 'tiny',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [big.length / 16, 4] }],
      raw_input_contents: [big],
    });
    expect(r.code).toBe(Status.RESOURCE_EXHAUSTED);
  });

  it('NOT_FOUND for an unknown model or version', async () => {
    await expectStatus(tinyInfer([1, 2, 3, 4], { model_name: 'nope' }), Status.NOT_FOUND, 'SERVICE_NOT_FOUND', /"nope" does not exist/);
    await expectStatus(tinyInfer([1, 2, 3, 4], { model_version: '7' }), Status.NOT_FOUND, 'SERVICE_VERSION_NOT_FOUND', /no version 7/);
  });

  it('UNAUTHENTICATED without a token or with a wrong one; a valid one in the authorization metadata passes', async () => {
    const req = tinyInfer([1, 2, 3, 4], { model_name: 'secure' });
    await expectStatus(req, Status.UNAUTHENTICATED, 'UNAUTHENTICATED', /requires a token/);
    await expectStatus(req, Status.UNAUTHENTICATED, 'UNAUTHENTICATED', /not valid/, 'md_wrong');
    const ok = await client.call('ModelInfer', req, token);
    expect(ok.code).toBe(0);
    const meta = await client.call('ModelMetadata', { name: 'secure' });
    expect(meta.code).toBe(Status.UNAUTHENTICATED);
  });

  it("RESOURCE_EXHAUSTED over a token's limit and over the version's per-instance rate, with Retry-After", async () => {
    const req = tinyInfer([1, 2, 3, 4], { model_name: 'secure' });
    expect((await client.call('ModelInfer', req, limitedToken)).code).toBe(0);
    const over = await client.call('ModelInfer', req, limitedToken);
    expect([over.code, over.trailer('modeldock-error-code')]).toEqual([Status.RESOURCE_EXHAUSTED, 'RATE_LIMITED']);
    expect(Number(over.trailer('retry-after'))).toBeGreaterThan(0);
    // classify: at most 2 calls a second per instance (metadata calls count, as over REST)
    const burst = await Promise.all(Array.from({ length: 8 }, () => client.call('ModelMetadata', { name: 'classify' })));
    const limited = burst.filter((r) => r.code === Status.RESOURCE_EXHAUSTED);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.err!.details).toMatch(/per-instance limit of requests per second/);
    expect(burst.every((r) => r.code === 0 || r.code === Status.RESOURCE_EXHAUSTED)).toBe(true);
  });
});

describe('gRPC and REST share the gateway', () => {
  it('splits calls by the version weights across both transports (9 of 10 to v1)', async () => {
    const served: string[] = [];
    for (let i = 0; i < 10; i++) {
      let first: number;
      if (i % 2 === 0) {
        const r = await client.call('ModelInfer', { ...tinyInfer([-1, 0, 0, 0]), model_name: 'split' });
        first = fp32Of(r.res.raw_output_contents[0])[0]!;
      } else {
        const r = await fetch(`${rp.base}/v2/models/split/infer`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: tinyInferBody([-1, 0, 0, 0]),
        });
        first = ((await r.json()) as { outputs: { data: number[] }[] }).outputs[0]!.data[0]!;
      }
      served.push(first === 0 ? 'v1' : 'v2');
    }
    expect(served.filter((s) => s === 'v2')).toHaveLength(1);
    // one version by the request's model_version, or by x-modeldock-version metadata as REST's header
    const first = async (extra: object, md?: Record<string, string>) =>
      fp32Of((await client.call('ModelInfer', { ...tinyInfer([-1, 0, 0, 0]), model_name: 'split', ...extra }, undefined, md)).res.raw_output_contents[0])[0];
    for (let i = 0; i < 3; i++)
      expect([await first({ model_version: '2' }), await first({}, { 'x-modeldock-version': '2' }), await first({ model_version: 'v1' })]).toEqual([1, 1, 0]);
  });

  it('writes an access line and counts the call in the metrics like a REST call', async () => {
    const count = async () => {
      const text = await (await fetch(`${rp.base}/metrics`)).text();
      return text
        .split('\n')
        .filter((l) => l.startsWith('modeldock_requests_total{') && l.includes('service="tiny"'))
        .reduce((a, l) => a + Number(l.split(' ').pop()), 0);
    };
    const before = await count();
    for (let i = 0; i < 3; i++) expect((await client.call('ModelInfer', tinyInfer([1, 2, 3, 4]))).code).toBe(0);
    await eventually(async () => (await count()) >= before + 3, 10_000, 'three more calls counted');
    const lines = (await api(rp.base, 'GET', '/api/v1/services/tiny/logs?keyword=GRPC')).body.items.map((l: { line: string }) => l.line);
    expect(lines.some((l: string) => /^GRPC \/inference\.GRPCInferenceService\/ModelInfer 200 /.test(l))).toBe(true);
    expect(lines.some((l: string) => /^GRPC \/inference\.GRPCInferenceService\/ModelInfer 400 /.test(l))).toBe(true);
  });

  it('UNAVAILABLE with Retry-After for a stopped service, whose ModelReady says false', async () => {
    await api(rp.base, 'POST', '/api/v1/services/tiny/actions', { action: 'stop' });
    await eventually(async () => (await client.call('ModelReady', { name: 'tiny' })).res?.ready === false, 30_000, 'tiny not ready');
    const r = await client.call('ModelInfer', tinyInfer([1, 2, 3, 4]));
    expect([r.code, r.trailer('modeldock-error-code'), r.trailer('retry-after')]).toEqual([Status.UNAVAILABLE, 'UNAVAILABLE', '30']);
  });
});
