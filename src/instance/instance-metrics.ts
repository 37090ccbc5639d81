/** The instance's Prometheus metrics (its own registry, served on /metrics). */
import client from 'prom-client';

export interface InstanceMetrics {
  registry: client.Registry;
  /** counts one answered request and its latency */
  observe(route: string, status: number, seconds: number): void;
  batch(rows: number): void;
  inFlight: client.Gauge;
}

export function createInstanceMetrics(queueDepth: () => number): InstanceMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const requests = new client.Counter({
    name: 'modeldock_instance_requests_total',
    help: 'requests answered, by route and HTTP status',
    labelNames: ['route', 'code'],
    registers: [registry],
  });
  const latency = new client.Histogram({
    name: 'modeldock_instance_request_duration_seconds',
    help: 'time from request start to answer, by route',
    labelNames: ['route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const batchSize = new client.Histogram({
    name: 'modeldock_instance_batch_size',
    help: 'rows per batch run by the runtime',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [registry],
  });
  new client.Gauge({
    name: 'modeldock_instance_queue_depth',
    help: 'requests waiting in the batcher',
    registers: [registry],
    collect() {
      this.set(queueDepth());
    },
  });
  const inFlight = new client.Gauge({ name: 'modeldock_instance_inflight_requests', help: 'requests being served now', registers: [registry] });
  const counters = new Map<string, client.Counter.Internal>();
  const timers = new Map<string, client.Histogram.Internal<'route'>>();
  return {
    registry,
    inFlight,
    observe(route, status, seconds) {
      const key = `${route} ${status}`;
      let c = counters.get(key);
      if (!c) counters.set(key, (c = requests.labels(route, String(status))));
      c.inc();
      let t = timers.get(route);
      if (!t) timers.set(route, (t = latency.labels(route)));
      t.observe(seconds);
    },
    batch: (rows) => batchSize.observe(rows),
  };
}
