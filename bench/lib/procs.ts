/**
 * CPU and peak RSS of the processes under test, from /proc (Linux): a group is a root
 * pid and, optionally, all its descendants (an instance's Python workers, the platform's
 * instances). CPU is utime+stime over the watch, as % of one core; RSS is sampled every
 * 100 ms and the peak kept.
 */
import fs from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

function stat(pid: number): { ppid: number; ticks: number } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined;
  }
}

export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every live descendant of `root` (not root itself). */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of fs.readdirSync('/proc')) {
    const pid = Number(d);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (s) parent.set(pid, s.ppid);
  }
  const out: number[] = [];
  const want = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, pp] of parent) {
      if (want.has(pp) && !want.has(pid)) {
        want.add(pid);
        out.push(pid);
        grew = true;
      }
    }
  }
  return out;
}

export interface Group {
  /** the pids of the group now (called once a second: trees change) */
  pids: () => number[];
}

export interface Usage {
  /** % of one core over the watch */
  cpuPct: number;
  peakRssMiB: number;
}

export class Watch {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly groupPids: number[][];
  private readonly peak: number[];
  private timer?: NodeJS.Timeout;
  private t0 = 0;
  private n = 0;

  constructor(private readonly groups: Record<string, Group>) {
    this.groupPids = Object.values(groups).map(() => []);
    this.peak = this.groupPids.map(() => 0);
  }

  start(): this {
    this.t0 = performance.now();
    this.refresh();
    this.sample();
    this.timer = setInterval(() => {
      if (++this.n % 10 === 0) this.refresh();
      this.sample();
    }, 100);
    return this;
  }

  stop(): Record<string, Usage> {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.t0) / 1000;
    const out: Record<string, Usage> = {};
    Object.keys(this.groups).forEach((name, g) => {
      let ticks = 0;
      for (const pid of new Set(this.groupPids[g])) ticks += (this.last.get(pid) ?? 0) - (this.first.get(pid) ?? 0);
      out[name] = { cpuPct: (100 * ticks) / TICKS / seconds, peakRssMiB: this.peak[g]! };
    });
    return out;
  }

  private refresh(): void {
    Object.values(this.groups).forEach((grp, g) => {
      for (const pid of grp.pids()) if (!this.groupPids[g]!.includes(pid)) this.groupPids[g]!.push(pid);
    });
  }

  private sample(): void {
    this.groupPids.forEach((pids, g) => {
      let rss = 0;
      for (const pid of pids) {
        const s = stat(pid);
        if (!s) continue;
        if (!this.first.has(pid)) this.first.set(pid, s.ticks);
        this.last.set(pid, s.ticks);
        rss += rssMiB(pid);
      }
      if (rss > this.peak[g]!) this.peak[g] = rss;
    });
  }
}

/** A group: the pid alone, or with its descendants. */
export const tree = (pid: number): Group => ({ pids: () => [pid, ...descendants(pid)] });
export const only = (pid: number): Group => ({ pids: () => [pid] });
export const childrenOf = (pid: number): Group => ({ pids: () => descendants(pid) });
