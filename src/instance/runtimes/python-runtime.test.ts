/**
 * The Python runtime on real /usr/bin/python3 workers: the shared Runtime contract on a
 * model_service.py written as TI-ONE documents it, and TI-ONE's behaviours (batching,
 * worker processes, separate pre/postprocess processes, errors, restarts, requirements).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, fixtureServer, packageWith } from '../../../test/instance-harness.js';
import { DomainError } from '../../contracts/errors.js';
import type { LoadContext } from '../runtime.js';
import { runtimeContract } from '../runtime.contract.js';
import { createPythonRuntime, PythonRuntime } from './python-runtime.js';

/** A model_service.py as TI-ONE's docs write one (logging set up on stdout, load() -> bool, files read from the working directory). */
const TIONE_ADDER = `from typing import Dict
import tiinfer

import logging
import sys
logger_formatter = "%(asctime)s %(levelname)s    %(module)s:%(lineno)d    %(message)s"
logging.basicConfig(stream=sys.stdout, format=logger_formatter, level=logging.DEBUG)


class AdderModel(tiinfer.Model):
    def __init__(self, model_dir: str):
        super().__init__(model_dir)
        self.model_dir = model_dir
        with open("./offset.txt") as f:
            self.offset = int(f.read())
        self.ready = False

    def load(self) -> bool:
        self.ready = True
        return self.ready

    def preprocess(self, request: Dict) -> Dict:
        return {"a": request["a"], "b": request["b"]}

    def predict(self, request: Dict) -> Dict:
        return {"result": request["a"] + request["b"] + self.offset}

    def postprocess(self, result: Dict) -> Dict:
        return result
`;

const adderPackage = () => packageWith({ 'model_service.py': TIONE_ADDER, 'offset.txt': '100' });

runtimeContract({
  name: 'python (TI-ONE model_service.py, unchanged)',
  create: () => createPythonRuntime(),
  modelDir: adderPackage,
  tensors: false,
  bodies: [
    { a: 1, b: 2 },
    { a: 5, b: -1 },
  ],
  badBody: { a: 1 },
  check: (b, r) => {
    const { a, b: bb } = b as { a: number; b: number };
    expect(r).toEqual({ result: a + bb + 100 });
  },
});

/** Reports which process ran each stage, whether predict got a list, and fails or blocks on request. */
const PROBE = `import os, time
import tiinfer


class Probe(tiinfer.Model):
    def __init__(self, model_dir):
        super().__init__(model_dir)
        self.loaded = False

    def load(self):
        self.loaded = True
        return True

    def preprocess(self, request):
        if request.get("bad_input"):
            raise tiinfer.InputError("bad_input was set")
        return {"x": request["x"], "pre_pid": os.getpid(), "pre_loaded": self.loaded, "blob": b"\\x00raw", "block": request.get("block")}

    def predict(self, data):
        items = data if isinstance(data, list) else [data]
        for it in items:
            if it["x"] == "boom":
                raise RuntimeError("boom in predict")
            if it["block"]:
                open(it["block"], "w").close()
                time.sleep(60)
        out = [dict(it, predict_pid=os.getpid(), batch=len(items), is_list=isinstance(data, list), blob_ok=it["blob"] == b"\\x00raw") for it in items]
        return out if isinstance(data, list) else out[0]

    def postprocess(self, result):
        result.pop("blob")
        result.pop("block")
        return dict(result, post_pid=os.getpid(), post_loaded=self.loaded, cwd=os.getcwd(), model_dir=tiinfer.get_ti_model_dir())
`;

const logs: string[] = [];
const ctx = (modelDir: string, env: Record<string, string> = {}): LoadContext => ({
  modelDir,
  modelName: 'm',
  env: { ...(process.env as Record<string, string>), ...env },
  threads: 1,
  maxBatchSize: 1,
  log: (level, msg) => void logs.push(`${level} ${msg}`),
});

type ProbeOut = {
  x: unknown;
  pre_pid: number;
  predict_pid: number;
  post_pid: number;
  batch: number;
  is_list: boolean;
  pre_loaded: boolean;
  post_loaded: boolean;
  blob_ok: boolean;
  cwd: string;
  model_dir: string;
};

async function loaded(
  env: Record<string, string> = {},
  files: Record<string, string> = { 'model_service.py': PROBE },
): Promise<{ rt: PythonRuntime; dir: string }> {
  const dir = packageWith(files);
  const rt = new PythonRuntime();
  await rt.load(ctx(dir, env));
  return { rt, dir };
}

describe('PythonRuntime', () => {
  it('runs the three stages in one process by default, with the package as working directory and TI_MODEL_DIR', async () => {
    const { rt, dir } = await loaded();
    const [r] = (await rt.predict([{ x: 1 }])) as ProbeOut[];
    expect(r!.pre_pid).toBe(r!.predict_pid);
    expect(r!.post_pid).toBe(r!.predict_pid);
    expect(r!.is_list).toBe(false);
    expect(fs.realpathSync(r!.cwd)).toBe(fs.realpathSync(dir));
    expect(fs.realpathSync(r!.model_dir)).toBe(fs.realpathSync(dir));
    expect(rt.maxBatchSize()).toBe(1);
    await rt.close();
  });

  it('hands predict a list when TI_INFERENCE_MAX_BATCH_SIZE > 1, one answer per body', async () => {
    const { rt } = await loaded({ TI_INFERENCE_MAX_BATCH_SIZE: '8' });
    expect(rt.maxBatchSize()).toBe(8);
    const out = (await rt.predict([{ x: 1 }, { bad_input: true }, { x: 2 }, { x: 3 }])) as (ProbeOut | Error)[];
    expect(out[1]).toBeInstanceOf(DomainError);
    expect((out[1] as DomainError).code).toBe('INVALID_INPUT');
    const good = [out[0], out[2], out[3]] as ProbeOut[];
    expect(good.map((r) => r.x)).toEqual([1, 2, 3]);
    expect(good.every((r) => r.is_list && r.batch === 3)).toBe(true);
    // an exception in a batched predict fails that batch only; the worker keeps serving
    const failed = await rt.predict([{ x: 'boom' }, { x: 4 }]);
    expect(failed.every((r) => r instanceof DomainError && r.code === 'MODEL_ERROR' && /RuntimeError: boom in predict/.test(r.message))).toBe(true);
    expect(((await rt.predict([{ x: 5 }]))[0] as ProbeOut).x).toBe(5);
    await rt.close();
  });

  it('answers an exception in user code as MODEL_ERROR with its message, traceback in the log, and keeps serving', async () => {
    logs.length = 0;
    const { rt } = await loaded();
    const [err] = await rt.predict([{ x: 'boom' }]);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('MODEL_ERROR');
    expect((err as Error).message).toBe('RuntimeError: boom in predict');
    expect(logs.some((l) => l.startsWith('error model_service.py raised: RuntimeError: boom in predict'))).toBe(true);
    const [missing] = await rt.predict([{}]);
    expect((missing as Error).message).toBe("KeyError: 'x'");
    expect(((await rt.predict([{ x: 7 }]))[0] as ProbeOut).x).toBe(7);
    await rt.close();
  });

  it('runs TI_INFERENCE_NUMS inference processes, and pre/postprocess in their own processes (load only in inference) when TI_PREPROCESS_NUMS / TI_POSTPROCESS_NUMS > 0', async () => {
    const { rt } = await loaded({ TI_INFERENCE_NUMS: '2', TI_PREPROCESS_NUMS: '1', TI_POSTPROCESS_NUMS: '1' });
    expect(rt.concurrency()).toBe(2);
    expect(new Set(rt.workerPids()).size).toBe(4);
    const out = (await Promise.all([rt.predict([{ x: 1 }]), rt.predict([{ x: 2 }]), rt.predict([{ x: 3 }, { bad_input: true }])])).flat();
    const good = out.filter((r): r is ProbeOut => !(r instanceof Error));
    expect(good.map((r) => r.x).sort()).toEqual([1, 2, 3]);
    expect((out[3] as DomainError).code).toBe('INVALID_INPUT');
    for (const r of good) {
      expect(new Set([r.pre_pid, r.predict_pid, r.post_pid]).size).toBe(3);
      expect([r.pre_loaded, r.post_loaded]).toEqual([false, false]);
      expect(r.blob_ok).toBe(true); // bytes crossed from the preprocess process to predict (pickled)
    }
    await rt.close();
  });

  it('restarts a worker that dies; the request it was running fails with a clear MODEL_ERROR', async () => {
    const { rt, dir } = await loaded();
    const [before] = (await rt.predict([{ x: 1 }])) as ProbeOut[];
    const marker = path.join(dir, 'blocked');
    const inflight = rt.predict([{ x: 2, block: marker }]);
    await eventually(() => fs.existsSync(marker));
    process.kill(before!.predict_pid, 'SIGKILL');
    const [err] = await inflight;
    expect(err).toBeInstanceOf(DomainError);
    expect((err as Error).message).toMatch(/Python worker \(pid \d+\) was killed by SIGKILL while serving this request; it is restarted/);
    const [after] = (await rt.predict([{ x: 3 }])) as ProbeOut[];
    expect(after!.x).toBe(3);
    expect(after!.predict_pid).not.toBe(before!.predict_pid);
    await rt.close();
  });

  it('runs a mosec-style package (tiinfer.append_worker) as TI-ONE does', async () => {
    const hello = `from typing import Dict\nimport tiinfer\nimport mosec\n\nclass HelloWorld(mosec.Worker):\n    def forward(self, req: Dict) -> Dict:\n        return {"hello": f"world. raw req is {req}"}\n\ntiinfer.append_worker(HelloWorld, num=2)\n`;
    const { rt } = await loaded({}, { 'model_service.py': hello });
    expect(await rt.predict([{ key: 'values' }])).toEqual([{ hello: "world. raw req is {'key': 'values'}" }]);
    await rt.close();
  });

  it('checks requirements.txt: found modules are reported, missing ones fail the load with the list', async () => {
    logs.length = 0;
    const ok = await loaded({}, { 'model_service.py': PROBE, 'requirements.txt': '# deps\nnumpy>=1.20\nPillow\ntorch==1.13.*  # cpu\n' });
    expect(logs.some((l) => /requirements\.txt: numpy>=1\.20 → numpy 1\.\d+.*Pillow → PIL.*torch==1\.13\.\* → torch/.test(l))).toBe(true);
    await ok.rt.close();
    const dir = packageWith({ 'model_service.py': PROBE, 'requirements.txt': 'numpy\nopencv-python==4.8.0.76\nsurely_not_a_module>=2\nscikit-learn\n' });
    const err = await new PythonRuntime().load(ctx(dir)).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/^requirements\.txt lists modules this Python cannot import: /);
    expect(err!.message).toContain('opencv-python==4.8.0.76 (import cv2');
    expect(err!.message).toContain('surely_not_a_module>=2 (import surely_not_a_module)');
    expect(err!.message).not.toMatch(/numpy \(import/);
  });

  it('fails the load with the reason: no model_service.py, no tiinfer.Model, load() False, an exception in load()', async () => {
    const reason = (files: Record<string, string>) =>
      new PythonRuntime().load(ctx(packageWith(files))).then(
        () => '',
        (e: Error) => e.message,
      );
    expect(await reason({ 'model.pt': 'x' })).toMatch(/no model_service\.py or model\.py in the package/);
    expect(await reason({ 'model_service.py': 'x = 1\n' })).toMatch(/defines no subclass of tiinfer\.Model/);
    expect(await reason({ 'model_service.py': 'import tiinfer\nclass M(tiinfer.Model):\n    def load(self):\n        return False\n' })).toMatch(
      /M\.load\(\) returned False/,
    );
    expect(
      await reason({
        'model_service.py': 'import tiinfer\nclass M(tiinfer.Model):\n    def load(self):\n        raise FileNotFoundError("model.pt is missing")\n',
      }),
    ).toBe('FileNotFoundError: model.pt is missing');
    expect(await reason({ 'model_service.py': 'import tiinfer\nsyntax error here\n' })).toMatch(/SyntaxError/);
    expect(await reason({ 'model_service.py': 'import os\nos._exit(7)\n' })).toMatch(/exited with code 7 before the model loaded/);
    const bad = await new PythonRuntime().load(ctx(packageWith({ 'model_service.py': PROBE }), { TI_INFERENCE_NUMS: 'two' })).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(bad).toMatch(/TI_INFERENCE_NUMS=two is not a whole number/);
  });

  it('tiinfer.images refuses loopback URLs unless MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS=1, and names the failing item', async () => {
    const sizes = `import tiinfer\nfrom tiinfer import images\n\nclass Sizes(tiinfer.Model):\n    def predict(self, request):\n        return [list(p.size) for p in images.load_images(request)]\n`;
    const files = await fixtureServer();
    const url = `${files.url}/cat-kserve.jpg`;
    const refused = await loaded({ MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS: '0' }, { 'model_service.py': sizes });
    const [r] = await refused.rt.predict([{ images: [url] }]);
    expect((r as DomainError).code).toBe('IMAGE_ADDRESS_REFUSED');
    expect((r as Error).message).toMatch(/^images\[0\]: 127\.0\.0\.1 resolves to 127\.0\.0\.1, a private, loopback or link-local address; refused/);
    await refused.rt.close();
    const allowed = await loaded({ MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS: '1', MODELDOCK_IMAGE_MAX_BYTES: '30000' }, { 'model_service.py': sizes });
    expect(await allowed.rt.predict([{ images: [url] }])).toEqual([[[612, 531]]]);
    const [big, missing] = await allowed.rt.predict([{ images: [url, `${files.url}/cat-winml.jpg`] }, { images: [`${files.url}/none.jpg`] }]);
    expect((big as DomainError).code).toBe('IMAGE_FETCH_FAILED');
    expect((big as Error).message).toMatch(/^images\[1\]: the image is over 30000 bytes, above the cap/);
    expect((missing as Error).message).toMatch(/^images\[0\]: fetching .*none\.jpg answered HTTP 404/);
    await allowed.rt.close();
    await files.close();
  });
});
