/** One service: state and reason, actions, and tabs for versions, instances, events, logs, metrics, rollout, shadow traffic, payload capture, tokens. */
import type { Service } from '../../../../src/contracts/services.js';
import { enc, get } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { StateBadge } from '../../components/StateBadge.js';
import { useI18n } from '../../i18n.js';
import { usePoll } from '../../poll.js';
import { Link, navigate, useLocation } from '../../router.js';
import { Tags } from '../models/Tags.js';
import { ServiceActions } from './ServiceActions.js';
import { ServiceCaptures } from './ServiceCaptures.js';
import { ServiceEdit } from './ServiceEdit.js';
import { ServiceEvents, ServiceInstances } from './ServiceInstances.js';
import { ServiceLogs } from './ServiceLogs.js';
import { ServiceMetrics } from './ServiceMetrics.js';
import { ServiceShadow } from './ServiceShadow.js';
import { ServiceRollout } from './ServiceRollout.js';
import { ServiceTokens } from './ServiceTokens.js';
import { ServiceVersions } from './ServiceVersions.js';

const TABS = ['versions', 'instances', 'events', 'logs', 'metrics', 'rollout', 'shadow', 'captures', 'tokens'] as const;
const TAB_LABELS: Record<(typeof TABS)[number], string> = {
  versions: 'Versions',
  instances: 'Instances',
  events: 'Events',
  logs: 'Logs',
  metrics: 'Monitoring',
  rollout: 'Rollout',
  shadow: 'Shadow traffic',
  captures: 'Payload capture',
  tokens: 'Tokens',
};

export function ServiceDetail({ name }: { name: string }) {
  const { t } = useI18n();
  const { query } = useLocation();
  const tab = (TABS as readonly string[]).includes(query.get('tab') ?? '') ? (query.get('tab') as (typeof TABS)[number]) : 'versions';
  const base = `/api/v1/services/${enc(name)}`;
  const svc = usePoll(() => get<Service>(base), [base], 1500);
  const s = svc.data;
  return (
    <section>
      <p className="crumbs">
        <Link to="/services">{t('Online services')}</Link> / {name}
      </p>
      <div className="page-head">
        <h1>
          {name} {s && <StateBadge state={s.status} reason={s.reason} />}
        </h1>
        <div className="actions">
          <Link className="button-like primary" to={`/services/${enc(name)}/call`}>
            {t('Call')}
          </Link>
          {s && <ServiceEdit service={s} onDone={svc.reload} />}
          {s && <ServiceActions service={s} onDone={svc.reload} />}
        </div>
      </div>
      <ErrorBanner error={svc.error} />
      {s?.reason && (
        <p className="reason" role="status" data-testid="service-reason">
          <strong>{t('Reason')}:</strong> {s.reason}
        </p>
      )}
      {s && (
        <dl className="facts">
          <dt>{t('Description')}</dt>
          <dd>{s.description || '–'}</dd>
          <dt>{t('Billing')}</dt>
          <dd>
            {t(s.billingMode)}
            {s.resourceGroup ? ` (${s.resourceGroup})` : ''}
          </dd>
          <dt>{t('Auth')}</dt>
          <dd>{s.auth ? t('Token required') : t('Open')}</dd>
          <dt>URL</dt>
          <dd>
            <code>{s.url}</code>
          </dd>
          <dt>{t('Tags')}</dt>
          <dd>
            <Tags tags={s.tags} />
          </dd>
        </dl>
      )}
      <div className="tabs" role="tablist" aria-label={t('Service details')}>
        {TABS.map((x) => (
          <button key={x} type="button" role="tab" aria-selected={tab === x} onClick={() => navigate(`/services/${enc(name)}?tab=${x}`, { replace: true })}>
            {t(TAB_LABELS[x])}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === 'versions' && s && <ServiceVersions service={s} onChange={svc.reload} />}
        {tab === 'instances' && <ServiceInstances name={name} />}
        {tab === 'events' && <ServiceEvents name={name} />}
        {tab === 'logs' && <ServiceLogs name={name} />}
        {tab === 'metrics' && <ServiceMetrics name={name} />}
        {tab === 'rollout' && s && <ServiceRollout service={s} onChange={svc.reload} />}
        {tab === 'shadow' && s && <ServiceShadow service={s} onChange={svc.reload} />}
        {tab === 'captures' && s && <ServiceCaptures service={s} onChange={svc.reload} />}
        {tab === 'tokens' && s && <ServiceTokens name={name} auth={s.auth} />}
      </div>
    </section>
  );
}
