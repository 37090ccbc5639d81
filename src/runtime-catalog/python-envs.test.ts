/**
 * PythonEnvs with the real interpreter and pip, offline: a wheel written by the test,
 * found through PIP_FIND_LINKS with PIP_NO_INDEX=1 (nothing reaches an index).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeWheel } from '../../test/support/wheel.js';
import { envKey, PythonEnvs, type EnvState } from './python-envs.js';

const PY = '/usr/bin/python3';
let root: string;
let wheels: string;
let envs: PythonEnvs;

beforeAll(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-envs-'));
  root = path.join(tmp, 'python-envs');
  wheels = path.join(tmp, 'wheels');
  await writeWheel(wheels, 'tinydep', '0.1.0', { 'tinydep/__init__.py': "def shout(s):\n    return s.upper() + '!'\n" });
  envs = new PythonEnvs({ root, basePython: PY, env: { PATH: process.env.PATH, HOME: tmp, PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels } });
});

const built = async (requirements: string, lines: string[] = []): Promise<EnvState> => {
  const key = envKey('torch1.13-py311-cpu', requirements);
  const first = envs.ensure(
    key,
    async () => Buffer.from(requirements),
    (l) => lines.push(l),
  );
  expect(first.state).toBe('building');
  return (await envs.settled(key))!;
};

describe('PythonEnvs', () => {
  it('installs what the base lacks into a venv over the base, once for concurrent requests', async () => {
    const req = 'numpy\ntorch==1.9.0\ntinydep==0.1.0\n';
    const key = envKey('torch1.13-py311-cpu', req);
    let reads = 0;
    const lines: string[] = [];
    const read = async () => (reads++, Buffer.from(req));
    const a = envs.ensure(key, read, (l) => lines.push(l));
    const b = envs.ensure(key, read);
    expect([a.state, b.state]).toEqual(['building', 'building']);
    const s = await envs.settled(key);
    expect(reads).toBe(1);
    if (s?.state !== 'ready') throw new Error(`not ready: ${JSON.stringify(s)}`);
    expect([s.venv, s.python]).toEqual([true, path.join(root, key, 'bin', 'python')]);
    // torch and numpy come from the base; only tinydep was installed
    expect(lines.join('\n')).toMatch(/installing tinydep==0\.1\.0 into a Python environment.*already there: numpy, torch==1\.9\.0/);
    expect(lines.join('\n')).toMatch(/Successfully installed tinydep-0\.1\.0/);
    const out = execFileSync(s.python, ['-c', 'import tinydep, torch; print(tinydep.shout("hi"), torch.__version__.split("+")[0])'], { encoding: 'utf8' });
    expect(out.trim()).toMatch(/^HI! 1\.13/);
    expect(execFileSync(PY, ['-c', 'import importlib.util; print(importlib.util.find_spec("tinydep"))'], { encoding: 'utf8' }).trim()).toBe('None');
    // finished environments are renamed into place: no temp folders are left
    expect(fs.readdirSync(root)).toEqual([key]);
    expect(envs.ensure(key, read)).toEqual(s);
    // another process (a fresh PythonEnvs) finds it built, without reading the file again
    const again = new PythonEnvs({ root, basePython: PY, env: { PATH: process.env.PATH, PIP_NO_INDEX: '1' } });
    again.ensure(key, read);
    expect((await again.settled(key))?.state).toBe('ready');
    expect(reads).toBe(1);
  });

  it('uses the base Python when it already has every requirement (no venv, no pip)', async () => {
    const s = await built('# deps\nnumpy>=1.20\nPillow\ntorch==1.13.*  # cpu\n--index-url https://unreachable.invalid/simple\n');
    expect(s).toMatchObject({ state: 'ready', venv: false, python: PY });
    // the platform's own tiinfer and kserve modules count as installed
    expect(await built('tiinfer\nkserve\nmosec\n')).toMatchObject({ state: 'ready', venv: false });
    expect(fs.readdirSync(root).filter((d) => d.startsWith('.tmp'))).toEqual([]);
  });

  it("fails with DEPENDENCY_INSTALL_FAILED and the tail of pip's output for a requirement that does not exist", async () => {
    const s = await built('tinydep\nsurely-not-a-package-xyz>=2\n');
    if (s.state !== 'failed') throw new Error(`not failed: ${JSON.stringify(s)}`);
    expect(s.reason).toMatch(/^DEPENDENCY_INSTALL_FAILED: pip install exited with code 1:/);
    expect(s.reason).toMatch(/No matching distribution found for surely-not-a-package-xyz>=2/);
    expect(fs.readdirSync(root).filter((d) => d.startsWith('.tmp'))).toEqual([]);
    // it stays failed (no pip run per request) until a caller asks to retry
    const key = envKey('torch1.13-py311-cpu', 'tinydep\nsurely-not-a-package-xyz>=2\n');
    const read = async () => Buffer.from('tinydep\nsurely-not-a-package-xyz>=2\n');
    expect(envs.ensure(key, read)).toEqual(s);
    expect(envs.ensure(key, read, undefined, '', true).state).toBe('building');
    expect((await envs.settled(key))?.state).toBe('failed');
  });
});
