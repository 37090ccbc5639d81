/** A service's versions: status, instances, traffic weights (editable), add and update (rolling). */
import { useEffect, useState } from 'react';
import type { Service, ServiceVersion } from '../../../../src/contracts/services.js';
import { api, enc } from '../../api.js';
import { Confirm, Dialog } from '../../components/Dialog.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { StateBadge } from '../../components/StateBadge.js';
import { useI18n } from '../../i18n.js';
import { Link } from '../../router.js';
import { VersionFields, draftOf, emptyDraft, specOf, type VersionDraft } from './VersionFields.js';

export function ServiceVersions({ service, onChange }: { service: Service; onChange: () => void }) {
  const { t } = useI18n();
  const [weights, setWeights] = useState<Record<string, string>>({});
  const [dirty, setDirty] = useState(false);
  const [error, setError] = useState<unknown>();
  const [editing, setEditing] = useState<ServiceVersion | 'new'>();
  const [removing, setRemoving] = useState<ServiceVersion>();
  const [removeError, setRemoveError] = useState<unknown>();
  const base = `/api/v1/services/${enc(service.name)}`;
  useEffect(() => {
    if (!dirty) setWeights(Object.fromEntries(service.versions.map((v) => [v.id, String(v.weight)])));
  }, [service, dirty]);

  const saveWeights = async () => {
    setError(undefined);
    try {
      await api('PUT', `${base}/weights`, { weights: service.versions.map((v) => ({ version: v.seq, weight: Number(weights[v.id]) })) });
      setDirty(false);
      onChange();
    } catch (e) {
      setError(e);
    }
  };
  const remove = async (v: ServiceVersion) => {
    setRemoveError(undefined);
    try {
      await api('DELETE', `${base}/versions/${v.seq}`);
      setRemoving(undefined);
      setDirty(false);
      onChange();
    } catch (e) {
      setRemoveError(e);
    }
  };
  const total = service.versions.reduce((n, v) => n + (Number(weights[v.id]) || 0), 0);
  return (
    <>
      <div className="table-wrap">
        <table aria-label={t('Versions')}>
          <thead>
            <tr>
              <th>#</th>
              <th>{t('Model')}</th>
              <th>{t('Runtime environment')}</th>
              <th>{t('Status')}</th>
              <th>{t('Ready / desired')}</th>
              <th>{t('Resources')}</th>
              <th>{t('Scaling')}</th>
              <th>{t('Traffic weight')}</th>
              <th>
                <span className="sr-only">{t('Actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {service.versions.map((v) => (
              <tr key={v.id}>
                <td>{v.seq}</td>
                <td>
                  <Link to={`/models/${enc(v.model)}/versions/${enc(v.modelVersion)}`}>
                    {v.model}:{v.modelVersion}
                  </Link>
                </td>
                <td>{v.runtime}</td>
                <td>
                  <StateBadge state={v.status} reason={v.reason} />
                  {v.reason && <div className="reason">{v.reason}</div>}
                </td>
                <td>
                  {v.readyInstances} / {v.desiredInstances}
                </td>
                <td>
                  {v.spec.resources.cpuMillicores}m, {v.spec.resources.memoryMiB} MiB{v.spec.resources.gpu ? `, ${v.spec.resources.gpu} GPU` : ''}
                </td>
                <td>
                  {v.spec.scaling.mode === 'manual'
                    ? t('manual: {n}', { n: v.spec.scaling.instances })
                    : t('auto: {min}–{max} on {metric} {target}', {
                        min: v.spec.scaling.minInstances,
                        max: v.spec.scaling.maxInstances,
                        metric: v.spec.scaling.metric,
                        target: v.spec.scaling.target,
                      })}
                  {v.schedule?.active && (
                    <div className="muted" data-testid={`schedule-active-${v.seq}`}>
                      {t('scheduled: {min}–{max} since {at}', {
                        min: v.schedule.active.minInstances,
                        max: v.schedule.active.maxInstances,
                        at: new Date(v.schedule.active.firedAt).toLocaleString(),
                      })}
                    </div>
                  )}
                  {v.schedule?.next && (
                    <div className="muted" data-testid={`schedule-next-${v.seq}`}>
                      {t('next: {min}–{max} at {at}', {
                        min: v.schedule.next.minInstances,
                        max: v.schedule.next.maxInstances,
                        at: new Date(v.schedule.next.at).toLocaleString(),
                      })}
                    </div>
                  )}
                </td>
                <td>
                  <input
                    className="narrow"
                    inputMode="numeric"
                    aria-label={t('Traffic weight of version {n}', { n: v.seq })}
                    value={weights[v.id] ?? ''}
                    onChange={(e) => (setWeights({ ...weights, [v.id]: e.target.value }), setDirty(true))}
                  />
                  {total > 0 && <span className="muted"> {Math.round(((Number(weights[v.id]) || 0) / total) * 100)}%</span>}
                </td>
                <td>
                  <button type="button" className="small" onClick={() => setEditing(v)}>
                    {t('Update')}
                  </button>
                  {service.versions.length > 1 && (
                    <button
                      type="button"
                      className="small"
                      aria-label={t('Remove version {n}', { n: v.seq })}
                      onClick={() => (setRemoveError(undefined), setRemoving(v))}
                    >
                      {t('Remove')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ErrorBanner error={error} />
      <div className="actions">
        {dirty && (
          <button type="button" onClick={() => setDirty(false)}>
            {t('Discard')}
          </button>
        )}
        <button type="button" disabled={!dirty} onClick={() => void saveWeights()}>
          {t('Save weights')}
        </button>
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          {t('Add version')}
        </button>
      </div>
      {removing && (
        <Confirm
          open
          danger
          title={t('Remove version {n}', { n: removing.seq })}
          message={t('Remove version {n} ({model}) from {name}? Its instances are drained and stopped; the other versions keep their weights.', {
            n: removing.seq,
            model: `${removing.model}:${removing.modelVersion}`,
            name: service.name,
          })}
          confirmLabel={t('Remove')}
          onClose={() => setRemoving(undefined)}
          onConfirm={() => void remove(removing)}
        >
          <ErrorBanner error={removeError} />
        </Confirm>
      )}
      {editing && <VersionDialog service={service} version={editing === 'new' ? undefined : editing} onClose={() => setEditing(undefined)} onDone={onChange} />}
    </>
  );
}

function VersionDialog({ service, version, onClose, onDone }: { service: Service; version?: ServiceVersion; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const current = service.versions[service.versions.length - 1];
  const [draft, setDraft] = useState<VersionDraft>(version ? draftOf(version.spec) : current ? { ...draftOf(current.spec), modelVersion: '' } : emptyDraft());
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const base = `/api/v1/services/${enc(service.name)}/versions`;
      if (version) await api('PUT', `${base}/${version.seq}`, specOf(draft));
      else await api('POST', base, specOf(draft));
      onClose();
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open title={version ? t('Update version {n} (rolling update)', { n: version.seq }) : t('Add version')} onClose={onClose} wide>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {!version && <p className="muted">{t('A new version starts with traffic weight 0; change the weights once it is ready.')}</p>}
        <VersionFields draft={draft} onChange={setDraft} error={error} />
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            {t('Cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {version ? t('Update') : t('Add version')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
