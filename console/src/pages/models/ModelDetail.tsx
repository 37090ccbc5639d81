/** One model: its description, tags and versions (status polled while importing). */
import { useState } from 'react';
import type { Model, ModelVersion } from '../../../../src/contracts/resources.js';
import { api, enc, get } from '../../api.js';
import { Confirm } from '../../components/Dialog.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { PageHead } from '../../components/PageHead.js';
import { ResourceTable, type Column } from '../../components/ResourceTable.js';
import { StateBadge } from '../../components/StateBadge.js';
import { useI18n, type T } from '../../i18n.js';
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
  const remove = (v: string) => api('DELETE', `/api/v1/models/${enc(name)}/versions/${v}`).then(() => (setError(undefined), model.reload()), setError);
  return (
    <section>
      <p className="crumbs">
        <Link to="/models">{t('Model repository')}</Link> / {name}
      </p>
      <PageHead title={name}>
        <button type="button" className="primary" onClick={() => setImporting(true)}>
          {t('Import new version')}
        </button>
      </PageHead>
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
          <ResourceTable columns={versionColumns(t, name, setDeleting)} rows={m.versions} rowKey={(v) => v.version} />
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
        onConfirm={() => (setDeleting(undefined), void remove(deleting!))}
      />
    </section>
  );
}

function versionColumns(t: T, name: string, onDelete: (version: string) => void): Column<ModelVersion>[] {
  return [
    { head: t('Version'), cell: (v) => <Link to={`/models/${enc(name)}/versions/${v.version}`}>{v.version}</Link> },
    {
      head: t('Status'),
      cell: (v) => (
        <>
          <StateBadge state={v.status} reason={v.error} />
          {v.error && <div className="reason">{v.error}</div>}
        </>
      ),
    },
    {
      head: t('Source'),
      cell: (v) => `${t(`source:${v.source.type}`)} ${v.source.path ?? (v.source.task ? `${v.source.task}${v.source.run ? ` #${v.source.run}` : ''}` : '')}`,
    },
    { head: t('Format'), cell: (v) => v.format },
    { head: t('Runtime environment'), cell: (v) => v.runtime },
    { head: t('Files'), cell: (v) => `${v.fileCount} (${formatBytes(v.size)})` },
    { head: t('Metrics'), cell: (v) => metricsText(v.metrics), className: 'clip' },
    { head: t('Created'), cell: (v) => new Date(v.createdAt).toLocaleString() },
    {
      head: t('Actions'),
      srOnly: true,
      className: 'row-actions',
      cell: (v) => (
        <>
          {v.status === 'ready' && (
            <Link className="button-like small" to={`/services/new?model=${enc(name)}&version=${v.version}`}>
              {t('Deploy')}
            </Link>
          )}
          <button type="button" className="small danger" onClick={() => onDelete(v.version)}>
            {t('Delete')}
          </button>
        </>
      ),
    },
  ];
}

export function metricsText(m: ModelVersion['metrics']): string {
  if (m === null || m === undefined) return '–';
  return typeof m === 'string' ? m : JSON.stringify(m);
}
