import { describe, expect, it } from 'vitest';
import { PlatformSeries } from './platform-series.js';

/** The value of one sample line of the exposition text, or undefined when there is none. */
function sample(text: string, line: string): number | undefined {
  const hit = text.split('\n').find((l) => l.startsWith(`${line} `));
  return hit === undefined ? undefined : Number(hit.slice(line.length + 1));
}

describe('PlatformSeries', () => {
  it('counts calls by code per service, version and instance, with a latency histogram', async () => {
    const p = new PlatformSeries();
    p.call('svc', '2', 'i-1', 200, 3);
    p.call('svc', '2', 'i-1', 200, 40);
    p.call('svc', '2', 'i-2', 503, 1);
    const text = await p.registry.metrics();
    expect(sample(text, 'modeldock_requests_total{service="svc",version="2",instance_id="i-1",code="200"}')).toBe(2);
    expect(sample(text, 'modeldock_requests_total{service="svc",version="2",instance_id="i-2",code="503"}')).toBe(1);
    const bucket = (le: string) => sample(text, `modeldock_request_duration_seconds_bucket{service="svc",version="2",instance_id="i-1",le="${le}"}`);
    expect([bucket('0.0025'), bucket('0.005'), bucket('0.025'), bucket('0.05'), bucket('10'), bucket('+Inf')]).toEqual([0, 1, 1, 2, 2, 2]);
    expect(sample(text, 'modeldock_request_duration_seconds_sum{service="svc",version="2",instance_id="i-1"}')).toBeCloseTo(0.043, 9);
    expect(sample(text, 'modeldock_request_duration_seconds_count{service="svc",version="2",instance_id="i-1"}')).toBe(2);
    expect(text).toMatch(/^# TYPE modeldock_request_duration_seconds histogram$/m);
    expect(text).toMatch(/^# TYPE modeldock_requests_total counter$/m);
    expect(text).toMatch(/^modeldock_platform_process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^modeldock_platform_nodejs_heap_size_used_bytes \d/m);
  });

  it('puts a latency on a bucket bound into that bucket, and one over the last bound into +Inf only', async () => {
    const p = new PlatformSeries();
    p.call('svc', '1', 'i', 200, 5); // 0.005 s: le="0.005"
    p.call('svc', '1', 'i', 200, 60_000);
    const text = await p.registry.metrics();
    const bucket = (le: string) => sample(text, `modeldock_request_duration_seconds_bucket{service="svc",version="1",instance_id="i",le="${le}"}`);
    expect([bucket('0.0025'), bucket('0.005'), bucket('10'), bucket('+Inf')]).toEqual([0, 1, 1, 2]);
  });

  it('counts 429s by reason', async () => {
    const p = new PlatformSeries();
    p.call('svc', '', '', 429, 0.2, 'token');
    p.call('svc', '', '', 429, 0.2, 'token');
    p.call('svc', '1', '', 429, 0.1, 'instance_limit');
    const text = await p.registry.metrics();
    expect(sample(text, 'modeldock_rate_limited_total{service="svc",reason="token"}')).toBe(2);
    expect(sample(text, 'modeldock_rate_limited_total{service="svc",reason="instance_limit"}')).toBe(1);
    expect(sample(text, 'modeldock_requests_total{service="svc",version="",instance_id="",code="429"}')).toBe(2);
  });

  it('reads calls in flight from its source at scrape time', async () => {
    const p = new PlatformSeries();
    let now = [{ service: 'svc', seq: 1, instanceId: 'i-1', inflight: 3 }];
    p.setInflightSource(() => now);
    expect(sample(await p.registry.metrics(), 'modeldock_inflight_calls{service="svc",version="1",instance_id="i-1"}')).toBe(3);
    now = [{ service: 'svc', seq: 1, instanceId: 'i-2', inflight: 0 }];
    const text = await p.registry.metrics();
    expect(sample(text, 'modeldock_inflight_calls{service="svc",version="1",instance_id="i-1"}')).toBeUndefined();
    expect(sample(text, 'modeldock_inflight_calls{service="svc",version="1",instance_id="i-2"}')).toBe(0);
  });

  it('counts restarts as they grow and drops the series of an instance that is gone', async () => {
    const p = new PlatformSeries();
    p.syncInstances([{ service: 'svc', seq: 1, instanceId: 'i-1', restarts: 0 }]);
    p.call('svc', '1', 'i-1', 200, 1);
    const line = 'modeldock_instance_restarts_total{service="svc",version="1",instance_id="i-1"}';
    expect(sample(await p.registry.metrics(), line)).toBe(0);
    p.syncInstances([{ service: 'svc', seq: 1, instanceId: 'i-1', restarts: 2 }]);
    p.syncInstances([{ service: 'svc', seq: 1, instanceId: 'i-1', restarts: 2 }]);
    p.syncInstances([{ service: 'svc', seq: 1, instanceId: 'i-1', restarts: 3 }]);
    expect(sample(await p.registry.metrics(), line)).toBe(3);
    await p.syncInstances([{ service: 'svc', seq: 1, instanceId: 'i-9', restarts: 1 }]);
    const text = await p.registry.metrics();
    expect(text).not.toContain('instance_id="i-1"');
    expect(sample(text, 'modeldock_instance_restarts_total{service="svc",version="1",instance_id="i-9"}')).toBe(1);
  });

  it('counts held calls by outcome, and a cold start only for the first call held', async () => {
    const p = new PlatformSeries();
    const a = p.hold('svc', '1', true);
    const b = p.hold('svc', '1', false);
    let text = await p.registry.metrics();
    expect(sample(text, 'modeldock_held_calls{service="svc",version="1"}')).toBe(2);
    expect(sample(text, 'modeldock_cold_starts_total{service="svc",version="1"}')).toBe(1);
    a('ready');
    b('timeout');
    text = await p.registry.metrics();
    expect(sample(text, 'modeldock_held_calls{service="svc",version="1"}')).toBe(0);
    expect(sample(text, 'modeldock_held_calls_total{service="svc",version="1",outcome="ready"}')).toBe(1);
    expect(sample(text, 'modeldock_held_calls_total{service="svc",version="1",outcome="timeout"}')).toBe(1);
  });

  it('drops every series of a deleted service', async () => {
    const p = new PlatformSeries();
    p.call('gone', '1', 'i-1', 200, 1);
    p.setReady('gone', '1', 1);
    p.call('kept', '1', 'i-2', 200, 1);
    await p.dropService('gone');
    const text = await p.registry.metrics();
    expect(text).not.toContain('service="gone"');
    expect(text).toContain('service="kept"');
  });
});
