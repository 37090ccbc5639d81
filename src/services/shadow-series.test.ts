import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RECENT_LATENCIES, ShadowSeries, zeroShadowStats } from './shadow-series.js';

describe('ShadowSeries (shadow traffic counts)', () => {
  it('counts sent copies, how they ended and those not sent; in flight is sent minus ended', () => {
    const s = new ShadowSeries(new Registry());
    for (let i = 0; i < 5; i++) s.observe('svc', '2', 'sent');
    s.observe('svc', '2', 'match', 10);
    s.observe('svc', '2', 'mismatch', 20);
    s.observe('svc', '2', 'error', 30);
    s.observe('svc', '2', 'timeout', 40);
    s.observe('svc', '2', 'skipped');
    s.observe('svc', '2', 'dropped');
    s.observe('svc', '3', 'sent');
    const st = s.stats('svc', '2');
    expect(st).toMatchObject({
      mirrored: 5,
      inflight: 1,
      skipped: 1,
      dropped: 1,
      errors: { status: 1, timeout: 1, unreachable: 0 },
      compared: { match: 1, mismatch: 1, uncompared: 0 },
    });
    expect(st.latency).toEqual({ p50Ms: 30, p99Ms: 40, samples: 4 });
    expect(s.stats('svc', '3').mirrored).toBe(1);
    expect(s.stats('other', '2')).toEqual(zeroShadowStats());
    s.drop('svc');
    expect(s.stats('svc', '2')).toEqual(zeroShadowStats());
  });

  it('keeps the last latencies only, for p50/p99', () => {
    const s = new ShadowSeries(new Registry());
    for (let i = 0; i < RECENT_LATENCIES; i++) s.observe('a', '1', 'match', 1000);
    for (let i = 0; i < RECENT_LATENCIES; i++) s.observe('a', '1', 'match', 5);
    expect(s.stats('a', '1').latency).toEqual({ p50Ms: 5, p99Ms: 5, samples: RECENT_LATENCIES });
  });

  it('exports Prometheus series by service, version and outcome', async () => {
    const r = new Registry();
    const s = new ShadowSeries(r);
    s.observe('svc', '2', 'sent');
    s.observe('svc', '2', 'sent');
    s.observe('svc', '2', 'mismatch', 3);
    const text = await r.metrics();
    expect(text).toContain('modeldock_shadow_calls_total{service="svc",version="2",outcome="mismatch"} 1');
    expect(text).toContain('modeldock_shadow_inflight_calls{service="svc",version="2"} 1');
    expect(text).toContain('modeldock_shadow_duration_seconds_bucket{service="svc",version="2",le="0.005"} 1');
    expect(text).toContain('modeldock_shadow_duration_seconds_count{service="svc",version="2"} 1');
  });
});
