/** Resident memory of a process and its descendants, read from /proc (Linux). */
import fs from 'node:fs';

function children(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      const c = fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
      if (c) out.push(...c.split(/\s+/).map(Number));
    } catch {
      /* task ended */
    }
  }
  return out;
}

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** pid and every descendant still alive. */
export function treePids(pid: number): number[] {
  return tree(pid);
}

function tree(pid: number): number[] {
  const seen = new Set<number>();
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    stack.push(...children(p));
  }
  return [...seen];
}

/** RSS of pid and every descendant, in MiB (0 when /proc is not there). */
export function treeRssMiB(pid: number): number {
  return tree(pid).reduce((a, p) => a + rssKiB(p), 0) / 1024;
}

function cpuTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime
  } catch {
    return 0;
  }
}

/** CPU time (user + system) of pid and every descendant, in seconds (0 without /proc). */
export function treeCpuSeconds(pid: number): number {
  return tree(pid).reduce((a, p) => a + cpuTicks(p), 0) / 100; // USER_HZ is 100 on Linux
}

/**
 * SIGKILLs pid and every descendant (listed first, so none is reparented out of reach):
 * a forced kill of an instance takes its Python workers with it, busy or not.
 */
export function killTree(pid: number): void {
  for (const p of tree(pid)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
