/** Resident memory of the platform and of each service's instance processes, from /proc (Linux). */
import fs from 'node:fs';

export interface RssSample {
  /** mean RSS per process of the group */
  mib: number;
  count: number;
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export const platformRss = (pid: number): RssSample => ({ mib: rssMiB(pid), count: 1 });

/**
 * `instances <service>`: mean RSS of the instance processes serving out of `dataDir`, by
 * service (`--model-name`); only those whose environment holds `env` when given.
 */
export function instanceRss(dataDir: string, env?: string): Record<string, RssSample> {
  const sums: Record<string, { total: number; count: number }> = {};
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const args = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (!args.includes('instance') || !args.some((a) => a.startsWith(dataDir))) continue;
      if (env && !fs.readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(env)) continue;
      const service = args[args.indexOf('--model-name') + 1] ?? '?';
      const s = (sums[service] ??= { total: 0, count: 0 });
      s.total += rssMiB(Number(d));
      s.count++;
    } catch {
      /* gone */
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [`instances ${k}`, { mib: v.total / v.count, count: v.count }]));
}

/** Samples every second for `ms`; answers each group's mean over the window (count: the last seen). */
export async function rssWindow(sample: () => Record<string, RssSample>, ms: number): Promise<Record<string, RssSample>> {
  const acc: Record<string, { total: number; n: number; count: number }> = {};
  const end = Date.now() + ms;
  do {
    for (const [k, v] of Object.entries(sample())) {
      const a = (acc[k] ??= { total: 0, n: 0, count: 0 });
      a.total += v.mib;
      a.n++;
      a.count = v.count;
    }
    await new Promise((r) => setTimeout(r, 1000));
  } while (Date.now() < end);
  return Object.fromEntries(Object.entries(acc).map(([k, a]) => [k, { mib: a.total / a.n, count: a.count }]));
}
