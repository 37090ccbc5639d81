/** 在线服务: services with their state (colour + text), polled. */
import { useState } from 'react';
import type { Service } from '../../../../src/contracts/services.js';
import { enc } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { PageHead } from '../../components/PageHead.js';
import { ResourceTable, type Column } from '../../components/ResourceTable.js';
import { StateBadge } from '../../components/StateBadge.js';
import { usePagedList } from '../../components/usePagedList.js';
import { useI18n, type T } from '../../i18n.js';
import { Link } from '../../router.js';
import { Tags } from '../models/Tags.js';

function columns(t: T): Column<Service>[] {
  return [
    { head: t('Name'), cell: (s) => <Link to={`/services/${enc(s.name)}`}>{s.name}</Link> },
    {
      head: t('Status'),
      cell: (s) => (
        <>
          <StateBadge state={s.status} reason={s.reason} />
          {s.reason && (
            <div className="reason clip" title={s.reason}>
              {s.reason}
            </div>
          )}
        </>
      ),
    },
    {
      head: t('Versions'),
      cell: (s) =>
        s.versions.map((v) => (
          <div key={v.id}>
            #{v.seq} {v.model}:{v.modelVersion} <span className="muted">({v.weight}%)</span>
          </div>
        )),
    },
    {
      head: t('Instances'),
      cell: (s) => `${s.versions.reduce((n, v) => n + v.readyInstances, 0)} / ${s.versions.reduce((n, v) => n + v.desiredInstances, 0)}`,
    },
    { head: t('Billing'), cell: (s) => t(s.billingMode) },
    { head: t('Auth'), cell: (s) => (s.auth ? t('Token') : t('Open')) },
    { head: t('Tags'), cell: (s) => <Tags tags={s.tags} /> },
    {
      head: t('Actions'),
      srOnly: true,
      cell: (s) => (
        <Link className="button-like small" to={`/services/${enc(s.name)}/call`}>
          {t('Call')}
        </Link>
      ),
    },
  ];
}

export function ServiceList() {
  const { t } = useI18n();
  const [keyword, setKeyword] = useState('');
  const { list, setOffset, paging } = usePagedList<Service>('/api/v1/services', { keyword }, 2000);
  return (
    <section>
      <PageHead title={t('Online services')}>
        <Link className="button-like primary" to="/services/new">
          {t('New service')}
        </Link>
      </PageHead>
      <div className="filters" role="search">
        <input
          type="search"
          aria-label={t('Search services')}
          placeholder={t('Search by name')}
          value={keyword}
          onChange={(e) => (setKeyword(e.target.value), setOffset(0))}
        />
      </div>
      <ErrorBanner error={list.error} />
      <ResourceTable
        columns={columns(t)}
        rows={list.data?.items}
        rowKey={(s) => s.name}
        rowProps={(s) => ({ 'data-service': s.name })}
        empty={t('No services yet. Deploy a ready model version.')}
        paging={paging}
      />
    </section>
  );
}
