/**
 * `modeldock doctor`'s checks for installing packages' requirements.txt (venv and pip under
 * the runtime's Python, pip's index settings, the environments built so far) and the
 * TI-ONE runtime names the catalog maps.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Check } from './doctor.js';

/** pip's own variables that steer where an install looks (every PIP_* reaches pip). */
export const PIP_INDEX_VARS = ['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_FIND_LINKS', 'PIP_NO_INDEX', 'PIP_TRUSTED_HOST'];

const run = (cmd: string, args: string[]): Promise<string | null> =>
  new Promise((resolve) => execFile(cmd, args, { timeout: 20_000 }, (err, stdout, stderr) => resolve(err ? null : `${stdout}${stderr}`.trim())));

/** user:password in an index URL is not printed */
const redact = (v: string) => v.replace(/\/\/[^/@\s]+@/g, '//***@');

export async function checkPythonEnvs(pythonPath: string, dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  const fix = "apt-get install python3-venv python3-pip (needed to install a package's requirements.txt)";
  const [venv, pip] = await Promise.all([run(pythonPath, ['-m', 'venv', '--help']), run(pythonPath, ['-m', 'pip', '--version'])]);
  const pipVars = Object.keys(env)
    .filter((k) => k.startsWith('PIP_'))
    .sort();
  const root = path.join(dataDir, 'python-envs');
  const built = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => !d.startsWith('.')) : [];
  return [
    venv
      ? { name: 'python3 venv', status: 'OK', detail: `${pythonPath} -m venv works` }
      : { name: 'python3 venv', status: 'MISSING', detail: `${pythonPath} has no venv module`, fix },
    pip
      ? { name: 'pip', status: 'OK', detail: pip.split('\n')[0]!.replace(/ from \S+/, '') }
      : { name: 'pip', status: 'MISSING', detail: `${pythonPath} -m pip does not run`, fix },
    {
      name: 'pip index',
      status: 'OK',
      detail: pipVars.length
        ? pipVars.map((k) => `${k}=${redact(env[k] ?? '')}`).join(' ')
        : "PyPI, pip's default (set PIP_INDEX_URL for a mirror, or PIP_FIND_LINKS=<wheel folder> with PIP_NO_INDEX=1 to install offline)",
    },
    { name: 'python envs', status: 'OK', detail: `${built.length} environment(s) in ${root}` },
  ];
}

export async function runtimeNames(): Promise<Check> {
  const { RUNTIME_IDS } = await import('../../runtime-catalog/catalog.js');
  return {
    name: 'TI-ONE runtimes',
    status: 'OK',
    detail: `torch*/pytorch*/detectron2*/mmdetection* (e.g. torch1.9.0-py38-cu111) → ${RUNTIME_IDS.torch}; onnx* → ${RUNTIME_IDS.onnx}; tensorflow*, jpmml* refused (no such runtime here)`,
  };
}

/** The server's model versions imported under a TI-ONE runtime name, and what each runs on (at most 100 models looked at). */
export async function mappedVersions(server: string, token?: string): Promise<Check[]> {
  const { ApiClient } = await import('../client.js');
  const api = new ApiClient({ server, token });
  try {
    const models = (await api.listModels({ limit: 100 })).items;
    const versions = (await Promise.all(models.map((m) => api.listVersions(m.name)))).flat();
    return versions
      .filter((v) => v.runtimeRequested)
      .map((v) => ({
        name: `${v.model} ${v.version}`,
        status: 'OK',
        detail: `runtime "${v.runtimeRequested}" runs as ${v.runtime}: ${v.runtimeNote ?? ''}`.trim(),
      }));
  } catch {
    return []; // the server check says why it cannot be reached
  }
}
