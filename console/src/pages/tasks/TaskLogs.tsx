/** A run's log, followed live (after=cursor) until the run has ended and every line was read. */
import { useEffect, useRef, useState } from 'react';
import type { TaskLogLine } from '../../../../src/contracts/tasks.js';
import { enc, get, qs } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { useI18n } from '../../i18n.js';

const KEEP = 5000;

export function TaskLogs({ name, run }: { name: string; run: number }) {
  const { t } = useI18n();
  const [lines, setLines] = useState<TaskLogLine[]>([]);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>();
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    let alive = true;
    let cursor = 0;
    let timer: ReturnType<typeof setTimeout>;
    setLines([]);
    setDone(false);
    const tick = async () => {
      try {
        const r = await get<{ items: TaskLogLine[]; cursor: number; done: boolean }>(`/api/v1/tasks/${enc(name)}/logs${qs({ run, after: cursor, limit: 1000 })}`);
        if (!alive) return;
        cursor = r.cursor;
        if (r.items.length) setLines((old) => [...old, ...r.items].slice(-KEEP));
        setError(undefined);
        if (r.done) return setDone(true);
      } catch (e) {
        if (alive) setError(e);
      }
      if (alive) timer = setTimeout(tick, 1000);
    };
    void tick();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [name, run]);

  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);

  return (
    <>
      <ErrorBanner error={error} />
      <p className="muted" role="status">
        {done ? t('The run has ended; this is its whole log.') : t('Following the log…')}
      </p>
      <pre className="logs" ref={box} tabIndex={0} aria-label={t('Logs')} data-testid="task-logs">
        {lines.length === 0 && <span className="muted">{t('No log lines yet.')}</span>}
        {lines.map((l) => (
          <div key={l.seq} className={`log-${l.stream}`}>
            <span className="muted">{l.ts.slice(11, 19)}</span> {l.line}
          </div>
        ))}
      </pre>
    </>
  );
}
