/** One model: its description, tags and versions (status polled while importing). */
import { useState } from 'react';
import type { Model, ModelVersion } from '../../../../src/contracts/resources.js';
import { api, enc, get } from '../../api.js';
import { Confirm } from '../../components/Dialog.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { StateBadge } from '../../components/StateBadge.js';
import { useI18n } from '../../i18n.js';
import { usePoll } from '../../poll.js';
import { Link } from '../../router.js';
import { formatBytes } from './FilePicker.js';
import { ImportDialog } from './ImportDialog.js';
import { Tags } from './Tags.js';

export function ModelDetail({ name }: { name: string }) {
  const { t } = useI18n();
  const model = usePoll(() => get<Model & { versions: ModelVersion[] }>(`/api/v1/models/${enc(name)}`), [name], 3000);
  const [importing, setImporting] = useState(false);
  const [deleting, setDeleting] = useState<string>();
  const [error, setError] = useState<unknown>();
  const m = model.data;
  return (
    <section>
      <p className="crumbs">
        <Link to="/models">{t('Model repository')}</Link> / {name}
      </p>
      <div className="page-head">
        <h1>{name}</h1>
        <div className="actions">
          <button type="button" className="primary" onClick={() => setImporting(true)}>
            {t('Import new version')}
          </button>
        </div>
      </div>
      <ErrorBanner error={model.error ?? error} />
      {m && (
        <>
          <dl className="facts">
            <dt>{t('Description')}</dt>
            <dd>{m.description || '–'}</dd>
            <dt>{t('Tags')}</dt>
            <dd>
              <Tags tags={m.tags} />
            </dd>
            <dt>{t('Created')}</dt>
            <dd>{new Date(m.createdAt).toLocaleString()}</dd>
          </dl>
          <h2>{t('Versions')}</h2>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t('Version')}</th>
                  <th>{t('Status')}</th>
                  <th>{t('Source')}</th>
                  <th>{t('Format')}</th>
                  <th>{t('Runtime environment')}</th>
                  <th>{t('Files')}</th>
                  <th>{t('Metrics')}</th>
                  <th>{t('Created')}</th>
                  <th>
                    <span className="sr-only">{t('Actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {m.versions.map((v) => (
                  <tr key={v.version}>
                    <td>
                      <Link to={`/models/${enc(name)}/versions/${v.version}`}>{v.version}</Link>
                    </td>
                    <td>
                      <StateBadge state={v.status} reason={v.error} />
                      {v.error && <div className="reason">{v.error}</div>}
                    </td>
                    <td>
                      {t(`source:${v.source.type}`)} {v.source.path ?? (v.source.task ? `${v.source.task}${v.source.run ? ` #${v.source.run}` : ''}` : '')}
                    </td>
                    <td>{v.format}</td>
                    <td>{v.runtime}</td>
                    <td>
                      {v.fileCount} ({formatBytes(v.size)})
                    </td>
                    <td className="clip">{metricsText(v.metrics)}</td>
                    <td>{new Date(v.createdAt).toLocaleString()}</td>
                    <td className="row-actions">
                      {v.status === 'ready' && (
                        <Link className="button-like small" to={`/services/new?model=${enc(name)}&version=${v.version}`}>
                          {t('Deploy')}
                        </Link>
                      )}
                      <button type="button" className="small danger" onClick={() => setDeleting(v.version)}>
                        {t('Delete')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <ImportDialog open={importing} onClose={() => setImporting(false)} preset={{ model: name, mode: 'version' }} />
      <Confirm
        open={deleting !== undefined}
        danger
        title={t('Delete version')}
        message={t('Delete {name} {version} and its files? This cannot be undone.', { name, version: deleting ?? '' })}
        confirmLabel={t('Delete')}
        onClose={() => setDeleting(undefined)}
        onConfirm={() => {
          const v = deleting!;
          setDeleting(undefined);
          api('DELETE', `/api/v1/models/${enc(name)}/versions/${v}`).then(() => (setError(undefined), model.reload()), setError);
        }}
      />
    </section>
  );
}

export function metricsText(m: ModelVersion['metrics']): string {
  if (m === null || m === undefined) return '–';
  return typeof m === 'string' ? m : JSON.stringify(m);
}
