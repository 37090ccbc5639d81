/** A service's logs: filter by text, instance and level; the live tail follows the server's event stream. */
import { useEffect, useRef, useState } from 'react';
import type { ServiceLogLine } from '../../api-types.js';
import { enc, follow, get, qs } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { useI18n } from '../../i18n.js';

const KEEP = 2000;
const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export function ServiceLogs({ name }: { name: string }) {
  const { t } = useI18n();
  const [keyword, setKeyword] = useState('');
  const [instance, setInstance] = useState('');
  const [level, setLevel] = useState('');
  const [live, setLive] = useState(true);
  const [lines, setLines] = useState<ServiceLogLine[]>([]);
  const [error, setError] = useState<unknown>();
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    let alive = true;
    let stop = () => undefined as void;
    setLines([]);
    const query = qs({ keyword, instance, level, limit: 500 });
    const start = () => {
      if (!live) {
        get<{ items: ServiceLogLine[] }>(`/api/v1/services/${enc(name)}/logs${query}`).then(
          (r) => alive && (setLines(r.items), setError(undefined)),
          (e) => alive && setError(e),
        );
        return;
      }
      // one stream: the newest lines, then each new one as it is written
      stop = follow(
        `/api/v1/services/${enc(name)}/logs/stream${query}`,
        (e) => {
          if (!alive || e.event !== 'log') return;
          const l = JSON.parse(e.data) as ServiceLogLine;
          setLines((old) => [...old, l].slice(-KEEP));
          setError(undefined);
        },
        (e) => alive && setError(e),
      );
    };
    const debounce = setTimeout(start, 250);
    return () => {
      alive = false;
      clearTimeout(debounce);
      stop();
    };
  }, [name, keyword, instance, level, live]);

  useEffect(() => {
    const el = box.current;
    if (el && live) el.scrollTop = el.scrollHeight;
  }, [lines, live]);

  return (
    <>
      <div className="filters">
        <input type="search" aria-label={t('Filter logs')} placeholder={t('Keyword')} value={keyword} onChange={(e) => setKeyword(e.target.value)} />
        <input aria-label={t('Instance')} placeholder={t('Instance id')} value={instance} onChange={(e) => setInstance(e.target.value)} />
        <select aria-label={t('Log level')} value={level} onChange={(e) => setLevel(e.target.value)}>
          <option value="">{t('Any level')}</option>
          {LEVELS.map((l) => (
            <option key={l} value={l}>
              {t('{level} and above', { level: l })}
            </option>
          ))}
        </select>
        <label className="check">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> {t('Live tail')}
        </label>
      </div>
      <ErrorBanner error={error} />
      <pre className="logs" ref={box} tabIndex={0} aria-label={t('Logs')} aria-live="off" data-testid="service-logs">
        {lines.length === 0 && <span className="muted">{t('No log lines yet.')}</span>}
        {lines.map((l) => (
          <div key={l.seq} className={`log-${l.stream} log-level-${l.level}`}>
            <span className="muted">{l.ts.slice(11, 23)}</span> <span className="muted">{l.instanceId ?? 'gateway'}</span>{' '}
            {l.version && <span className="muted">{l.version}</span>} {l.line}
          </div>
        ))}
      </pre>
    </>
  );
}
