/** 在线服务: services with their state (colour + text), polled. */
import { useState } from 'react';
import type { Page } from '../../../../src/contracts/resources.js';
import type { Service } from '../../../../src/contracts/services.js';
import { enc, get } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Pager } from '../../components/Pager.js';
import { StateBadge } from '../../components/StateBadge.js';
import { useI18n } from '../../i18n.js';
import { usePoll } from '../../poll.js';
import { Link } from '../../router.js';
import { Tags } from '../models/Tags.js';

const LIMIT = 20;

export function ServiceList() {
  const { t } = useI18n();
  const [keyword, setKeyword] = useState('');
  const [offset, setOffset] = useState(0);
  const q = new URLSearchParams({ offset: String(offset), limit: String(LIMIT), ...(keyword ? { keyword } : {}) });
  const list = usePoll(() => get<Page<Service>>(`/api/v1/services?${q}`), [q.toString()], 2000);
  return (
    <section>
      <div className="page-head">
        <h1>{t('Online services')}</h1>
        <div className="actions">
          <Link className="button-like primary" to="/services/new">
            {t('New service')}
          </Link>
        </div>
      </div>
      <div className="filters" role="search">
        <input type="search" aria-label={t('Search services')} placeholder={t('Search by name')} value={keyword} onChange={(e) => (setKeyword(e.target.value), setOffset(0))} />
      </div>
      <ErrorBanner error={list.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('Name')}</th>
              <th>{t('Status')}</th>
              <th>{t('Versions')}</th>
              <th>{t('Instances')}</th>
              <th>{t('Billing')}</th>
              <th>{t('Auth')}</th>
              <th>{t('Tags')}</th>
              <th>
                <span className="sr-only">{t('Actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((s) => (
              <tr key={s.name} data-service={s.name}>
                <td>
                  <Link to={`/services/${enc(s.name)}`}>{s.name}</Link>
                </td>
                <td>
                  <StateBadge state={s.status} reason={s.reason} />
                  {s.reason && <div className="reason clip" title={s.reason}>{s.reason}</div>}
                </td>
                <td>
                  {s.versions.map((v) => (
                    <div key={v.id}>
                      #{v.seq} {v.model}:{v.modelVersion} <span className="muted">({v.weight}%)</span>
                    </div>
                  ))}
                </td>
                <td>{s.versions.reduce((n, v) => n + v.readyInstances, 0)} / {s.versions.reduce((n, v) => n + v.desiredInstances, 0)}</td>
                <td>{t(s.billingMode)}</td>
                <td>{s.auth ? t('Token') : t('Open')}</td>
                <td>
                  <Tags tags={s.tags} />
                </td>
                <td>
                  <Link className="button-like small" to={`/services/${enc(s.name)}/call`}>
                    {t('Call')}
                  </Link>
                </td>
              </tr>
            ))}
            {list.data && list.data.items.length === 0 && (
              <tr>
                <td colSpan={8} className="muted">
                  {t('No services yet. Deploy a ready model version.')}
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
