/**
 * A service's shadow traffic (docs/shadow.md): which version gets copies of a share of
 * the calls, and what the gateway counted of it — copies sent, skipped and dropped, how
 * often the shadow's answer agreed with the primary's, its errors and latency. Start,
 * change and stop it here (PATCH the service's `shadow`).
 */
import { useEffect, useState } from 'react';
import type { Service } from '../../../../src/contracts/services.js';
import { api, enc, fieldError } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { useI18n } from '../../i18n.js';

const ms = (v: number | null) => (v === null ? '–' : `${v} ms`);

export function ServiceShadow({ service, onChange }: { service: Service; onChange: () => void }) {
  const { t } = useI18n();
  const sh = service.shadow;
  const [version, setVersion] = useState('');
  const [percent, setPercent] = useState('100');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // the form shows the shadow in force, else the first version with no traffic of its own
  const idleSeq = service.versions.find((v) => v.weight === 0)?.seq;
  useEffect(() => {
    setVersion(String(sh?.version ?? idleSeq ?? ''));
    setPercent(String(sh?.percent ?? 100));
  }, [service.name, sh?.version, sh?.percent, idleSeq]);

  const send = async (shadow: { version: number; percent: number } | null) => {
    setBusy(true);
    setError(undefined);
    try {
      await api('PATCH', `/api/v1/services/${enc(service.name)}`, { shadow });
      onChange();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const st = sh?.stats;
  const answered = st ? st.compared.match + st.compared.mismatch : 0;
  return (
    <div data-testid="service-shadow">
      <p className="muted">
        {t(
          'Shadow traffic copies a share of the calls to another version after the primary answered: callers get only the primary answer and never wait for the shadow; its answers are compared and counted.',
        )}
      </p>
      {sh && st ? (
        <dl className="facts" aria-label={t('Shadow traffic')}>
          <dt>{t('Shadow version')}</dt>
          <dd>{t('Version {seq}, {percent}% of calls', { seq: sh.version, percent: sh.percent })}</dd>
          <dt>{t('Copies sent')}</dt>
          <dd data-testid="shadow-mirrored">
            {t('{n} ({inflight} in flight), {skipped} skipped, {dropped} dropped', {
              n: st.mirrored,
              inflight: st.inflight,
              skipped: st.skipped,
              dropped: st.dropped,
            })}
          </dd>
          <dt>{t('Agreement')}</dt>
          <dd data-testid="shadow-agreement">
            {t('{match} match, {mismatch} mismatch, {uncompared} not compared', {
              match: st.compared.match,
              mismatch: st.compared.mismatch,
              uncompared: st.compared.uncompared,
            })}
            {answered > 0 ? ` (${Math.round((st.compared.match / answered) * 1000) / 10}%)` : ''}
          </dd>
          <dt>{t('Shadow errors')}</dt>
          <dd data-testid="shadow-errors">{t('{status} 5xx, {timeout} timeouts, {unreachable} unreachable', st.errors)}</dd>
          <dt>{t('Shadow latency')}</dt>
          <dd>{t('p50 {p50}, p99 {p99} (last {n} answers)', { p50: ms(st.latency.p50Ms), p99: ms(st.latency.p99Ms), n: st.latency.samples })}</dd>
        </dl>
      ) : (
        <p data-testid="shadow-off">{t('No shadow traffic.')}</p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void send({ version: Number(version), percent: Number(percent) });
        }}
      >
        <fieldset className="grid">
          <legend className="sr-only">{t('Shadow traffic')}</legend>
          <Field label={t('Shadow version')} error={fieldError(error, 'shadow.version')}>
            <select value={version} onChange={(e) => setVersion(e.target.value)}>
              {service.versions.map((v) => (
                <option key={v.id} value={v.seq}>
                  {t('Version {seq} ({model} {modelVersion}, weight {weight})', { seq: v.seq, model: v.model, modelVersion: v.modelVersion, weight: v.weight })}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('Share of calls (%)')} error={fieldError(error, 'shadow.percent', 'shadow')}>
            <input type="number" min={0} max={100} step="any" value={percent} onChange={(e) => setPercent(e.target.value)} />
          </Field>
        </fieldset>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || version === ''}>
            {sh ? t('Save shadow') : t('Start shadow')}
          </button>
          {sh && (
            <button type="button" disabled={busy} onClick={() => void send(null)}>
              {t('Stop shadow')}
            </button>
          )}
        </div>
      </form>
      <ErrorBanner error={error} />
    </div>
  );
}
