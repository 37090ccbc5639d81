/** One batch job: state and reason, progress (followed live), settings, stop / delete, and its outputs to open. */
import { useState } from 'react';
import type { BatchJob } from '../../../../src/contracts/batch.js';
import { FINAL_BATCH_STATES } from '../../../../src/contracts/batch.js';
import { api, download, enc, get } from '../../api.js';
import { Confirm } from '../../components/Dialog.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { PageHead } from '../../components/PageHead.js';
import { StateBadge } from '../../components/StateBadge.js';
import { useI18n } from '../../i18n.js';
import { usePoll } from '../../poll.js';
import { Link, navigate } from '../../router.js';
import { formatBytes } from '../models/FilePicker.js';
import { BatchProgressBar } from './BatchProgressBar.js';

export function BatchDetail({ name }: { name: string }) {
  const { t } = useI18n();
  const base = `/api/v1/batch-jobs/${enc(name)}`;
  const job = usePoll(() => get<BatchJob>(base), [base], 1000);
  const x = job.data;
  const final = !!x && FINAL_BATCH_STATES.includes(x.state);
  const outputs = usePoll(
    () => (x ? get<{ items: { path: string; size: number }[] }>(`/api/v1/storage?prefix=${enc(x.output)}`) : Promise.resolve(undefined)),
    [x?.output, x?.progress.done, x?.state],
    0,
  );
  const [pending, setPending] = useState<'stop' | 'delete'>();
  const [error, setError] = useState<unknown>();
  const act = async (p: 'stop' | 'delete') => {
    setError(undefined);
    try {
      if (p === 'delete') {
        await api('DELETE', base);
        return navigate('/batch-jobs');
      }
      await api('POST', `${base}/actions`, { action: 'stop' });
      setPending(undefined);
      job.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section>
      <p className="crumbs">
        <Link to="/batch-jobs">{t('Batch jobs')}</Link> / {name}
      </p>
      <PageHead title={name} badge={x && <StateBadge state={x.state} reason={x.reason} />}>
        {x && !final && (
          <button type="button" onClick={() => setPending('stop')}>
            {t('Stop')}
          </button>
        )}
        {final && (
          <button type="button" className="danger" onClick={() => setPending('delete')}>
            {t('Delete')}
          </button>
        )}
      </PageHead>
      <ErrorBanner error={job.error ?? error} />
      {x?.reason && (
        <p className="reason" data-testid="batch-reason">
          <strong>{t('Reason')}:</strong> {x.reason}
        </p>
      )}
      {x && (
        <>
          <BatchProgressBar job={x} />
          <dl className="facts">
            <dt>{t('Model version')}</dt>
            <dd>
              <Link to={`/models/${enc(x.model)}/versions/${enc(x.modelVersion)}`}>
                {x.model}:{x.modelVersion}
              </Link>{' '}
              <span className="muted">({x.runtime})</span>
            </dd>
            <dt>{t('Input')}</dt>
            <dd>
              <code>{x.input.path}</code> <span className="muted">({x.input.format})</span>
            </dd>
            <dt>{t('Output folder')}</dt>
            <dd>
              <code>{x.output}</code>
            </dd>
            <dt>{t('Instances')}</dt>
            <dd>
              {x.instances} × {x.resources.cpuMillicores}m, {x.resources.memoryMiB} MiB ·{' '}
              {t('batching {n} / {ms} ms', { n: x.batching.maxBatchSize, ms: x.batching.maxQueueDelayMs })}
            </dd>
            <dt>{t('Started')}</dt>
            <dd>{x.startedAt ? new Date(x.startedAt).toLocaleString() : '–'}</dd>
            <dt>{t('Finished')}</dt>
            <dd>{x.finishedAt ? new Date(x.finishedAt).toLocaleString() : '–'}</dd>
          </dl>
          <h2>{t('Outputs')}</h2>
          <ul className="plain" aria-label={t('Outputs')}>
            {outputs.data?.items.map((o) => (
              <li key={o.path}>
                <code>{o.path.slice(x.output.length + 1)}</code> <span className="muted">({formatBytes(o.size)})</span>{' '}
                <button
                  type="button"
                  className="small"
                  onClick={() => void download(`/api/v1/storage/${o.path.split('/').map(enc).join('/')}`, o.path.split('/').pop() ?? 'file').catch(setError)}
                >
                  {t('Download')}
                </button>
              </li>
            ))}
            {outputs.data?.items.length === 0 && <li className="muted">{t('No outputs (yet).')}</li>}
          </ul>
        </>
      )}
      {pending && (
        <Confirm
          open
          danger
          title={pending === 'stop' ? t('Stop batch job') : t('Delete batch job')}
          message={
            pending === 'stop'
              ? t('Stop {name}? The results written so far are kept.', { name })
              : t('Delete {name}? Its results stay in the object store.', { name })
          }
          confirmLabel={pending === 'stop' ? t('Stop') : t('Delete')}
          onClose={() => setPending(undefined)}
          onConfirm={() => void act(pending)}
        >
          <ErrorBanner error={error} />
        </Confirm>
      )}
    </section>
  );
}
