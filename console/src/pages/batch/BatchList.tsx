/** 批量预测: batch jobs with their state and progress, polled. */
import { useState } from 'react';
import type { BatchJob } from '../../../../src/contracts/batch.js';
import { BATCH_STATES } from '../../../../src/contracts/batch.js';
import type { Page } from '../../../../src/contracts/resources.js';
import { enc, get } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Pager } from '../../components/Pager.js';
import { StateBadge } from '../../components/StateBadge.js';
import { useI18n } from '../../i18n.js';
import { usePoll } from '../../poll.js';
import { Link } from '../../router.js';
import { BatchProgressBar } from './BatchProgressBar.js';

const LIMIT = 20;

export function BatchList() {
  const { t } = useI18n();
  const [stateFilter, setStateFilter] = useState('');
  const [offset, setOffset] = useState(0);
  const q = new URLSearchParams({ offset: String(offset), limit: String(LIMIT), ...(stateFilter ? { state: stateFilter } : {}) });
  const list = usePoll(() => get<Page<BatchJob>>(`/api/v1/batch-jobs?${q}`), [q.toString()], 2000);
  return (
    <section>
      <div className="page-head">
        <h1>{t('Batch jobs')}</h1>
        <div className="actions">
          <Link className="button-like primary" to="/batch-jobs/new">
            {t('New batch job')}
          </Link>
        </div>
      </div>
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
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('Name')}</th>
              <th>{t('Status')}</th>
              <th>{t('Model version')}</th>
              <th>{t('Input')}</th>
              <th>{t('Progress')}</th>
              <th>{t('Created')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((x) => (
              <tr key={x.name} data-batch-job={x.name}>
                <td>
                  <Link to={`/batch-jobs/${enc(x.name)}`}>{x.name}</Link>
                </td>
                <td>
                  <StateBadge state={x.state} reason={x.reason} />
                  {x.reason && (
                    <div className="reason clip" title={x.reason}>
                      {x.reason}
                    </div>
                  )}
                </td>
                <td>
                  {x.model}:{x.modelVersion}
                </td>
                <td>
                  <code>{x.input.path}</code>
                </td>
                <td>
                  <BatchProgressBar job={x} />
                </td>
                <td>{new Date(x.createdAt).toLocaleString()}</td>
              </tr>
            ))}
            {list.data && list.data.items.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  {t('No batch jobs yet. Run a model version over a folder of images, a JSONL or a CSV file in the object store.')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {list.data && <Pager offset={offset} limit={LIMIT} total={list.data.total} onChange={setOffset} />}
    </section>
  );
}
