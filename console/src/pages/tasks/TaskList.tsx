/** 训练任务: tasks with the state of their latest run, polled. */
import { useState } from 'react';
import type { Task } from '../../../../src/contracts/tasks.js';
import { TASK_STATES } from '../../../../src/contracts/tasks.js';
import { enc } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { PageHead } from '../../components/PageHead.js';
import { ResourceTable, type Column } from '../../components/ResourceTable.js';
import { StateBadge } from '../../components/StateBadge.js';
import { usePagedList } from '../../components/usePagedList.js';
import { useI18n, type T } from '../../i18n.js';
import { Link } from '../../router.js';
import { duration } from './TaskActions.js';

function columns(t: T): Column<Task>[] {
  return [
    { head: t('Name'), cell: (x) => <Link to={`/tasks/${enc(x.name)}`}>{x.name}</Link> },
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
    { head: t('Runtime environment'), cell: (x) => x.runtime },
    { head: t('Run'), cell: (x) => `#${x.latestRun.run}` },
    { head: t('Started'), cell: (x) => (x.latestRun.startedAt ? new Date(x.latestRun.startedAt).toLocaleString() : '–') },
    { head: t('Duration'), cell: (x) => duration(x.latestRun) },
    { head: t('Description'), cell: (x) => x.description, className: 'clip' },
  ];
}

export function TaskList() {
  const { t } = useI18n();
  const [keyword, setKeyword] = useState('');
  const [stateFilter, setStateFilter] = useState('');
  const { list, setOffset, paging } = usePagedList<Task>('/api/v1/tasks', { keyword, state: stateFilter }, 2000);
  return (
    <section>
      <PageHead title={t('Training tasks')}>
        <Link className="button-like primary" to="/tasks/new">
          {t('New task')}
        </Link>
      </PageHead>
      <div className="filters" role="search">
        <input
          type="search"
          aria-label={t('Search tasks')}
          placeholder={t('Search by name')}
          value={keyword}
          onChange={(e) => (setKeyword(e.target.value), setOffset(0))}
        />
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
      <ResourceTable
        columns={columns(t)}
        rows={list.data?.items}
        rowKey={(x) => x.name}
        rowProps={(x) => ({ 'data-task': x.name })}
        empty={t('No training tasks yet. Start one from the built-in mnist-pytorch example.')}
        paging={paging}
      />
    </section>
  );
}
