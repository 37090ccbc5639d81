import { describe, expect, it } from 'vitest';
import { ServiceMetrics } from './service-metrics.js';

describe('ServiceMetrics', () => {
  it('buckets calls into 10 s points with qps, errors and latency percentiles', async () => {
    let t = Date.UTC(2026, 0, 1, 0, 0, 0);
    const m = new ServiceMetrics(() => t);
    m.setReady('svc', 1, 2, 2);
    for (let i = 1; i <= 100; i++) m.observe('svc', 1, i, i % 10 === 0 ? 503 : 200);
    t += 10_000;
    m.observe('svc', 1, 5, 200);
    const w = m.window('svc', 30_000);
    expect(w).toHaveLength(3);
    expect(w[1]).toMatchObject({ qps: 10, errors: 10, p50Ms: 51, p99Ms: 100, readyInstances: 2 });
    expect(w[2]).toMatchObject({ qps: 0.1, errors: 0, p50Ms: 5 });
    expect(w[0]).toMatchObject({ qps: 0, p50Ms: null });
    const text = await m.registry.metrics();
    expect(text).toContain('modeldock_requests_total{service="svc",version="1",instance_id="",code="503"} 10');
    expect(text).toContain('modeldock_ready_instances{service="svc",version="1"} 2');
  });
});
