/** One training task: state and reason, runs, live logs, outputs and metrics; "Import as model". */
import { useState } from 'react';
import type { Task, TaskRunOutputs } from '../../../../src/contracts/tasks.js';
import { download, enc, get } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { PageHead } from '../../components/PageHead.js';
import { StateBadge } from '../../components/StateBadge.js';
import { useI18n } from '../../i18n.js';
import { usePoll } from '../../poll.js';
import { Link } from '../../router.js';
import { formatBytes } from '../models/FilePicker.js';
import { ImportDialog } from '../models/ImportDialog.js';
import { TaskActions, duration } from './TaskActions.js';
import { TaskLogs } from './TaskLogs.js';

export function TaskDetail({ name }: { name: string }) {
  const { t } = useI18n();
  const base = `/api/v1/tasks/${enc(name)}`;
  const task = usePoll(() => get<Task>(base), [base], 1500);
  const [chosen, setChosen] = useState<number>();
  const [importing, setImporting] = useState(false);
  const [error, setError] = useState<unknown>();
  const x = task.data;
  const runNo = chosen ?? x?.latestRun.run;
  const run = x?.runs?.find((r) => r.run === runNo) ?? x?.latestRun;
  const outputs = usePoll(() => (runNo ? get<TaskRunOutputs>(`${base}/outputs?run=${runNo}`) : Promise.resolve(undefined)), [base, runNo, run?.state], 0);

  return (
    <section>
      <p className="crumbs">
        <Link to="/tasks">{t('Training tasks')}</Link> / {name}
      </p>
      <PageHead title={name} badge={x && <StateBadge state={x.state} reason={x.reason} />}>
        {run?.state === 'Succeeded' && (
          <button type="button" className="primary" onClick={() => setImporting(true)}>
            {t('Import as model')}
          </button>
        )}
        {x && <TaskActions task={x} onDone={task.reload} />}
      </PageHead>
      <ErrorBanner error={task.error ?? error} />
      {x?.reason && (
        <p className="reason" data-testid="task-reason">
          <strong>{t('Reason')}:</strong> {x.reason}
        </p>
      )}
      {x && (
        <dl className="facts">
          <dt>{t('Runtime environment')}</dt>
          <dd>{x.runtime}</dd>
          <dt>{t('Code')}</dt>
          <dd>{x.code.type === 'example' ? `${t('Built-in example')} ${x.code.name}` : x.code.type === 'storage' ? x.code.path : t('Local upload')}</dd>
          <dt>{t('Start command')}</dt>
          <dd>
            <code>{x.command}</code>
          </dd>
          <dt>{t('Inputs')}</dt>
          <dd>
            {Object.entries(x.inputs).map(([k, v]) => (
              <div key={k}>
                <code>
                  {k} ← {v}
                </code>
              </div>
            ))}
            {Object.keys(x.inputs).length === 0 && '–'}
          </dd>
          <dt>{t('Output folder')}</dt>
          <dd>
            <code>{x.output}</code>
          </dd>
          <dt>{t('Resources')}</dt>
          <dd>
            {x.resources.cpuMillicores}m, {x.resources.memoryMiB} MiB
          </dd>
        </dl>
      )}
      {x?.runs && x.runs.length > 1 && (
        <label className="check">
          {t('Run')}{' '}
          <select value={runNo} onChange={(e) => setChosen(Number(e.target.value))}>
            {[...x.runs].reverse().map((r) => (
              <option key={r.run} value={r.run}>
                #{r.run} ({t(r.state)})
              </option>
            ))}
          </select>
        </label>
      )}
      {run && (
        <div className="card">
          <h2>
            {t('Run #{n}', { n: run.run })} <StateBadge state={run.state} reason={run.reason} />
          </h2>
          <dl className="facts">
            <dt>{t('Started')}</dt>
            <dd>{run.startedAt ? new Date(run.startedAt).toLocaleString() : '–'}</dd>
            <dt>{t('Duration')}</dt>
            <dd>{duration(run)}</dd>
            <dt>{t('Exit code')}</dt>
            <dd>{run.exitCode ?? '–'}</dd>
            <dt>{t('Metrics')}</dt>
            <dd data-testid="task-metrics">{run.metrics ? <code>{JSON.stringify(run.metrics)}</code> : '–'}</dd>
          </dl>
          <h3>{t('Outputs')}</h3>
          <p className="muted">
            <code>{outputs.data?.path ?? run.outputPath}</code>
          </p>
          <ul className="plain" aria-label={t('Outputs')}>
            {outputs.data?.items.map((f) => (
              <li key={f.path}>
                <code>{f.path}</code> <span className="muted">({formatBytes(f.size)})</span>{' '}
                <button
                  type="button"
                  className="small"
                  onClick={() =>
                    void download(`/api/v1/storage/${f.storagePath.split('/').map(enc).join('/')}`, f.path.split('/').pop() ?? 'file').catch(setError)
                  }
                >
                  {t('Download')}
                </button>
              </li>
            ))}
            {outputs.data?.items.length === 0 && <li className="muted">{t('No outputs (yet).')}</li>}
          </ul>
        </div>
      )}
      {runNo !== undefined && (
        <>
          <h2>{t('Logs')}</h2>
          <TaskLogs name={name} run={runNo} />
        </>
      )}
      {x && run && (
        <ImportDialog
          open={importing}
          onClose={() => setImporting(false)}
          preset={{ model: name, mode: 'new', source: 'task', task: name, run: String(run.run), runtime: x.runtime }}
        />
      )}
    </section>
  );
}
