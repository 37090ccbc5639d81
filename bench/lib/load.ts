/**
 * The load generator: autocannon, in this process, on loopback, bounded in time.
 * Requests/s over the whole run (not the per-second mean); errors = transport errors +
 * timeouts + non-2xx. Latencies are taken from each response's own time (autocannon's
 * histogram keeps whole milliseconds only, too coarse for sub-millisecond calls).
 */
import { createRequire } from 'node:module';

interface AutocannonResult {
  duration: number;
  requests: { total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
interface Instance {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
type Autocannon = (opts: Record<string, unknown>, done: (err: Error | null, r: AutocannonResult) => void) => Instance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  body?: string | Buffer;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
}

export async function load(spec: LoadSpec): Promise<LoadResult> {
  let lat = new Float64Array(1 << 16);
  let n = 0;
  let inst: Instance | undefined;
  const r = await new Promise<AutocannonResult>((resolve, reject) => {
    inst = autocannon(
      {
        url: spec.url,
        method: spec.method ?? (spec.body !== undefined ? 'POST' : 'GET'),
        body: spec.body,
        headers: { ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}), ...spec.headers },
        connections: spec.connections,
        duration: spec.seconds,
        timeout: 30,
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    inst.on('response', (_c, _s, _b, ms) => {
      if (n === lat.length) {
        const bigger = new Float64Array(lat.length * 2);
        bigger.set(lat);
        lat = bigger;
      }
      lat[n++] = ms;
    });
  });
  const sorted = lat.subarray(0, n).sort();
  const q = (p: number) => (n === 0 ? NaN : sorted[Math.min(n - 1, Math.floor(p * n))]!);
  return { rps: r.requests.total / r.duration, p50: q(0.5), p99: q(0.99), errors: r.errors + r.timeouts + r.non2xx, requests: r.requests.total };
}
