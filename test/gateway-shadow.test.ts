/**
 * Shadow traffic at the gateway (src/gateway/shadow.ts), with plain node:http upstreams
 * standing in for instances that answer alike, differently, fail, or hold their answer:
 * the caller gets the primary's answer and never waits for the shadow; the share is
 * exact; copies over the in-flight cap are dropped, a shadow with no instance is skipped.
 * End to end on real instances: test/services-shadow.test.ts.
 */
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShadowOutcome } from '../src/contracts/services.js';
import type { ServiceRoute } from '../src/gateway/service-directory.js';
import { call, echo, MemoryDirectory, startGateway, startUpstream, version, type TestGateway, type Upstream } from './gateway-harness.js';
import { eventually } from './support/platform.js';

class ShadowDirectory extends MemoryDirectory {
  readonly shadowEvents: { versionId: string; event: ShadowOutcome | 'sent'; latencyMs?: number }[] = [];
  observeShadow(_name: string, versionId: string, event: ShadowOutcome | 'sent', latencyMs?: number): void {
    this.shadowEvents.push({ versionId, event, latencyMs });
  }
  count(event: ShadowOutcome | 'sent'): number {
    return this.shadowEvents.filter((e) => e.event === event).length;
  }
}

const dir = new ShadowDirectory();
let gw: TestGateway;
let primary: Upstream;
let twin: Upstream;
let other: Upstream;
let failing: Upstream;
let holding: Upstream;
const twinBodies: string[] = [];
const held: http.ServerResponse[] = [];

const route = (shadowUrl: string[], shadow: ServiceRoute['shadow']): ServiceRoute => ({
  name: 'svc',
  auth: false,
  stopped: false,
  versions: [version('v1', 1, 100, [primary.url]), version('v2', 2, 0, shadowUrl)],
  shadow,
});
const predict = (body = '{"x":1}', headers: Record<string, string> = {}) => call(`${gw.url}/svc/v1/models/m:predict`, { body, headers });

beforeAll(async () => {
  primary = await startUpstream(echo('p'));
  // answers as the primary does: same JSON, keys in another order
  twin = await startUpstream((_req, res, body) => {
    twinBodies.push(body.toString());
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ echo: body.toString(), from: 'p' }));
  });
  other = await startUpstream(echo('other'));
  failing = await startUpstream((_req, res) => {
    res.statusCode = 500;
    res.end('{"error":"boom"}');
  });
  holding = await startUpstream((_req, res) => held.push(res));
  gw = await startGateway(dir, { shadowMaxInflight: 2 });
});

afterAll(async () => {
  for (const r of held.splice(0)) r.end('{}');
  await gw?.close();
  for (const u of [primary, twin, other, failing, holding]) await u?.close();
});

describe('shadow traffic at the gateway', () => {
  it('the caller gets the primary answer; the shadow gets the same body and agreeing answers count as matches', async () => {
    dir.set(route([twin.url], { version: 2, percent: 100 }));
    for (let i = 0; i < 5; i++) {
      const r = await predict(`{"n":${i}}`);
      expect([r.status, r.json()]).toEqual([200, { from: 'p', echo: `{"n":${i}}` }]);
    }
    await eventually(() => dir.count('match') === 5, 10_000, '5 matches');
    expect(twinBodies).toEqual([0, 1, 2, 3, 4].map((i) => `{"n":${i}}`));
    expect([dir.count('sent'), dir.count('mismatch')]).toEqual([5, 0]);
    expect(dir.shadowEvents.every((e) => e.versionId === 'v2')).toBe(true);
  });

  it('an answer that differs is a mismatch; the caller still gets the primary answer', async () => {
    dir.set(route([other.url], { version: 2, percent: 100 }));
    const r = await predict();
    expect(r.json().from).toBe('p');
    await eventually(() => dir.count('mismatch') === 1, 10_000, 'a mismatch');
  });

  it('sends exactly the share asked for: 25% of 40 calls is 10 copies, 0% none', async () => {
    dir.set(route([twin.url], { version: 2, percent: 25 }));
    const before = dir.count('sent');
    for (let i = 0; i < 40; i++) await predict();
    expect(dir.count('sent') - before).toBe(10);
    dir.set(route([twin.url], { version: 2, percent: 0 }));
    for (let i = 0; i < 10; i++) await predict();
    expect(dir.count('sent') - before).toBe(10);
  });

  it('a shadow that answers 500 or cannot be reached changes nothing for the caller and counts as an error', async () => {
    const baseline = await predict();
    dir.set(route([failing.url], { version: 2, percent: 100 }));
    const r = await predict();
    expect([r.status, r.text]).toEqual([baseline.status, baseline.text]);
    await eventually(() => dir.count('error') === 1, 10_000, 'an error');
    const gone = await startUpstream(echo('gone'));
    await gone.close();
    dir.set(route([gone.url], { version: 2, percent: 100 }));
    const r2 = await predict();
    expect([r2.status, r2.text]).toEqual([baseline.status, baseline.text]);
    await eventually(() => dir.count('unreachable') === 1, 10_000, 'an unreachable shadow');
  });

  it('the caller does not wait for a shadow that holds its answer; copies over the cap are dropped', async () => {
    dir.set(route([holding.url], { version: 2, percent: 100 }));
    const sentBefore = dir.count('sent');
    const matchesBefore = dir.count('match');
    const first = await predict();
    expect(first.json().from).toBe('p');
    // answered while the shadow's copy is still open on the shadow's side
    await eventually(() => held.length === 1, 10_000, 'the copy to reach the shadow');
    for (let i = 0; i < 4; i++) expect((await predict()).json().from).toBe('p');
    // cap 2: two copies in flight, the other three dropped
    expect([dir.count('sent') - sentBefore, dir.count('dropped')]).toEqual([2, 3]);
    await eventually(() => held.length === 2, 10_000, 'the second copy');
    for (const res of held.splice(0)) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ from: 'p', echo: '{"x":1}' }));
    }
    await eventually(() => dir.count('match') === matchesBefore + 2, 10_000, 'both held copies to end as matches');
    const ended = dir.shadowEvents.filter((e) => e.event === 'match').slice(-2);
    expect(ended.every((e) => (e.latencyMs ?? 0) > 0)).toBe(true);
  });

  it('a shadow with no ready instance is skipped, not woken; calls the shadow serves itself are not copied', async () => {
    dir.set(route([], { version: 2, percent: 100 }));
    const skipped = dir.count('skipped');
    expect((await predict()).json().from).toBe('p');
    expect(dir.count('skipped')).toBe(skipped + 1);
    expect(dir.wakes).toEqual([]);
    dir.set(route([twin.url], { version: 2, percent: 100 }));
    const sent = dir.count('sent');
    expect((await predict('{}', { 'x-modeldock-version': '2' })).json().from).toBe('p');
    expect(dir.count('sent')).toBe(sent);
    // metadata (GET) is never copied
    await call(`${gw.url}/v2/models/svc`);
    expect(dir.count('sent')).toBe(sent);
  });
});
