/** `modeldock up` as a child process on a given data dir, and the instance processes it runs. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eventually } from './platform.js';

const BIN = fileURLToPath(new URL('../../bin/modeldock.js', import.meta.url));

export interface UpProcess {
  url: string;
  child: ChildProcess;
  /** everything it printed so far */
  output(): string;
}

/** Starts `modeldock up --port 0 --data-dir <dataDir>`; resolves once it listens. */
export async function spawnUp(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<UpProcess> {
  const child = spawn(process.execPath, [BIN, 'up', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, MODELDOCK_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const url = await eventually(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1], 60_000, 'modeldock up to listen');
  return { url, child, output: () => out };
}

/** Instance processes serving models out of this data dir, with their parent process. */
export function instanceProcesses(dataDir: string): { pid: number; parent: number }[] {
  const out: { pid: number; parent: number }[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('\0instance\0') || !cmd.includes(dataDir)) continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      out.push({ pid: Number(pid), parent: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) });
    } catch {
      /* gone */
    }
  }
  return out;
}
