/**
 * For CLI tests: a real platform started as `modeldock up` in a child process with a temp
 * data dir, and the real `modeldock` binary run against it. Needs dist/ (global setup).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';
import { eventually } from './support/platform.js';

export const BIN = fileURLToPath(new URL('../bin/modeldock.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningPlatform {
  url: string;
  dataDir: string;
  /** SIGTERM, then the exit code (0 when it shut down gracefully) */
  stop(): Promise<number | null>;
}

const quietEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, MODELDOCK_LOG_LEVEL: 'warn', NODE_NO_WARNINGS: '1' };
  delete env.MODELDOCK_SERVER;
  delete env.MODELDOCK_ADMIN_TOKEN;
  return { ...env, ...extra };
};

export const tmpDir = (tag: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `modeldock-${tag}-`));

/** `modeldock up --port 0 --data-dir <tmp>`; resolves once /healthz answers. */
export async function startPlatform(env: NodeJS.ProcessEnv = {}): Promise<RunningPlatform> {
  const dataDir = tmpDir('cli-data');
  const child = spawn(process.execPath, [BIN, 'up', '--port', '0', '--data-dir', dataDir], { env: quietEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let exited: number | null | undefined;
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdout!.resume();
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((exited = code))));
  const url = await eventually(
    () => {
      if (exited !== undefined) throw new Error(`modeldock up exited with ${exited}: ${stderr}`);
      return /is up at (http:\/\/\S+)/.exec(stderr)?.[1];
    },
    60_000,
    'modeldock up to say where it listens',
  );
  await eventually(async () => (await fetch(`${url}/healthz`)).ok, 30_000, `${url}/healthz`);
  return {
    url,
    dataDir,
    async stop() {
      if (exited === undefined) child.kill('SIGTERM');
      const code = await exit;
      if (code !== 0) process.stderr.write(`modeldock up exited with ${code}; its stderr:\n${stderr}\n`);
      return code;
    },
  };
}

/** Runs `modeldock --server <server> …args`; never throws on a non-zero exit. */
export function cli(server: string | undefined, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const argv = server ? ['--server', server, ...args] : args;
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, ...argv], { cwd: opts.cwd, env: quietEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Like cli() but expects exit 0 and parses stdout as JSON (adds --json). */
export async function cliJson<T>(server: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<T> {
  const r = await cli(server, ['--json', ...args], opts);
  if (r.code !== 0) throw new Error(`modeldock ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Writes files (relative path → content) under dir. */
export function writeTree(dir: string, files: Record<string, Buffer | string>): void {
  for (const [rel, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), data);
  }
}

/** Every file entry of a zip: name → sha256 of its bytes. */
export function unzipHashes(file: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const out: Record<string, string> = {};
      zip.on('entry', (e: yauzl.Entry) => {
        if (e.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(e, (err2, stream) => {
          if (err2 || !stream) return reject(err2 ?? new Error('no stream'));
          const h = createHash('sha256');
          stream.on('data', (b: Buffer) => h.update(b));
          stream.on('end', () => {
            out[e.fileName] = h.digest('hex');
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}
