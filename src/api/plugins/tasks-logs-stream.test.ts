/**
 * GET /api/v1/tasks/{name}/logs/stream: a run's log as server-sent events, followed from
 * before its first line to a `done` event once it ended; Last-Event-ID resumes. A real
 * task run (a small Node script) on a listening platform.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSse, type SseEvent } from '../../contracts/sse-parser.js';
import { testPlatform, type TestPlatform } from '../../../test/support/platform.js';

let p: TestPlatform;
let base: string;
beforeAll(async () => {
  p = await testPlatform();
  await p.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(p.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await p.close();
});

async function events(path: string, headers: Record<string, string> = {}): Promise<SseEvent[]> {
  const r = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(30_000) });
  expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const out: SseEvent[] = [];
  await readSse(r.body!, (e) => void out.push(e));
  return out;
}
const lines = (es: SseEvent[]) => es.filter((e) => e.event === 'log').map((e) => (JSON.parse(e.data) as { line: string }).line);

describe('task logs as server-sent events', () => {
  it('follows a run from its start to done, and resumes after a Last-Event-ID', async () => {
    const code = 'let n = 0; const t = setInterval(() => { console.log("step " + ++n); if (n === 4) { clearInterval(t); } }, 150);';
    await p.blobs.put('code/slow/train.js', Buffer.from(code));
    const r = await p.app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      payload: { name: 'slow', runtime: 'node20-handler', code: { type: 'storage', path: 'code/slow' }, command: 'node train.js' },
    });
    expect(r.statusCode, r.body).toBe(202);
    const all = await events('/api/v1/tasks/slow/logs/stream?after=0');
    expect(lines(all).filter((l) => l.startsWith('step'))).toEqual(['step 1', 'step 2', 'step 3', 'step 4']);
    expect(all.at(-1)!.event).toBe('done');
    const second = all.find((e) => e.event === 'log' && e.data.includes('step 2'))!;
    const rest = await events('/api/v1/tasks/slow/logs/stream', { 'last-event-id': second.id! });
    expect(lines(rest).filter((l) => l.startsWith('step'))).toEqual(['step 3', 'step 4']);
    expect((await p.app.inject({ url: '/api/v1/tasks/nope/logs/stream' })).json().error.code).toBe('TASK_NOT_FOUND');
  });
});
