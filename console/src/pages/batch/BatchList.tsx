/** 批量预测: batch jobs with their state and progress, polled. */
import { useState } from 'react';
import type { BatchJob } from '../../../../src/contracts/batch.js';
import { BATCH_STATES } from '../../../../src/contracts/batch.js';
import { enc } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { PageHead } from '../../components/PageHead.js';
import { ResourceTable, type Column } from '../../components/ResourceTable.js';
import { StateBadge } from '../../components/StateBadge.js';
import { usePagedList } from '../../components/usePagedList.js';
import { useI18n, type T } from '../../i18n.js';
import { Link } from '../../router.js';
import { BatchProgressBar } from './BatchProgressBar.js';

function columns(t: T): Column<BatchJob>[] {
  return [
    { head: t('Name'), cell: (x) => <Link to={`/batch-jobs/${enc(x.name)}`}>{x.name}</Link> },
    {
      head: t('Status'),
      cell: (x) => (
        <>
          <StateBadge state={x.state} reason={x.reason} />
          {x.reason && (
            <div className="reason clip" title={x.reason}>
              {x.reason}
            </div>
          )}
        </>
      ),
    },
    { head: t('Model version'), cell: (x) => `${x.model}:${x.modelVersion}` },
    { head: t('Input'), cell: (x) => <code>{x.input.path}</code> },
    { head: t('Progress'), cell: (x) => <BatchProgressBar job={x} /> },
    { head: t('Created'), cell: (x) => new Date(x.createdAt).toLocaleString() },
  ];
}

export function BatchList() {
  const { t } = useI18n();
  const [stateFilter, setStateFilter] = useState('');
  const { list, setOffset, paging } = usePagedList<BatchJob>('/api/v1/batch-jobs', { state: stateFilter }, 2000);
  return (
    <section>
      <PageHead title={t('Batch jobs')}>
        <Link className="button-like primary" to="/batch-jobs/new">
          {t('New batch job')}
        </Link>
      </PageHead>
      <div className="filters" role="search">
        <select aria-label={t('State')} value={stateFilter} onChange={(e) => (setStateFilter(e.target.value), setOffset(0))}>
          <option value="">{t('All states')}</option>
          {BATCH_STATES.map((s) => (
            <option key={s} value={s}>
              {t(s)}
            </option>
          ))}
        </select>
      </div>
      <ErrorBanner error={list.error} />
      <ResourceTable
        columns={columns(t)}
        rows={list.data?.items}
        rowKey={(x) => x.name}
        rowProps={(x) => ({ 'data-batch-job': x.name })}
        empty={t('No batch jobs yet. Run a model version over a folder of images, a JSONL or a CSV file in the object store.')}
        paging={paging}
      />
    </section>
  );
}
