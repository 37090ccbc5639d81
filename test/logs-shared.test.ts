/**
 * Service logs live in the store (issue 19 §1): two platform replicas on one PostgreSQL
 * database read the same lines (REST and the SSE follow, which resumes by Last-Event-ID),
 * a restarted platform still has them, and retention drops a service's oldest lines.
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { readSse, SseParser, type SseEvent } from '../src/contracts/sse-parser.js';
import type { ServiceLogLine } from '../src/contracts/service-ops.js';
import { eventually, importPlaceholder, testPlatform, type TestPlatform } from './support/platform.js';
import { freshPgDatabase } from './support/pg.js';
import { BIN } from './cli-harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function replica(databaseUrl: string, logs: Record<string, unknown> = {}): Promise<TestPlatform & { base: string }> {
  const p = await testPlatform({ databaseUrl, logs });
  await p.app.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => p.close());
  return Object.assign(p, { base: `http://127.0.0.1:${(p.app.server.address() as AddressInfo).port}` });
}

async function service(p: TestPlatform, name: string): Promise<void> {
  await importPlaceholder(p);
  const version = { model: 'm', modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 1024 }, scaling: { mode: 'manual', instances: 0 } };
  expect((await p.app.inject({ method: 'POST', url: '/api/v1/services', payload: { name, version } })).statusCode).toBe(202);
}

const lines = async (p: TestPlatform, name: string, query = '') =>
  (await p.app.inject({ url: `/api/v1/services/${name}/logs${query}` })).json() as { items: ServiceLogLine[]; cursor: number };
const say = (p: TestPlatform, service: string, line: string, more: Partial<ServiceLogLine> = {}) =>
  p.logs.append({ ts: new Date().toISOString(), service, instanceId: 'i-1', stream: 'stdout', line, ...more });

/** Follows …/logs/stream; `events` fills as they come; `stop()` ends it. */
function follow(base: string, path: string, lastEventId?: string) {
  const events: SseEvent[] = [];
  const ac = new AbortController();
  const parser = new SseParser();
  const done = fetch(`${base}${path}`, { signal: ac.signal, headers: lastEventId ? { 'last-event-id': lastEventId } : {} })
    .then(async (r) => {
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
      await readSse(r.body!, (e) => void events.push(e), parser);
    })
    .catch((e: Error) => (e.name === 'AbortError' ? undefined : Promise.reject(e)));
  return {
    events,
    parser,
    done,
    logs: () => events.filter((e) => e.event === 'log').map((e) => (JSON.parse(e.data) as ServiceLogLine).line),
    stop: () => (ac.abort(), done),
  };
}

describe('service logs shared by replicas', () => {
  it('a line appended through replica A reads the same from B, over REST and SSE, and after a restart', async () => {
    const pg = await freshPgDatabase('logs');
    cleanups.push(() => pg.drop());
    const a = await replica(pg.url);
    const b = await replica(pg.url);
    await service(a, 'talk');
    await eventually(async () => (await b.app.inject({ url: '/api/v1/services/talk' })).statusCode === 200, 10_000, 'B sees the service');

    say(a, 'talk', 'INFO hello from A', { version: 'v1' });
    say(a, 'talk', 'ERROR something broke', { version: 'v1', instanceId: 'i-2' });
    const fromB = await eventually(async () => ((await lines(b, 'talk')).items.length === 2 ? lines(b, 'talk') : undefined), 10_000, "B reads A's lines");
    expect(fromB.items.map((l) => [l.line, l.level, l.version])).toEqual([
      ['INFO hello from A', 'info', 'v1'],
      ['ERROR something broke', 'error', 'v1'],
    ]);
    expect((await lines(b, 'talk', '?level=error')).items.map((l) => l.instanceId)).toEqual(['i-2']);
    expect((await lines(b, 'talk', '?version=2')).items).toEqual([]);
    expect((await b.app.inject({ url: '/api/v1/services/talk/logs?version=latest' })).statusCode).toBe(400);

    // B follows; A writes; B's stream shows it (B polls the shared store for other replicas' lines)
    const f = follow(b.base, '/api/v1/services/talk/logs/stream?limit=1');
    await eventually(() => f.events.some((e) => e.event === 'ready'), 10_000, 'ready');
    expect(f.logs()).toEqual(['ERROR something broke']);
    say(a, 'talk', 'line 3');
    say(a, 'talk', 'line 4');
    await eventually(() => f.logs().length === 3, 10_000, "the follower sees A's new lines");
    const last = f.parser.lastEventId;
    await f.stop();
    say(a, 'talk', 'line 5');
    // a reconnect with Last-Event-ID goes on after the last line seen, none twice, none missed
    const g = follow(b.base, '/api/v1/services/talk/logs/stream', last);
    await eventually(() => g.logs().includes('line 5'), 10_000, 'resumed');
    expect(g.logs()).toEqual(['line 5']);
    await g.stop();

    // the CLI's -f follows the same stream, with the same query
    const cliOut: string[] = [];
    const child = spawn(process.execPath, [BIN, '--server', b.base, 'services', 'logs', 'talk', '-f', '--level', 'warn', '--limit', '5'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(async () => child.kill());
    child.stdout.on('data', (d: Buffer) => cliOut.push(d.toString()));
    await eventually(() => cliOut.join('').includes('something broke'), 15_000, 'the CLI prints the tail');
    say(a, 'talk', 'WARN disk almost full');
    say(a, 'talk', 'just info');
    await eventually(() => cliOut.join('').includes('WARN disk almost full'), 15_000, 'the CLI follows');
    child.kill();
    expect(cliOut.join('')).not.toContain('just info');
    expect(cliOut.join('')).not.toContain('line 5');

    // a follower still open when B closes ends cleanly (not cut off mid-stream)
    const h = follow(b.base, '/api/v1/services/talk/logs/stream');
    await eventually(() => h.events.some((e) => e.event === 'ready'), 10_000, 'ready');
    await a.close();
    await b.close();
    await h.done;
    const c = await replica(pg.url);
    expect((await lines(c, 'talk')).items.map((l) => l.line)).toEqual([
      'INFO hello from A',
      'ERROR something broke',
      'line 3',
      'line 4',
      'line 5',
      'WARN disk almost full',
      'just info',
    ]);
  });

  it("drops a service's oldest lines past its retention, on every replica alike", async () => {
    const pg = await freshPgDatabase('logsret');
    cleanups.push(() => pg.drop());
    const a = await replica(pg.url, { maxLinesPerService: 20, pruneEveryMs: 100 });
    await service(a, 'chatty');
    for (let n = 1; n <= 50; n++) say(a, 'chatty', `n ${n}`);
    const kept = await eventually(
      async () => {
        const r = await lines(a, 'chatty', '?after=0&limit=1000');
        return r.items.length === 20 ? r : undefined;
      },
      10_000,
      'pruned to 20',
    );
    expect(kept.items.map((l) => l.line)).toEqual(Array.from({ length: 20 }, (_, i) => `n ${31 + i}`));
  });
});
