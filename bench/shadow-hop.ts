/**
 * What shadow traffic costs the gateway itself: gateway req/s with a shadow at 100%
 * against none, with minimal HTTP upstreams (a fixed OIP answer) so that no model work
 * hides the gateway's own cost. Two gateway processes, one routing with a shadow to a
 * second upstream and one without, measured alternately (off, on, three times over) with
 * autocannon at c=32; ratios of the means, same run: req/s, and the gateway process's CPU
 * time per call (/proc), which a busy shared machine disturbs less than req/s. Scenario 10 of `npm run bench`
 * measures the same through `modeldock up` with real instances.
 *
 *   npx tsc -p bench/tsconfig.json && cp package.json test-artifacts/bench-build/ \
 *     && node test-artifacts/bench-build/bench/shadow-hop.js [--seconds 5] [--c 32]
 *
 * (the gateway reads its version from ../../package.json, relative to its compiled file)
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { buildApp } from '../src/api/app.js';
import type { ServiceDirectory, ServiceRoute } from '../src/gateway/service-directory.js';
import { gatewayPlugin } from '../src/gateway/gateway-plugin.js';

const self = fileURLToPath(import.meta.url);
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const BODY = JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] });
const ANSWER = JSON.stringify({ model_name: 'tiny', outputs: [{ name: 'y', shape: [1, 4], datatype: 'FP32', data: [0, 0, 1, 2] }] });

/** Child mode: a gateway routing to `primary`, with a shadow at 100% to `shadow` when given; prints its port and, on SIGUSR2, the copies it counted. */
async function serveGateway(primary: string, shadow: string): Promise<void> {
  const counts = new Map<string, number>();
  const route: ServiceRoute = {
    name: 'tiny',
    auth: false,
    stopped: false,
    versions: [
      { id: 'v1', seq: 1, weight: 100, targets: [{ instanceId: 'i1', url: primary }], scalesFromZero: false },
      ...(shadow ? [{ id: 'v2', seq: 2, weight: 0, targets: [{ instanceId: 'i2', url: shadow }], scalesFromZero: false }] : []),
    ],
    ...(shadow ? { shadow: { version: 2, percent: 100 } } : {}),
  };
  const directory: ServiceDirectory = {
    route: (n) => (n === 'tiny' ? route : undefined),
    wake: async () => false,
    observe: () => undefined,
    observeShadow: (_n, _v, event) => void counts.set(event, (counts.get(event) ?? 0) + 1),
    verifyToken: async () => ({ ok: false }),
  };
  const log = pino({ level: 'warn' }, pino.destination({ dest: '/dev/null', sync: false }));
  const app = await buildApp({ logger: log, bodyLimitBytes: 1 << 20, adminToken: '', version: 'bench' }, [
    { plugin: gatewayPlugin({ directory, log, maxBodyBytes: 1 << 20, requestTimeoutMs: 30_000, wakeTimeoutMs: 1000 }) },
  ]);
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.on('SIGUSR2', () => console.log(JSON.stringify({ event: 'counts', counts: Object.fromEntries(counts) })));
  console.log(JSON.stringify({ event: 'ready', port: (app.server.address() as AddressInfo).port }));
}

function serveHttp(): void {
  const s = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(ANSWER);
    });
  });
  s.keepAliveTimeout = 60_000;
  s.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ event: 'ready', port: (s.address() as AddressInfo).port })));
}

async function start(args: string[]): Promise<{ url: string; lines: readline.Interface; pid: number; stop: () => void }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  const lines = readline.createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    lines.on('line', (l) => l.startsWith('{"event":"ready"') && resolve((JSON.parse(l) as { port: number }).port));
    child.once('exit', (c) => reject(new Error(`${args.join(' ')} exited with ${c}`)));
  });
  return { url: `http://127.0.0.1:${port}`, lines, pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

async function cannon(url: string, connections: number, seconds: number): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const bin = fileURLToPath(new URL('../../../node_modules/autocannon/autocannon.js', import.meta.url));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [bin, '-c', String(connections), '-d', String(seconds), '-m', 'POST', '-H', 'content-type=application/json', '-b', BODY, '--json', url],
    { maxBuffer: 64 << 20 },
  );
  const r = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number };
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** the gateway's CPU per call, µs */
  cpuUs: number;
}

/** One autocannon run against a gateway, with that gateway's CPU time per call. */
async function measured(g: { url: string; pid: number }, c: number, seconds: number): Promise<Run> {
  const before = cpuSeconds(g.pid);
  const r = await cannon(`${g.url}/v2/models/tiny/infer`, c, seconds);
  return { ...r, cpuUs: ((cpuSeconds(g.pid) - before) / Math.max(1, r.rps * seconds)) * 1e6 };
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '5'));
  const c = Number(arg('c', '32'));
  const primary = await start([self, '--serve-http']);
  const shadowUp = await start([self, '--serve-http']);
  const off = await start([self, '--serve-gateway', primary.url, '--shadow', '']);
  const on = await start([self, '--serve-gateway', primary.url, '--shadow', shadowUp.url]);
  const runs: Record<'off' | 'on', Run[]> = { off: [], on: [] };
  try {
    for (const g of [off, on]) await cannon(`${g.url}/v2/models/tiny/infer`, c, 2);
    for (const mode of ['off', 'on', 'off', 'on', 'off', 'on'] as const) runs[mode].push(await measured(mode === 'on' ? on : off, c, seconds));
    const counts = await new Promise<Record<string, number>>((resolve) => {
      on.lines.on('line', (l) => l.startsWith('{"event":"counts"') && resolve((JSON.parse(l) as { counts: Record<string, number> }).counts));
      process.kill(on.pid, 'SIGUSR2');
    });
    const mean = (k: 'off' | 'on', f: (r: Run) => number = (r) => r.rps) => runs[k].reduce((a, r) => a + f(r), 0) / runs[k].length;
    console.log(`shadow at the gateway, HTTP-floor upstreams, c=${c}, ${seconds} s per run, alternated off/on ×3`);
    console.log('| shadow | runs req/s | mean req/s | gateway CPU µs/call (runs) | p50 / p99 ms (last run) | errors |');
    console.log('|---|---|---|---|---|---|');
    for (const k of ['off', 'on'] as const) {
      const last = runs[k][runs[k].length - 1]!;
      console.log(
        `| ${k === 'on' ? '100%' : 'none'} | ${runs[k].map((r) => r.rps.toFixed(0)).join(', ')} | ${mean(k).toFixed(0)} | ${runs[k].map((r) => r.cpuUs.toFixed(0)).join(', ')} | ${last.p50} / ${last.p99} | ${runs[k].reduce((a, r) => a + r.errors, 0)} |`,
      );
    }
    const cpu = (k: 'off' | 'on') => mean(k, (r) => r.cpuUs);
    console.log(
      `ratio (100% / none): ${(mean('on') / mean('off')).toFixed(3)}× req/s, ${(cpu('on') / cpu('off')).toFixed(3)}× gateway CPU per call; copies: ${JSON.stringify(counts)}`,
    );
  } finally {
    for (const p of [on, off, shadowUp, primary]) p.stop();
  }
}

if (process.argv.includes('--serve-gateway')) await serveGateway(arg('serve-gateway', ''), arg('shadow', ''));
else if (process.argv.includes('--serve-http')) serveHttp();
else await main();
