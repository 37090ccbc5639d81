/**
 * Shadow traffic in the CLI (docs/shadow.md): the `services update` flags that set it
 * (`--shadow-version N --shadow-percent P`, `--no-shadow`) and the lines `services show`
 * prints of it (the shadow and this replica's counts; all of it in -o json).
 */
import type { Service } from '../../contracts/services.js';
import { CliError, printFields } from '../output.js';

export interface ShadowFlags {
  shadowVersion?: string;
  shadowPercent?: string;
  /** false with --no-shadow */
  shadow?: boolean;
}

/** The `shadow` member of a service merge patch, or undefined when no shadow flag was given. */
export function shadowPatch(o: ShadowFlags): { version?: number; percent?: number } | null | undefined {
  const given = o.shadowVersion !== undefined || o.shadowPercent !== undefined;
  if (o.shadow === false) {
    if (given) throw new CliError('--no-shadow goes alone, without --shadow-version or --shadow-percent');
    return null;
  }
  if (!given) return undefined;
  const patch: { version?: number; percent?: number } = {};
  if (o.shadowVersion !== undefined) {
    const v = /^v?([1-9][0-9]{0,8})$/i.exec(o.shadowVersion.trim());
    if (!v) throw new CliError(`--shadow-version takes a version number such as 2, not "${o.shadowVersion}"`);
    patch.version = Number(v[1]);
  }
  if (o.shadowPercent !== undefined) {
    const p = Number(o.shadowPercent.replace(/%$/, ''));
    if (o.shadowPercent.trim() === '' || !Number.isFinite(p) || p < 0 || p > 100)
      throw new CliError(`--shadow-percent takes 0 to 100, not "${o.shadowPercent}"`);
    patch.percent = p;
  }
  return patch;
}

const ms = (v: number | null) => (v === null ? '-' : `${v} ms`);

/** The shadow block of `services show` (nothing when the service has no shadow). */
export function printShadow(s: Service): void {
  const sh = s.shadow;
  if (!sh) return;
  const st = sh.stats;
  process.stdout.write('\n');
  printFields([
    ['shadow', `version ${sh.version}, ${sh.percent}% of calls copied (answers counted, never returned)`],
    ['mirrored', `${st.mirrored} (${st.inflight} in flight), ${st.skipped} skipped (no ready instance), ${st.dropped} dropped (over the cap)`],
    ['compared', `${st.compared.match} match, ${st.compared.mismatch} mismatch, ${st.compared.uncompared} uncompared`],
    ['errors', `${st.errors.status} 5xx, ${st.errors.timeout} timeout, ${st.errors.unreachable} unreachable`],
    ['latency', `p50 ${ms(st.latency.p50Ms)}, p99 ${ms(st.latency.p99Ms)} (last ${st.latency.samples} answers)`],
  ]);
}
