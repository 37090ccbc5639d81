/** A run's log, followed live (server-sent events) until the run has ended and every line was read. */
import { useEffect, useRef, useState } from 'react';
import type { TaskLogLine } from '../../../../src/contracts/tasks.js';
import { enc, follow, qs } from '../../api.js';
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
    setLines([]);
    setDone(false);
    // one event stream: the run's lines so far, then each new one, then `done`
    const stop = follow(
      `/api/v1/tasks/${enc(name)}/logs/stream${qs({ run, after: 0, limit: 1000 })}`,
      (e) => {
        if (!alive) return;
        if (e.event === 'log') setLines((old) => [...old, JSON.parse(e.data) as TaskLogLine].slice(-KEEP));
        if (e.event === 'done') setDone(true);
        setError(undefined);
      },
      (e) => alive && setError(e),
    );
    return () => {
      alive = false;
      stop();
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
