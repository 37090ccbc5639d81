/** A state shown the same way everywhere: colour and text (DESIGN.md §2). */
import { useI18n } from '../i18n.js';

const TONE: Record<string, string> = {
  Running: 'ok',
  Ready: 'ok',
  ready: 'ok',
  Succeeded: 'ok',
  Creating: 'busy',
  Updating: 'busy',
  Starting: 'busy',
  Pending: 'busy',
  importing: 'busy',
  Deleting: 'busy',
  Stopping: 'busy',
  Terminating: 'busy',
  Stopped: 'idle',
  Exited: 'idle',
  Progressing: 'busy',
  Paused: 'idle',
  Promoted: 'ok',
  RolledBack: 'bad',
  Aborted: 'idle',
  Failed: 'bad',
  failed: 'bad',
  Unhealthy: 'bad',
};

export function StateBadge({ state, reason }: { state: string; reason?: string }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge-${TONE[state] ?? 'idle'}`} data-state={state} title={reason}>
      <span className="dot" aria-hidden="true" />
      {t(state)}
    </span>
  );
}
