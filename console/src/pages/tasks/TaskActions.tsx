/** stop / restart / delete a task, each after a confirmation; and a run's duration. */
import { useState } from 'react';
import type { Task, TaskRun } from '../../../../src/contracts/tasks.js';
import { FINAL_TASK_STATES } from '../../../../src/contracts/tasks.js';
import { api, enc } from '../../api.js';
import { Confirm } from '../../components/Dialog.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { useI18n } from '../../i18n.js';
import { navigate } from '../../router.js';

type Pending = 'stop' | 'restart' | 'delete';

export function TaskActions({ task, onDone }: { task: Task; onDone: () => void }) {
  const { t } = useI18n();
  const [pending, setPending] = useState<Pending>();
  const [error, setError] = useState<unknown>();
  const final = FINAL_TASK_STATES.includes(task.state);
  const base = `/api/v1/tasks/${enc(task.name)}`;
  const run = async (p: Pending) => {
    setError(undefined);
    try {
      if (p === 'delete') {
        await api('DELETE', base);
        setPending(undefined);
        return navigate('/tasks');
      }
      await api('POST', `${base}/actions`, { action: p });
      setPending(undefined);
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  const texts: Record<Pending, [string, string, string]> = {
    stop: [t('Stop task'), t('Stop run #{run} of {name}?', { run: task.latestRun.run, name: task.name }), t('Stop')],
    restart: [t('Restart task'), t('Start a new run of {name} with the same code and inputs?', { name: task.name }), t('Restart')],
    delete: [t('Delete task'), t('Delete {name} with its code, logs and the outputs in its default folder?', { name: task.name }), t('Delete')],
  };
  return (
    <>
      {final ? (
        <button type="button" onClick={() => setPending('restart')}>
          {t('Restart')}
        </button>
      ) : (
        <button type="button" onClick={() => setPending('stop')}>
          {t('Stop')}
        </button>
      )}
      <button type="button" className="danger" onClick={() => setPending('delete')}>
        {t('Delete')}
      </button>
      {pending && (
        <Confirm
          open
          danger={pending !== 'restart'}
          title={texts[pending][0]}
          message={texts[pending][1]}
          confirmLabel={texts[pending][2]}
          onClose={() => setPending(undefined)}
          onConfirm={() => void run(pending)}
        >
          <ErrorBanner error={error} />
        </Confirm>
      )}
    </>
  );
}

export function duration(r: TaskRun): string {
  if (!r.startedAt) return '–';
  const ms = (r.finishedAt ? Date.parse(r.finishedAt) : Date.now()) - Date.parse(r.startedAt);
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
