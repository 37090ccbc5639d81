/**
 * The console's call page offers a body that works for the service's kind of package, in
 * Debian's chromium on a real platform: a plain ONNX model gets an OIP v2 tensor body shaped
 * as its inputs (not {"images": …}) sent to /v2/models/{name}/infer; a KServe model.py
 * (examples/kserve-custom) gets KServe v1 {"instances": …} and, one click away, OIP v2.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import { tinyReluOnnx } from './gateway-model.js';
import { openConsole, type ConsoleBrowser } from './support/browser.js';
import { multipart } from './support/multipart.js';
import { InferenceClient } from './support/grpc-client.js';
import { eventually } from './support/platform.js';

// browser-side predicates (page.waitForFunction) see the page's document
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const KSERVE = fileURLToPath(new URL('../examples/kserve-custom/', import.meta.url));
let p: Platform;
let b: ConsoleBrowser;
let page: Page;

async function importModel(name: string, runtime: string, format: string, files: { filename: string; data: Buffer }[]): Promise<void> {
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format, runtime, createModel: true }) },
    ...files.map((f) => ({ name: 'f', ...f })),
  ]);
  const r = await fetch(`${p.url}/api/v1/models/${name}/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
  expect(r.status, await r.text()).toBe(202);
  await eventually(
    async () => ((await (await fetch(`${p.url}/api/v1/models/${name}/versions/v1`)).json()) as { status: string }).status === 'ready',
    30_000,
    `${name} v1 ready`,
  );
}

async function deploy(name: string, model: string): Promise<void> {
  const version = { model, modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 1024 }, scaling: { mode: 'manual', instances: 1 } };
  const r = await fetch(`${p.url}/api/v1/services`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, version }),
  });
  expect(r.status, await r.text()).toBe(202);
  await eventually(
    async () => ((await (await fetch(`${p.url}/api/v1/services/${name}`)).json()) as { status: string }).status === 'Running',
    60_000,
    `${name} Running`,
  );
}

/** Sends the body and waits for a new answer (the page may still show the one before). */
async function sendAndRead(): Promise<{ status: string; body: any }> {
  const before = (await page.getByTestId('answer-body').count()) ? await page.getByTestId('answer-body').textContent() : null;
  await page.getByRole('button', { name: 'Send' }).click();
  await page.waitForFunction((prev) => {
    const text = document.querySelector('[data-testid="answer-body"]')?.textContent;
    return text !== undefined && text !== null && text !== prev;
  }, before);
  return {
    status: (await page.getByTestId('answer-status').textContent()) ?? '',
    body: JSON.parse((await page.getByTestId('answer-body').textContent()) ?? 'null'),
  };
}

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-console-call-'));
  p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent' } }), { reconcilePeriodMs: 200 });
  await importModel('tiny', 'onnxruntime1.30-node20-cpu', 'onnx', [{ filename: 'model.onnx', data: tinyReluOnnx() }]);
  await importModel(
    'scorer',
    'torch1.13-py311-cpu',
    'custom',
    ['model.py', 'weights.json', 'requirements.txt'].map((f) => ({ filename: f, data: fs.readFileSync(path.join(KSERVE, f)) })),
  );
  await Promise.all([deploy('plain', 'tiny'), deploy('kscorer', 'scorer')]);
  b = await openConsole(p.url);
  page = b.page;
}, 180_000);

afterAll(async () => {
  await b?.close();
  await p?.close();
});

describe('console: the call page example for each kind of package', () => {
  it("plain ONNX: an OIP v2 tensor body of the model's inputs, sent to /v2/models/{name}/infer, answers 200", async () => {
    await page.goto('/services/plain/call');
    const body = page.locator('textarea.code');
    await body.waitFor();
    expect(JSON.parse(await body.inputValue())).toEqual({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [0, 0, 0, 0] }] });
    expect(await page.getByTestId('test-url').textContent()).toBe('/v2/models/plain/infer');
    expect(await page.getByTestId('pick-image').count()).toBe(0);
    await body.fill(JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [-2, 0, 1.5, 3] }] }));
    const answer = await sendAndRead();
    expect(answer.status).toMatch(/^200/);
    expect(answer.body.outputs[0]).toMatchObject({ name: 'y', shape: [1, 4], data: [0, 0, 1.5, 3] });
    await b.shot('call-plain-onnx');
  }, 60_000);

  it('shows the gRPC address and a grpcurl example whose message the gRPC port answers', async () => {
    await page.goto('/services/plain/call');
    await page.getByTestId('call-grpc-address').waitFor();
    expect(await page.getByTestId('call-grpc-address').textContent()).toBe(p.grpcAddress);
    const grpcurl = (await page.getByTestId('call-grpcurl').textContent()) ?? '';
    expect(grpcurl).toContain(`${p.grpcAddress} inference.GRPCInferenceService/ModelInfer`);
    expect(await page.getByTestId('call-grpc-python').textContent()).toContain(`InferenceServerClient("${p.grpcAddress}")`);
    // the -d message, sent as grpcurl would send it
    const message = JSON.parse(/-d '([^']*)'/.exec(grpcurl)![1]!) as object;
    const client = new InferenceClient(p.grpcAddress!);
    try {
      const a = await client.call('ModelInfer', message);
      expect(a.code, a.err?.message).toBe(0);
      expect(a.res.outputs[0]).toMatchObject({ name: 'y', shape: [1, 4], contents: { fp32_contents: [0, 0, 0, 0] } });
    } finally {
      client.close();
    }
    await page.evaluate("localStorage.setItem('modeldock.lang', 'zh')");
    await page.reload();
    await page.getByText('gRPC 示例（grpcurl）').waitFor();
    await page.evaluate("localStorage.setItem('modeldock.lang', 'en')");
  }, 60_000);

  it('KServe model.py: KServe v1 instances first, OIP v2 one click away, both answered', async () => {
    await page.goto('/services/kscorer/call');
    const body = page.locator('textarea.code');
    await body.waitFor();
    expect(await page.getByTestId('test-url').textContent()).toBe('/v1/models/kscorer:predict');
    expect(JSON.parse(await body.inputValue())).toEqual({ instances: [[0, 0, 0, 0]] });
    await body.fill('{"instances": [[1, 2, 3, 4]]}');
    const v1 = await sendAndRead();
    expect([v1.status.slice(0, 3), v1.body]).toEqual(['200', { predictions: [[1, 3, 4]] }]);

    await page.getByTestId('example-oip-v2').click();
    expect(await page.getByTestId('test-url').textContent()).toBe('/v2/models/kscorer/infer');
    expect(JSON.parse(await body.inputValue())).toEqual({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [0, 0, 0, 0] }] });
    const v2 = await sendAndRead();
    expect(v2.status).toMatch(/^200/);
    expect(v2.body.outputs).toEqual([{ name: 'scores', datatype: 'FP32', shape: [1, 3], data: [0, 1, -1] }]);
    await b.shot('call-kserve');
  }, 60_000);
});
