/** Monitoring: QPS, latency p50/p99, errors, ready instances and mean batch size over a window (10 s buckets). */
import { useState } from 'react';
import type { MetricsPoint } from '../../api-types.js';
import { enc, get } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { LineChart } from '../../components/LineChart.js';
import { useI18n } from '../../i18n.js';
import { usePoll } from '../../poll.js';

// the store keeps a day of 10 s buckets (docs/observability.md)
const WINDOWS = ['5m', '15m', '1h', '6h', '24h'];

export function ServiceMetrics({ name }: { name: string }) {
  const { t } = useI18n();
  const [window, setWindow] = useState('15m');
  const m = usePoll(() => get<{ points: MetricsPoint[] }>(`/api/v1/services/${enc(name)}/metrics?window=${window}`), [name, window], 5000);
  const pts = m.data?.points ?? [];
  const times = pts.map((p) => Date.parse(p.ts));
  // 5xx answers as a share of the bucket's calls (qps is per second of a 10 s bucket)
  const errorPct = pts.map((p) => (p.qps > 0 ? Math.round((p.errors / (p.qps * 10)) * 10_000) / 100 : null));
  return (
    <>
      <div className="filters">
        <label className="check">
          {t('Window')}{' '}
          <select value={window} onChange={(e) => setWindow(e.target.value)}>
            {WINDOWS.map((w) => (
              <option key={w}>{w}</option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBanner error={m.error} />
      <div className="charts">
        <LineChart
          title={t('Requests per second')}
          unit={t('req/s')}
          times={times}
          series={[{ name: 'QPS', values: pts.map((p) => p.qps), className: 's1' }]}
        />
        <LineChart
          title={t('Latency')}
          unit="ms"
          times={times}
          series={[
            { name: 'p50', values: pts.map((p) => p.p50Ms), className: 's1' },
            { name: 'p99', values: pts.map((p) => p.p99Ms), className: 's2' },
          ]}
        />
        <LineChart title={t('Error rate (5xx share of calls)')} unit="%" times={times} series={[{ name: t('errors'), values: errorPct, className: 's3' }]} />
        <LineChart title={t('Ready instances')} times={times} series={[{ name: t('instances'), values: pts.map((p) => p.readyInstances), className: 's1' }]} />
        <LineChart
          title={t('Batch size (mean rows per batch)')}
          unit={t('rows')}
          times={times}
          series={[{ name: t('batch size'), values: pts.map((p) => p.batchSize), className: 's2' }]}
        />
      </div>
    </>
  );
}
