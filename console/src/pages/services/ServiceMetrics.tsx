/** Monitoring: QPS, latency p50/p99, errors, ready instances and mean batch size over a window (10 s buckets). */
import { useState } from 'react';
import type { MetricsPoint } from '../../api-types.js';
import { enc, get } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { LineChart } from '../../components/LineChart.js';
import { useI18n } from '../../i18n.js';
import { usePoll } from '../../poll.js';

const WINDOWS = ['5m', '15m', '1h'];

export function ServiceMetrics({ name }: { name: string }) {
  const { t } = useI18n();
  const [window, setWindow] = useState('15m');
  const m = usePoll(() => get<{ points: MetricsPoint[] }>(`/api/v1/services/${enc(name)}/metrics?window=${window}`), [name, window], 5000);
  const pts = m.data?.points ?? [];
  const labels = pts.map((p) => new Date(p.ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
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
        <LineChart title={t('Requests per second')} labels={labels} series={[{ name: 'QPS', values: pts.map((p) => p.qps), className: 's1' }]} />
        <LineChart
          title={t('Latency')}
          unit=" ms"
          labels={labels}
          series={[
            { name: 'p50', values: pts.map((p) => p.p50Ms), className: 's1' },
            { name: 'p99', values: pts.map((p) => p.p99Ms), className: 's2' },
          ]}
        />
        <LineChart title={t('Errors (per 10 s)')} labels={labels} series={[{ name: t('errors'), values: pts.map((p) => p.errors), className: 's3' }]} />
        <LineChart title={t('Ready instances')} labels={labels} series={[{ name: t('instances'), values: pts.map((p) => p.readyInstances), className: 's1' }]} />
        <LineChart title={t('Batch size (mean rows per batch)')} labels={labels} series={[{ name: t('batch size'), values: pts.map((p) => p.batchSize), className: 's2' }]} />
      </div>
    </>
  );
}
