/**
 * What the gateway hop costs: OIP v2 infer straight to an upstream vs through the gateway
 * (the platform's API app + gatewayPlugin), at concurrency 1 and 32, with autocannon.
 * Each of load generator, gateway and upstream is its own process, on loopback.
 *
 *   npx tsc -p tsconfig.json --outDir test-artifacts/bench-build
 *   node test-artifacts/bench-build/bench/gateway-hop.js [--upstream instance|http] [--seconds 10] [--log info|warn]
 *
 * `instance` is a real `modeldock instance` (needs `npm run build`) on a tiny ONNX model;
 * `http` a minimal Node server answering a fixed OIP response (the HTTP floor).
 */
import { spawn, execFile } from 'node:child_process';
import http from 'node:http';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { buildApp } from '../src/api/app.js';
import type { ServiceDirectory, ServiceRoute } from '../src/gateway/service-directory.js';
import { gatewayPlugin } from '../src/gateway/gateway-plugin.js';
import { tinyInferBody, tinyModelDir } from '../test/gateway-model.js';

const self = fileURLToPath(import.meta.url);
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const BODY = tinyInferBody();
const ANSWER = JSON.stringify({ model_name: 'tiny', outputs: [{ name: 'y', shape: [1, 4], datatype: 'FP32', data: [0, 0, 1, 2] }] });

/** Child mode: a gateway in front of one upstream URL, printing its port. */
async function serveGateway(upstream: string, level: string): Promise<void> {
  const route: ServiceRoute = {
    name: 'tiny',
    auth: false,
    stopped: false,
    versions: [{ id: 'v1', seq: 1, weight: 100, targets: [{ instanceId: 'i1', url: upstream }], scalesFromZero: false }],
  };
  const directory: ServiceDirectory = {
    route: (n) => (n === 'tiny' ? route : undefined),
    wake: async () => false,
    observe: () => undefined,
    verifyToken: async () => ({ ok: false }),
  };
  // --log-buffer N: pino's destination buffers N bytes before a write (0: a write per line)
  const log = pino({ level }, pino.destination({ dest: '/dev/null', sync: false, minLength: Number(arg('log-buffer', '0')) }));
  const app = await buildApp({ logger: log, bodyLimitBytes: 1 << 20, adminToken: '', version: 'bench' }, [
    { plugin: gatewayPlugin({ directory, log, maxBodyBytes: 1 << 20, requestTimeoutMs: 30_000, wakeTimeoutMs: 1000 }) },
  ]);
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
  console.log(JSON.stringify({ event: 'ready', port: (app.server.address() as AddressInfo).port }));
}

/** Child mode: the HTTP floor, a fixed OIP answer after reading the body. */
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

async function start(args: string[]): Promise<{ url: string; pid: number; stop: () => void }> {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, MODELDOCK_LOG_LEVEL: 'warn', NODE_NO_WARNINGS: '1' },
  });
  const port = await new Promise<number>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (l) => l.startsWith('{"event":"ready"') && resolve((JSON.parse(l) as { port: number }).port));
    child.once('exit', (c) => reject(new Error(`${args.join(' ')} exited with ${c}`)));
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function cannon(url: string, connections: number, seconds: number): Promise<Result> {
  const bin = fileURLToPath(new URL('../../../node_modules/autocannon/autocannon.js', import.meta.url));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [bin, '-c', String(connections), '-d', String(seconds), '-m', 'POST', '-H', 'content-type=application/json', '-b', BODY, '--json', url],
    {
      maxBuffer: 64 << 20,
    },
  );
  const r = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number };
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

async function main(): Promise<void> {
  const kind = arg('upstream', 'instance');
  const seconds = Number(arg('seconds', '10'));
  const level = arg('log', 'info');
  const upstream =
    kind === 'http'
      ? await start([self, '--serve-http'])
      : await start([
          fileURLToPath(new URL('../../../bin/modeldock.js', import.meta.url)),
          'instance',
          '--model-dir',
          tinyModelDir(),
          '--runtime',
          'onnxruntime1.30-node20-cpu',
          '--port',
          '0',
          '--host',
          '127.0.0.1',
          '--model-name',
          'tiny',
          '--threads',
          '1',
        ]);
  const gateway = await start([self, '--serve-gateway', upstream.url, '--log', level, '--log-buffer', arg('log-buffer', '0')]);
  const rows: string[] = [];
  try {
    for (const c of [1, 32]) {
      // warm both paths (JIT, keep-alive pools) before measuring
      await cannon(`${upstream.url}/v2/models/tiny/infer`, c, 2);
      await cannon(`${gateway.url}/v2/models/tiny/infer`, c, 2);
      const direct = await cannon(`${upstream.url}/v2/models/tiny/infer`, c, seconds);
      const via = await cannon(`${gateway.url}/v2/models/tiny/infer`, c, seconds);
      rows.push(
        `| ${kind} | ${c} | ${direct.rps.toFixed(0)} | ${via.rps.toFixed(0)} | ${(via.rps / direct.rps).toFixed(2)} | ${direct.p50} / ${direct.p99} | ${via.p50} / ${via.p99} | ${(via.p50 - direct.p50).toFixed(2)} | ${direct.errors + via.errors} |`,
      );
    }
  } finally {
    gateway.stop();
    upstream.stop();
  }
  console.log(`gateway hop, upstream=${kind}, ${seconds} s per run, gateway log level ${level}, log buffer ${arg('log-buffer', '0')} B`);
  console.log('| upstream | conc. | direct req/s | gateway req/s | ratio | direct p50/p99 ms | gateway p50/p99 ms | added p50 ms | errors |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

if (process.argv.includes('--serve-gateway')) await serveGateway(arg('serve-gateway', ''), arg('log', 'info'));
else if (process.argv.includes('--serve-http')) serveHttp();
else await main();
