/**
 * Results: one row per measurement, each compared with baselines measured in the same
 * run; rendered as a markdown table (and kept as JSON).
 */
import type { Usage } from './procs.js';

export interface Ratio {
  /** what the row is compared with, e.g. "bare HTTP c=32" */
  name: string;
  /** row req/s ÷ baseline req/s */
  rps?: number;
  /** row p50 ÷ baseline p50 */
  p50?: number;
  /** a figure said in words instead (e.g. "+0.21 ms p50") */
  text?: string;
}

export interface Row {
  scenario: string;
  case: string;
  c?: number;
  rps?: number;
  p50?: number;
  p99?: number;
  errors?: number;
  usage?: Record<string, Usage>;
  vs: Ratio[];
  note?: string;
}

export function ratio(row: Pick<Row, 'rps' | 'p50'>, base: Pick<Row, 'rps' | 'p50'> | undefined, name: string): Ratio | undefined {
  if (!base) return undefined;
  return {
    name,
    rps: row.rps !== undefined && base.rps ? row.rps / base.rps : undefined,
    p50: row.p50 !== undefined && base.p50 ? row.p50 / base.p50 : undefined,
  };
}

const num = (v: number | undefined, digits = 0) =>
  v === undefined || !Number.isFinite(v) ? '' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (v: number | undefined) => (v === undefined ? '' : v < 10 ? num(v, 2) : num(v, 1));

function vsCell(vs: Ratio[]): string {
  return vs
    .map((r) => {
      if (r.text) return `${r.text} vs ${r.name}`;
      const parts = [r.rps !== undefined ? `${num(r.rps, 2)}× req/s` : '', r.p50 !== undefined ? `${num(r.p50, 2)}× p50` : ''].filter(Boolean);
      return `${parts.join(', ')} of ${r.name}`;
    })
    .join('; ');
}

function usageCell(u: Record<string, Usage> | undefined): string {
  if (!u) return '';
  return Object.entries(u)
    .map(([name, x]) => `${name} ${num(x.cpuPct)}% / ${num(x.peakRssMiB)} MiB`)
    .join('; ');
}

export function markdown(rows: Row[]): string {
  const out = [
    '| scenario | case | c | req/s | p50 ms | p99 ms | errors | CPU (% of a core) / peak RSS | vs baseline (same run) | note |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    out.push(
      `| ${r.scenario} | ${r.case} | ${r.c ?? ''} | ${num(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.errors ?? ''} | ${usageCell(r.usage)} | ${vsCell(r.vs)} | ${r.note ?? ''} |`,
    );
  }
  return out.join('\n');
}
