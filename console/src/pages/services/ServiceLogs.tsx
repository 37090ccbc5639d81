/** A service's logs: filter by keyword and instance; live tail polls with the cursor. */
import { useEffect, useRef, useState } from 'react';
import type { ServiceLogLine } from '../../api-types.js';
import { enc, get, qs } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { useI18n } from '../../i18n.js';

const KEEP = 2000;

export function ServiceLogs({ name }: { name: string }) {
  const { t } = useI18n();
  const [keyword, setKeyword] = useState('');
  const [instance, setInstance] = useState('');
  const [live, setLive] = useState(true);
  const [lines, setLines] = useState<ServiceLogLine[]>([]);
  const [error, setError] = useState<unknown>();
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    let alive = true;
    let cursor: number | undefined;
    let timer: ReturnType<typeof setTimeout>;
    setLines([]);
    const tick = async () => {
      try {
        const r = await get<{ items: ServiceLogLine[]; cursor: number }>(`/api/v1/services/${enc(name)}/logs${qs({ keyword, instance, after: cursor, limit: 500 })}`);
        if (!alive) return;
        cursor = r.cursor;
        if (r.items.length) setLines((old) => [...old, ...r.items].slice(-KEEP));
        setError(undefined);
      } catch (e) {
        if (alive) setError(e);
      }
      if (alive && live) timer = setTimeout(tick, 1500);
    };
    const debounce = setTimeout(tick, 250);
    return () => {
      alive = false;
      clearTimeout(debounce);
      clearTimeout(timer);
    };
  }, [name, keyword, instance, live]);

  useEffect(() => {
    const el = box.current;
    if (el && live) el.scrollTop = el.scrollHeight;
  }, [lines, live]);

  return (
    <>
      <div className="filters">
        <input type="search" aria-label={t('Filter logs')} placeholder={t('Keyword')} value={keyword} onChange={(e) => setKeyword(e.target.value)} />
        <input aria-label={t('Instance')} placeholder={t('Instance id')} value={instance} onChange={(e) => setInstance(e.target.value)} />
        <label className="check">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> {t('Live tail')}
        </label>
      </div>
      <ErrorBanner error={error} />
      <pre className="logs" ref={box} tabIndex={0} aria-label={t('Logs')} aria-live="off" data-testid="service-logs">
        {lines.length === 0 && <span className="muted">{t('No log lines yet.')}</span>}
        {lines.map((l) => (
          <div key={l.seq} className={`log-${l.stream}`}>
            <span className="muted">{l.ts.slice(11, 23)}</span> <span className="muted">{l.instanceId ?? 'gateway'}</span> {l.line}
          </div>
        ))}
      </pre>
    </>
  );
}
