/**
 * A service's payload capture (docs/capture.md): each version's setting (the share of calls
 * captured, the body cap), changed live (PUT …/versions/{v}/capture), and the captured
 * calls newest first, filtered by version, status and time, each with its bodies and a
 * download of the JSONL file that holds it.
 */
import { useCallback, useEffect, useState } from 'react';
import type { CaptureItem, CapturePage, CapturedBody } from '../../../../src/contracts/capture.js';
import type { Service } from '../../../../src/contracts/services.js';
import { api, download, enc, fieldError, get, qs } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { useI18n } from '../../i18n.js';

const STATUSES = ['', '2xx', '4xx', '5xx', 'error'] as const;
const SINCE = ['15m', '1h', '24h', '7d', ''] as const;

const preview = (b: CapturedBody, t: (s: string, v?: Record<string, string | number>) => string): string => {
  const text = b.encoding === 'utf8' ? b.body.replace(/\s+/g, ' ') : t('{n} bytes, base64', { n: b.size });
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
};

interface Filters {
  version: string;
  status: string;
  since: string;
}

export function ServiceCaptures({ service, onChange }: { service: Service; onChange: () => void }) {
  const { t } = useI18n();
  const name = service.name;
  const [filters, setFilters] = useState<Filters>({ version: '', status: '', since: '1h' });
  const [items, setItems] = useState<CaptureItem[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [reloads, setReloads] = useState(0);

  const load = useCallback(
    async (from?: string) => {
      try {
        const page = await get<CapturePage>(`/api/v1/services/${enc(name)}/captures${qs({ ...filters, limit: 50, cursor: from })}`);
        setItems((old) => (from ? [...old, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setError(undefined);
      } catch (e) {
        setError(e);
      }
    },
    [name, filters],
  );
  useEffect(() => {
    void load();
  }, [load, reloads]);

  return (
    <div data-testid="service-captures">
      <p className="muted">
        {t(
          'Payload capture keeps a share of each version’s calls — request and answer bodies, status, latency, instance — as JSON lines in the object store. Headers and tokens are never kept. Changes apply without a restart.',
        )}
      </p>
      <CaptureSettings service={service} onChange={onChange} />
      <h2>{t('Captured calls')}</h2>
      <CaptureFilters service={service} filters={filters} onChange={setFilters} onRefresh={() => setReloads((n) => n + 1)} />
      <ErrorBanner error={error} />
      <CapturesTable name={name} items={items} onError={setError} />
      {cursor && (
        <button type="button" onClick={() => void load(cursor)}>
          {t('Load more')}
        </button>
      )}
    </div>
  );
}

/** Version, status and time filters, and a refresh. */
function CaptureFilters({
  service,
  filters,
  onChange,
  onRefresh,
}: {
  service: Service;
  filters: Filters;
  onChange: (f: Filters) => void;
  onRefresh: () => void;
}) {
  const { t } = useI18n();
  return (
    <div className="filters">
      <select aria-label={t('Version')} value={filters.version} onChange={(e) => onChange({ ...filters, version: e.target.value })}>
        <option value="">{t('All versions')}</option>
        {service.versions.map((v) => (
          <option key={v.id} value={v.seq}>
            {t('Version {seq}', { seq: v.seq })}
          </option>
        ))}
      </select>
      <select aria-label={t('Status')} value={filters.status} onChange={(e) => onChange({ ...filters, status: e.target.value })}>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {s === '' ? t('Any status') : s === 'error' ? t('Errors (≥ 400)') : s}
          </option>
        ))}
      </select>
      <select aria-label={t('Since')} value={filters.since} onChange={(e) => onChange({ ...filters, since: e.target.value })}>
        {SINCE.map((s) => (
          <option key={s} value={s}>
            {s === '' ? t('Any time') : t('Last {window}', { window: s })}
          </option>
        ))}
      </select>
      <button type="button" onClick={onRefresh}>
        {t('Refresh')}
      </button>
    </div>
  );
}

/** The captured calls: one row each, bodies opened in place, the call's file downloaded. */
function CapturesTable({ name, items, onError }: { name: string; items: CaptureItem[]; onError: (e: unknown) => void }) {
  const { t } = useI18n();
  return (
    <table data-testid="captures-table" aria-label={t('Captured calls')}>
      <thead>
        <tr>
          <th>{t('Time')}</th>
          <th>{t('Version')}</th>
          <th>{t('Status')}</th>
          <th>{t('Latency')}</th>
          <th>{t('Instance')}</th>
          <th>{t('Request')}</th>
          <th>{t('Response')}</th>
          <th>{t('File')}</th>
        </tr>
      </thead>
      <tbody>
        {items.length === 0 && (
          <tr>
            <td colSpan={8} className="muted">
              {t('No captured calls.')}
            </td>
          </tr>
        )}
        {items.map((i) => (
          <tr key={`${i.file} ${i.ts} ${i.latencyMs}`}>
            <td>{i.ts.replace('T', ' ').slice(0, 23)}</td>
            <td>{i.version}</td>
            <td>{i.status}</td>
            <td>{i.latencyMs} ms</td>
            <td>{i.instance ?? '–'}</td>
            <td>
              <Body body={i.request} label={preview(i.request, t)} />
            </td>
            <td>
              <Body body={i.response} label={preview(i.response, t)} />
            </td>
            <td>
              <button
                type="button"
                className="link"
                onClick={() => void download(`/api/v1/services/${enc(name)}/capture-files/${i.file}`, i.file.split('/').pop()!).catch(onError)}
              >
                {t('Download')}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Body({ body, label }: { body: CapturedBody; label: string }) {
  const { t } = useI18n();
  return (
    <details>
      <summary>
        <code>{label}</code>
        {body.truncated && <span className="muted"> {t('(truncated from {n} bytes)', { n: body.size })}</span>}
      </summary>
      <pre>{body.body}</pre>
      {body.contentType && <p className="muted">{body.contentType}</p>}
    </details>
  );
}

/** PUT …/versions/{v}/capture, with its busy state and error. */
function useCaptureSetter(service: string, onChange: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const send = async (version: string, capture: { percent: number; maxBodyBytes?: number }) => {
    setBusy(true);
    setError(undefined);
    try {
      await api('PUT', `/api/v1/services/${enc(service)}/versions/${enc(version)}/capture`, capture);
      onChange();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { send, busy, error };
}

/** Each version's capture setting, and a form to change one. */
function CaptureSettings({ service, onChange }: { service: Service; onChange: () => void }) {
  const { t } = useI18n();
  const [version, setVersion] = useState(String(service.versions[0]?.seq ?? ''));
  const current = service.versions.find((v) => String(v.seq) === version)?.spec.capture;
  const [percent, setPercent] = useState('100');
  const [maxBody, setMaxBody] = useState('');
  const { send, busy, error } = useCaptureSetter(service.name, onChange);
  useEffect(() => {
    setPercent(String(current?.percent || 100));
    setMaxBody(current?.maxBodyBytes !== undefined ? String(current.maxBodyBytes) : '');
  }, [version, current?.percent, current?.maxBodyBytes]);
  const put = (p: number) => send(version, { percent: p, ...(maxBody !== '' ? { maxBodyBytes: Number(maxBody) } : {}) });
  return (
    <>
      <CaptureSettingList service={service} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void put(Number(percent));
        }}
      >
        <fieldset className="grid">
          <legend className="sr-only">{t('Payload capture')}</legend>
          <Field label={t('Version')}>
            <select value={version} onChange={(e) => setVersion(e.target.value)}>
              {service.versions.map((v) => (
                <option key={v.id} value={v.seq}>
                  {t('Version {seq}', { seq: v.seq })}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('Share of calls (%)')} error={fieldError(error, 'percent')}>
            <input type="number" min={0} max={100} step="any" value={percent} onChange={(e) => setPercent(e.target.value)} />
          </Field>
          <Field label={t('Body limit (bytes)')} error={fieldError(error, 'maxBodyBytes')}>
            <input type="number" min={0} placeholder="65536" value={maxBody} onChange={(e) => setMaxBody(e.target.value)} />
          </Field>
        </fieldset>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || version === ''}>
            {current && current.percent > 0 ? t('Save capture') : t('Start capture')}
          </button>
          {current && current.percent > 0 && (
            <button type="button" disabled={busy} onClick={() => void put(0)}>
              {t('Stop capture')}
            </button>
          )}
        </div>
      </form>
      <ErrorBanner error={error} />
    </>
  );
}

/** Each version's capture now. */
function CaptureSettingList({ service }: { service: Service }) {
  const { t } = useI18n();
  return (
    <ul data-testid="capture-settings">
      {service.versions.map((v) => (
        <li key={v.id}>
          {t('Version {seq}', { seq: v.seq })}:{' '}
          {v.spec.capture && v.spec.capture.percent > 0 ? t('capturing {percent}% of calls', { percent: v.spec.capture.percent }) : t('capture off')}
        </li>
      ))}
    </ul>
  );
}
