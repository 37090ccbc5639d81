import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchStats, parseBatchTotals } from './batch-stats.js';
import { ServiceMetrics } from './service-metrics.js';

const promText = (count: number, sum: number) =>
  [
    '# HELP modeldock_instance_batch_size rows per batch run by the runtime',
    '# TYPE modeldock_instance_batch_size histogram',
    `modeldock_instance_batch_size_bucket{le="1"} 0`,
    `modeldock_instance_batch_size_bucket{le="+Inf"} ${count}`,
    `modeldock_instance_batch_size_sum ${sum}`,
    `modeldock_instance_batch_size_count ${count}`,
    'modeldock_instance_queue_depth 3',
    '',
  ].join('\n');

let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe('BatchStats', () => {
  it('parses the batch histogram totals of an instance', () => {
    expect(parseBatchTotals(promText(4, 22))).toEqual({ batches: 4, rows: 22 });
    expect(parseBatchTotals('process_cpu_seconds_total 1\n')).toBeUndefined();
  });

  it('adds what each instance ran since the last read to the service, and starts over after a restart', async () => {
    let totals = { count: 2, sum: 10 };
    server = http.createServer((_req, res) => res.end(promText(totals.count, totals.sum)));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let t = Date.UTC(2026, 0, 1);
    const metrics = new ServiceMetrics(() => t);
    const stats = new BatchStats({ targets: () => [{ service: 'svc', seq: 2, instanceId: 'i1', url }], metrics });
    const last = () => metrics.window('svc', 10_000).at(-1)!.batchSize;
    await stats.scrapeOnce();
    expect(last()).toBe(5); // first sight: its whole life, 10 rows in 2 batches
    t += 10_000;
    await stats.scrapeOnce();
    expect(last()).toBeNull(); // nothing new
    totals = { count: 5, sum: 13 };
    await stats.scrapeOnce();
    expect(last()).toBe(1); // 3 batches of one row since the last read
    t += 10_000;
    totals = { count: 1, sum: 8 }; // restarted in place: counts from zero
    await stats.scrapeOnce();
    expect(last()).toBe(8);
    // the platform's series: batches and rows counted across the restart, the queue as read
    const text = await metrics.registry.metrics();
    expect(text).toContain('modeldock_batches_total{service="svc",version="2",instance_id="i1"} 6');
    expect(text).toContain('modeldock_batch_rows_total{service="svc",version="2",instance_id="i1"} 21');
    expect(text).toContain('modeldock_queue_depth{service="svc",version="2",instance_id="i1"} 3');
  });

  it('skips an instance that does not answer', async () => {
    const metrics = new ServiceMetrics();
    const stats = new BatchStats({ targets: () => [{ service: 'svc', instanceId: 'gone', url: 'http://127.0.0.1:9' }], metrics, timeoutMs: 500 });
    await stats.scrapeOnce();
    expect(metrics.window('svc', 10_000).at(-1)!.batchSize).toBeNull();
  });
});
