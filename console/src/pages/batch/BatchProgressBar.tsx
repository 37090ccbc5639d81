/** A batch job's progress: a bar, done / total and the share, the rate and what is left. */
import type { BatchJob } from '../../../../src/contracts/batch.js';
import { useI18n } from '../../i18n.js';

export function BatchProgressBar({ job }: { job: BatchJob }) {
  const { t } = useI18n();
  const p = job.progress;
  return (
    <div className="batch-progress" data-testid="batch-progress">
      <progress max={p.total ?? 1} value={p.total ? p.done : 0} aria-label={t('Progress')} />{' '}
      <span>
        {p.done} / {p.total ?? '?'}
        {p.percent !== null && ` (${p.percent}%)`}
      </span>
      {p.ratePerSecond !== null && <span className="muted"> · {t('{n} per second', { n: p.ratePerSecond })}</span>}
      {p.etaSeconds !== null && job.state === 'Running' && <span className="muted"> · {t('{n} s left', { n: p.etaSeconds })}</span>}
      {p.failed > 0 && <span className="muted"> · {t('{n} failed', { n: p.failed })}</span>}
    </div>
  );
}
