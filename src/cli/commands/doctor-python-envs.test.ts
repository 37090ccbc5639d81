import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { startPlatform, type Platform } from '../../platform.js';
import { eventually } from '../../../test/support/platform.js';
import { checkPythonEnvs, mappedVersions, runtimeNames } from './doctor-python-envs.js';

let p: Platform;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-doctor-envs-'));
  p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent' } }));
});

afterAll(async () => {
  await p?.close();
});

describe('doctor: requirements installs and TI-ONE runtime names', () => {
  it("checks venv and pip under the runtime Python, and prints pip's index settings without credentials", async () => {
    const env = { PIP_INDEX_URL: 'https://alice:s3cret@mirror.example/simple', PIP_NO_INDEX: '1', PATH: process.env.PATH };
    const by = Object.fromEntries((await checkPythonEnvs('/usr/bin/python3', dataDir, env)).map((c) => [c.name, c]));
    expect([by['python3 venv']?.status, by.pip?.status]).toEqual(['OK', 'OK']);
    expect(by.pip?.detail).toMatch(/^pip \d+/);
    expect(by['pip index']?.detail).toBe('PIP_INDEX_URL=https://***@mirror.example/simple PIP_NO_INDEX=1');
    expect(by['python envs']?.detail).toBe(`0 environment(s) in ${path.join(dataDir, 'python-envs')}`);
    const none = Object.fromEntries((await checkPythonEnvs('/nonexistent/python3', dataDir, {})).map((c) => [c.name, c]));
    expect([none['python3 venv']?.status, none.pip?.status]).toEqual(['MISSING', 'MISSING']);
    expect(none.pip?.fix).toMatch(/apt-get install python3-venv python3-pip/);
    expect(none['pip index']?.detail).toMatch(/^PyPI, pip's default/);
  });

  it('shows the mapping, and each version imported under a TI-ONE runtime name with what it runs on', async () => {
    expect((await runtimeNames()).detail).toMatch(/torch1\.9\.0-py38-cu111\) → torch1\.13-py311-cpu; onnx\* → onnxruntime1\.30-node20-cpu; tensorflow\*/);
    const form = new FormData();
    form.append('spec', JSON.stringify({ source: { type: 'upload' }, format: 'custom', runtime: 'pytorch1.12.1-py38', createModel: true }));
    form.append('f', new Blob(['import tiinfer\n']), 'model_service.py');
    expect((await fetch(`${p.url}/api/v1/models/ported/versions`, { method: 'POST', body: form })).status).toBe(202);
    await eventually(async () => ((await (await fetch(`${p.url}/api/v1/models/ported/versions/v1`)).json()) as { status: string }).status === 'ready');
    const checks = await mappedVersions(p.url);
    expect(checks).toEqual([
      { name: 'ported v1', status: 'OK', detail: expect.stringMatching(/^runtime "pytorch1\.12\.1-py38" runs as torch1\.13-py311-cpu: TI-ONE runtime/) },
    ]);
    expect(await mappedVersions('http://127.0.0.1:9')).toEqual([]);
  });
});
