/**
 * For gateway tests: an in-memory ServiceDirectory (a real implementation of the seam,
 * routes set by the test), the gateway mounted on the real API app, plain node:http
 * upstreams for failing or slow instances, and a bounded concurrent load loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { request } from 'undici';
import type { FastifyInstance } from 'fastify';
import { buildApp, type ApiPlugin } from '../src/api/app.js';
import type { RouteVersion, ServiceDirectory, ServiceRoute, TokenCheck } from '../src/gateway/service-directory.js';
import { gatewayPlugin, type AccessLogSink, type GatewayDeps } from '../src/gateway/gateway-plugin.js';
import type { Logger } from '../src/log.js';

export class MemoryDirectory implements ServiceDirectory {
  private routes = new Map<string, ServiceRoute>();
  private waiters: (() => void)[] = [];
  readonly observed: { service: string; versionId: string; status: number }[] = [];
  readonly wakes: { service: string; versionId: string }[] = [];
  onWake?: (service: string, versionId: string) => void;
  tokens?: { verify(service: string, token: string): Promise<TokenCheck> };
  tokenChecks = 0;

  /** Replaces a service's route (a new object, as the real directory hands out). */
  set(route: ServiceRoute): void {
    this.routes.set(route.name, { ...route, versions: route.versions.map((v) => ({ ...v, targets: [...v.targets] })) });
    for (const w of this.waiters.splice(0)) w();
  }

  /** Changes one version of a service. */
  patch(service: string, versionId: string, change: Partial<RouteVersion>): void {
    const r = this.routes.get(service)!;
    this.set({ ...r, versions: r.versions.map((v) => (v.id === versionId ? { ...v, ...change } : v)) });
  }

  remove(name: string): void {
    this.routes.delete(name);
  }

  route(name: string): ServiceRoute | undefined {
    return this.routes.get(name);
  }

  async wake(service: string, versionId: string, timeoutMs: number): Promise<boolean> {
    this.wakes.push({ service, versionId });
    this.onWake?.(service, versionId);
    const until = Date.now() + timeoutMs;
    for (;;) {
      const v = this.routes.get(service)?.versions.find((x) => x.id === versionId);
      if (v?.targets.length) return true;
      const left = until - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  observe(service: string, versionId: string | undefined, sample: { latencyMs: number; status: number }): void {
    // calls routed to a version only (a refusal before one was chosen has none)
    if (versionId !== undefined) this.observed.push({ service, versionId, status: sample.status });
  }

  async verifyToken(service: string, token: string): Promise<TokenCheck> {
    this.tokenChecks++;
    return this.tokens ? this.tokens.verify(service, token) : { ok: false };
  }
}

export const version = (id: string, seq: number, weight: number, urls: string[], extra: Partial<RouteVersion> = {}): RouteVersion => ({
  id,
  seq,
  weight,
  targets: urls.map((url, i) => ({ instanceId: `${id}-i${i}`, url })),
  scalesFromZero: false,
  ...extra,
});

/** A logger whose JSON lines are kept in `lines` (to check what is, and is not, logged). */
export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  const log = pino({ level: 'debug', redact: { paths: ['req.headers.authorization', 'authorization', 'token', '*.token'], censor: '[redacted]' } }, sink);
  return { log, lines };
}

export interface TestGateway {
  url: string;
  app: FastifyInstance;
  access: Parameters<AccessLogSink>[0][];
  lines: string[];
  close(): Promise<void>;
}

/** The gateway plugin on the platform's real API app (error edge, hooks), listening on loopback. */
export async function startGateway(directory: ServiceDirectory, opts: Partial<GatewayDeps> = {}, more: ApiPlugin[] = []): Promise<TestGateway> {
  const { log, lines } = capturingLogger();
  const access: Parameters<AccessLogSink>[0][] = [];
  const deps: GatewayDeps = {
    directory,
    log,
    maxBodyBytes: 1024 * 1024,
    requestTimeoutMs: 10_000,
    wakeTimeoutMs: 5_000,
    accessLog: (l) => access.push(l),
    ...opts,
  };
  const app = await buildApp({ logger: log, bodyLimitBytes: 64 * 1024, adminToken: '', version: 'test' }, [{ plugin: gatewayPlugin(deps) }, ...more]);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, app, access, lines, close: () => app.close() };
}

export interface Upstream {
  url: string;
  hits: number;
  server: http.Server;
  close(): Promise<void>;
}

/** A plain HTTP server standing in for an instance where the test needs one that misbehaves. */
export async function startUpstream(handler: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void): Promise<Upstream> {
  const u = { hits: 0 } as Upstream;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      u.hits++;
      handler(req, res, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  u.server = server;
  u.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  u.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return u;
}

/** Answers `{"from": name, "echo": <body as text>}`. */
export const echo = (name: string) => (_req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ from: name, echo: body.toString() }));
};

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => any;
}

export async function call(url: string, opts: { method?: 'GET' | 'POST'; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Reply> {
  const res = await request(url, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    body: opts.body,
    headers: { 'content-type': 'application/json', ...opts.headers },
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
}

/**
 * A bounded concurrent load loop: `concurrency` workers each send calls back to back
 * until `total` calls were sent (or `until()` says stop); answers every status seen.
 */
export async function load(total: number, concurrency: number, send: (i: number) => Promise<number>, until?: () => boolean): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total && !(until?.() ?? false)) {
      const i = next++;
      statuses.push(await send(i).catch(() => -1));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

export interface InstanceProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** SIGKILL, and wait for the exit */
  kill(): Promise<void>;
  close(): Promise<void>;
}

export const BIN = fileURLToPath(new URL('../bin/modeldock.js', import.meta.url));

/** A real `modeldock instance` process (needs dist/); resolves once it prints its ready line. */
export async function startInstance(modelDir: string, modelName: string, runtime = 'onnxruntime1.30-node20-cpu'): Promise<InstanceProcess> {
  const args = [
    BIN,
    'instance',
    '--model-dir',
    modelDir,
    '--runtime',
    runtime,
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--model-name',
    modelName,
    '--threads',
    '1',
  ];
  return spawnReady(args, { ...process.env, MODELDOCK_LOG_LEVEL: 'warn', NODE_NO_WARNINGS: '1' });
}

async function spawnReady(args: string[], env: NodeJS.ProcessEnv): Promise<InstanceProcess> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance not ready within 30 s: ${stderr}`)), 30_000);
    const rl = readline.createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      if (!line.startsWith('{"event":"ready"')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`instance exited with ${code} before ready: ${stderr}`));
    });
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, child, kill, close: kill };
}
