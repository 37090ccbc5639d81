/** A service's instances (phase, ready, restarts) and its events, polled. */
import type { Instance, ServiceEvent } from '../../../../src/contracts/services.js';
import { enc, get } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { StateBadge } from '../../components/StateBadge.js';
import { useI18n } from '../../i18n.js';
import { usePoll } from '../../poll.js';

export function ServiceInstances({ name }: { name: string }) {
  const { t } = useI18n();
  const list = usePoll(() => get<{ items: Instance[] }>(`/api/v1/services/${enc(name)}/instances`), [name], 2000);
  return (
    <>
      <ErrorBanner error={list.error} />
      <div className="table-wrap">
        <table aria-label={t('Instances')}>
          <thead>
            <tr>
              <th>{t('Instance')}</th>
              <th>{t('Phase')}</th>
              <th>{t('Ready')}</th>
              <th>{t('Restarts')}</th>
              <th>{t('Started')}</th>
              <th>{t('Node')}</th>
              <th>{t('Last exit')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((i) => (
              <tr key={i.id}>
                <td>
                  <code>{i.id}</code>
                </td>
                <td>
                  <StateBadge state={i.phase} />
                </td>
                <td>{i.ready ? t('yes') : t('no')}</td>
                <td>{i.restarts}</td>
                <td>{i.startedAt ? new Date(i.startedAt).toLocaleString() : '–'}</td>
                <td>{i.node}</td>
                <td className="clip">{i.lastExitReason ?? '–'}</td>
              </tr>
            ))}
            {list.data?.items.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  {t('No instances.')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function ServiceEvents({ name }: { name: string }) {
  const { t } = useI18n();
  const list = usePoll(() => get<{ items: ServiceEvent[] }>(`/api/v1/services/${enc(name)}/events?limit=200`), [name], 3000);
  return (
    <>
      <ErrorBanner error={list.error} />
      <div className="table-wrap">
        <table aria-label={t('Events')}>
          <thead>
            <tr>
              <th>{t('Type')}</th>
              <th>{t('Reason')}</th>
              <th>{t('Object')}</th>
              <th>{t('Message')}</th>
              <th>{t('Count')}</th>
              <th>{t('Last seen')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((e, i) => (
              <tr key={i} className={e.type === 'Warning' ? 'warn-row' : undefined}>
                <td>{t(e.type)}</td>
                <td>{e.reason}</td>
                <td>{e.object}</td>
                <td className="pre">{e.message}</td>
                <td>{e.count}</td>
                <td>{new Date(e.lastAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
