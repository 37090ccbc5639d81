/**
 * `modeldock doctor`: the effective config and what this machine has or lacks, each with
 * how to fix it. Reports only: exits 0 even when optional things are missing (1 only
 * when the config itself is invalid).
 */
import { constants as fsc, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Command } from 'commander';
import { configFromFlags } from '../platform-config.js';
import { ApiClient } from '../client.js';
import { globalOpts, printJson } from '../output.js';
import { checkPythonEnvs, mappedVersions, runtimeNames } from './doctor-python-envs.js';

export interface Check {
  name: string;
  status: 'OK' | 'MISSING' | 'FAIL' | 'DOWN';
  detail: string;
  fix?: string;
}

const MIN_NODE: [number, number] = [20, 18];
const CHROMIUM = '/usr/bin/chromium';
const PY_MODULES: [module: string, debian: string][] = [
  ['torch', 'python3-torch'],
  ['torchvision', 'python3-torchvision'],
  ['PIL', 'python3-pil'],
  ['numpy', 'python3-numpy'],
];

export function register(program: Command): void {
  program
    .command('doctor')
    .description('show the effective config and what is installed or missing, with how to fix it')
    .option('--host <host>', 'as for `up`')
    .option('--port <port>', 'as for `up`')
    .option('--grpc-port <port>', 'as for `up`')
    .option('--data-dir <dir>', 'as for `up`')
    .action(async (o: { host?: string; port?: string; grpcPort?: string; dataDir?: string }, cmd: Command) => {
      const g = globalOpts(cmd);
      const { describeConfig } = await import('../../config.js');
      const config = await configFromFlags(o);
      const checks = (
        await Promise.all([
          checkNode(),
          checkModule('onnxruntime-node', 'needed by the ONNX runtime: run `npm install` (.npmrc must hold onnxruntime-node-install=skip)'),
          checkModule('sharp', 'needed to decode images: run `npm install`'),
          checkPython(config.pythonPath),
          checkPythonEnvs(config.pythonPath, config.dataDir),
          runtimeNames(),
          checkChromium(),
          checkDataDir(config.dataDir),
          checkServer(g.server, g.token),
          mappedVersions(g.server, g.token),
        ])
      ).flat();
      const described = describeConfig(config);
      if (g.json) return printJson({ config: described, checks });
      process.stdout.write('effective config\n');
      for (const [k, v] of flatten(described)) process.stdout.write(`  ${k.padEnd(30)} ${v}\n`);
      process.stdout.write('\nchecks\n');
      const w = Math.max(...checks.map((c) => c.name.length));
      for (const c of checks)
        process.stdout.write(`  ${c.status.padEnd(8)} ${c.name.padEnd(w)}  ${c.detail}${c.fix ? `\n  ${''.padEnd(8)} ${''.padEnd(w)}  fix: ${c.fix}` : ''}\n`);
      const bad = checks.filter((c) => c.status !== 'OK').length;
      process.stdout.write(`\n${bad ? `${bad} thing(s) missing or down: the fixes are above` : 'everything is in place'}\n`);
    });
}

function flatten(o: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? flatten(v as Record<string, unknown>, `${prefix}${k}.`)
      : [[`${prefix}${k}`, Array.isArray(v) ? v.join(', ') || '(none)' : String(v)] as [string, string]],
  );
}

function checkNode(): Check {
  const [maj = 0, min = 0] = process.versions.node.split('.').map(Number);
  const ok = maj > MIN_NODE[0] || (maj === MIN_NODE[0] && min >= MIN_NODE[1]);
  return ok
    ? { name: 'node', status: 'OK', detail: process.version }
    : { name: 'node', status: 'FAIL', detail: `${process.version} is older than ${MIN_NODE.join('.')}`, fix: `install Node.js ${MIN_NODE.join('.')} or newer` };
}

async function checkModule(name: string, fix: string): Promise<Check> {
  try {
    await import(name);
    return { name, status: 'OK', detail: packageVersion(name) };
  } catch (e) {
    return { name, status: 'MISSING', detail: `cannot be loaded: ${(e as Error).message.split('\n')[0]}`, fix };
  }
}

/** The installed version of a package, found from its entry point (some packages do not export package.json). */
function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve(name));
  for (let i = 0; i < 8; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
    } catch {
      /* keep walking up */
    }
    dir = path.dirname(dir);
  }
  return 'loaded';
}

async function checkPython(pythonPath: string): Promise<Check[]> {
  const { probePython } = await import('../../runtime-catalog/catalog.js');
  const probe = await probePython(pythonPath);
  const details = probe.details ?? {};
  if (!details.python) {
    return [
      {
        name: 'python3',
        status: 'MISSING',
        detail: probe.reason ?? `${pythonPath} cannot run`,
        fix: 'apt-get install python3 (or set MODELDOCK_PYTHON); needed by the torch runtime',
      },
    ];
  }
  return [
    { name: 'python3', status: 'OK', detail: `${pythonPath} ${details.python}` },
    ...PY_MODULES.map(([mod, pkg]): Check =>
      details[mod]
        ? { name: pkg, status: 'OK', detail: `${mod} ${details[mod]}` }
        : { name: pkg, status: 'MISSING', detail: `${pythonPath} cannot import ${mod}`, fix: `apt-get install ${pkg} (needed by the torch runtime)` },
    ),
  ];
}

async function checkChromium(): Promise<Check> {
  try {
    await fs.access(CHROMIUM, fsc.X_OK);
    return { name: 'chromium', status: 'OK', detail: CHROMIUM };
  } catch {
    return { name: 'chromium', status: 'MISSING', detail: `no ${CHROMIUM}`, fix: 'apt-get install chromium (needed only by the browser tests)' };
  }
}

async function checkDataDir(dir: string): Promise<Check> {
  let probe = dir;
  for (;;) {
    const st = await fs.stat(probe).catch(() => undefined);
    if (st) break;
    const up = path.dirname(probe);
    if (up === probe) break;
    probe = up;
  }
  try {
    await fs.access(probe, fsc.W_OK);
    return { name: 'data dir', status: 'OK', detail: probe === dir ? `${dir} is writable` : `${dir} will be created (${probe} is writable)` };
  } catch {
    return { name: 'data dir', status: 'FAIL', detail: `${probe} is not writable`, fix: 'choose a data dir you can write: --data-dir or MODELDOCK_DATA_DIR' };
  }
}

async function checkServer(server: string, token?: string): Promise<Check> {
  try {
    await new ApiClient({ server, token }).health();
    return { name: 'server', status: 'OK', detail: `${server} answers /healthz` };
  } catch (e) {
    const err = e as Error & { code?: string };
    const why = err.code === 'UNREACHABLE' ? (/\(([^)]+)\)/.exec(err.message)?.[1] ?? 'unreachable') : `${err.code ?? 'error'}: ${err.message}`;
    return {
      name: 'server',
      status: 'DOWN',
      detail: `${server} does not answer /healthz (${why})`,
      fix: 'start it with `modeldock up` (or point --server / MODELDOCK_SERVER at it)',
    };
  }
}
