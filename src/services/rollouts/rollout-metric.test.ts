/** The metric guardrail's reading: real HTTP servers answering Prometheus text, summed per version. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVersionMetric, sumSeries } from './rollout-metric.js';

const TEXT = (depth: number) => `# HELP queue_depth calls waiting
# TYPE queue_depth gauge
queue_depth{model="a"} ${depth}
queue_depth{model="b"} 1
queue_depth_total 99
other 5
`;

const servers: http.Server[] = [];
const serve = async (body: string | null): Promise<string> => {
  const s = http.createServer((_req, res) => (body === null ? res.writeHead(500).end() : res.end(body)));
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};
let urls: string[];
beforeAll(async () => {
  urls = [await serve(TEXT(3)), await serve(TEXT(5)), await serve(null)];
});
afterAll(() => servers.forEach((s) => s.close()));

describe('the metric guardrail reading', () => {
  it('sums every label set of the exact series name, and nothing else', () => {
    expect(sumSeries(TEXT(3), 'queue_depth')).toBe(4);
    expect(sumSeries(TEXT(3), 'other')).toBe(5);
    expect(sumSeries(TEXT(3), 'queue')).toBeUndefined();
  });

  it("sums a version's ready instances; one that fails is left out; none answering is null", async () => {
    const targets = [
      { service: 's', seq: 2, url: urls[0]! },
      { service: 's', seq: 2, url: urls[1]! },
      { service: 's', seq: 2, url: urls[2]! },
      { service: 's', seq: 1, url: urls[0]! },
    ];
    expect(await readVersionMetric(targets, 's', 2, 'queue_depth')).toBe(10);
    expect(await readVersionMetric(targets, 's', 1, 'queue_depth')).toBe(4);
    expect(await readVersionMetric(targets, 's', 2, 'missing')).toBeNull();
    expect(await readVersionMetric(targets, 's', 3, 'queue_depth')).toBeNull();
  });
});
