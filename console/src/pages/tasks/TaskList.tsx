/** 训练任务: tasks with the state of their latest run, polled. */
import { useState } from 'react';
import type { Page } from '../../../../src/contracts/resources.js';
import type { Task } from '../../../../src/contracts/tasks.js';
import { TASK_STATES } from '../../../../src/contracts/tasks.js';
import { enc, get } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Pager } from '../../components/Pager.js';
import { StateBadge } from '../../components/StateBadge.js';
import { useI18n } from '../../i18n.js';
import { usePoll } from '../../poll.js';
import { Link } from '../../router.js';
import { duration } from './TaskActions.js';

const LIMIT = 20;

export function TaskList() {
  const { t } = useI18n();
  const [keyword, setKeyword] = useState('');
  const [stateFilter, setStateFilter] = useState('');
  const [offset, setOffset] = useState(0);
  const q = new URLSearchParams({ offset: String(offset), limit: String(LIMIT), ...(keyword ? { keyword } : {}), ...(stateFilter ? { state: stateFilter } : {}) });
  const list = usePoll(() => get<Page<Task>>(`/api/v1/tasks?${q}`), [q.toString()], 2000);
  return (
    <section>
      <div className="page-head">
        <h1>{t('Training tasks')}</h1>
        <div className="actions">
          <Link className="button-like primary" to="/tasks/new">
            {t('New task')}
          </Link>
        </div>
      </div>
      <div className="filters" role="search">
        <input type="search" aria-label={t('Search tasks')} placeholder={t('Search by name')} value={keyword} onChange={(e) => (setKeyword(e.target.value), setOffset(0))} />
        <select aria-label={t('State')} value={stateFilter} onChange={(e) => (setStateFilter(e.target.value), setOffset(0))}>
          <option value="">{t('All states')}</option>
          {TASK_STATES.map((s) => (
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
              <th>{t('Runtime environment')}</th>
              <th>{t('Run')}</th>
              <th>{t('Started')}</th>
              <th>{t('Duration')}</th>
              <th>{t('Description')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((x) => (
              <tr key={x.name} data-task={x.name}>
                <td>
                  <Link to={`/tasks/${enc(x.name)}`}>{x.name}</Link>
                </td>
                <td>
                  <StateBadge state={x.state} reason={x.reason} />
                  {x.reason && <div className="reason clip" title={x.reason}>{x.reason}</div>}
                </td>
                <td>{x.runtime}</td>
                <td>#{x.latestRun.run}</td>
                <td>{x.latestRun.startedAt ? new Date(x.latestRun.startedAt).toLocaleString() : '–'}</td>
                <td>{duration(x.latestRun)}</td>
                <td className="clip">{x.description}</td>
              </tr>
            ))}
            {list.data && list.data.items.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  {t('No training tasks yet. Start one from the built-in mnist-pytorch example.')}
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
