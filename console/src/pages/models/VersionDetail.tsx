/** One model version: its facts, and its files (upload with progress, download, delete). */
import { useState } from 'react';
import type { ModelVersion, VersionFile } from '../../../../src/contracts/resources.js';
import { api, download, enc, get, uploadWithProgress } from '../../api.js';
import { Confirm } from '../../components/Dialog.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { StateBadge } from '../../components/StateBadge.js';
import { useI18n } from '../../i18n.js';
import { usePoll } from '../../poll.js';
import { Link } from '../../router.js';
import { FilePicker, Progress, formatBytes, type PickedFile } from './FilePicker.js';
import { metricsText } from './ModelDetail.js';

export function VersionDetail({ name, version }: { name: string; version: string }) {
  const { t } = useI18n();
  const base = `/api/v1/models/${enc(name)}/versions/${enc(version)}`;
  const v = usePoll(() => get<ModelVersion>(base), [base], 3000);
  const [picked, setPicked] = useState<PickedFile[]>([]);
  const [prefix, setPrefix] = useState('');
  const [progress, setProgress] = useState<number>();
  const [error, setError] = useState<unknown>();
  const [deleting, setDeleting] = useState<string>();
  const [uploaded, setUploaded] = useState<number>();

  const upload = async () => {
    setError(undefined);
    setUploaded(undefined);
    const form = new FormData();
    if (prefix.trim()) form.append('prefix', prefix.trim());
    for (const f of picked) form.append('file', f.file, f.path);
    setProgress(0);
    try {
      const r = await uploadWithProgress<{ items: VersionFile[] }>(`${base}/files`, form, setProgress);
      setUploaded(r.items.length);
      setPicked([]);
      v.reload();
    } catch (e) {
      setError(e);
    } finally {
      setProgress(undefined);
    }
  };
  const d = v.data;
  return (
    <section>
      <p className="crumbs">
        <Link to="/models">{t('Model repository')}</Link> / <Link to={`/models/${enc(name)}`}>{name}</Link> / {version}
      </p>
      <div className="page-head">
        <h1>
          {name} {version} {d && <StateBadge state={d.status} reason={d.error} />}
        </h1>
        <div className="actions">
          <button type="button" onClick={() => void download(`${base}/archive`, `${name}-${version}.zip`).catch(setError)}>
            {t('Download version (zip)')}
          </button>
          {d?.status === 'ready' && (
            <Link className="button-like primary" to={`/services/new?model=${enc(name)}&version=${enc(version)}`}>
              {t('Deploy as online service')}
            </Link>
          )}
        </div>
      </div>
      <ErrorBanner error={v.error} />
      {d?.error && <p className="reason">{d.error}</p>}
      {d && (
        <dl className="facts">
          <dt>{t('Source')}</dt>
          <dd>
            {t(`source:${d.source.type}`)} {d.source.path ?? d.source.task ?? ''} {d.source.run ? `#${d.source.run}` : ''}
          </dd>
          <dt>{t('Model format')}</dt>
          <dd>{d.format}</dd>
          <dt>{t('Runtime environment')}</dt>
          <dd>
            {d.runtime}
            {d.runtimeRequested && (
              <div className="runtime-note" role="note" data-testid="runtime-mapping">
                ⚠ {t('Imported as runtime')} <code>{d.runtimeRequested}</code>: {d.runtimeNote}
              </div>
            )}
          </dd>
          <dt>{t('Metrics')}</dt>
          <dd>{metricsText(d.metrics)}</dd>
          <dt>{t('Storage path')}</dt>
          <dd>
            <code>{d.storagePath}</code>
          </dd>
          <dt>{t('Move mode')}</dt>
          <dd>{d.moveMode}</dd>
          <dt>{t('Description')}</dt>
          <dd>{d.description || '–'}</dd>
        </dl>
      )}
      <h2>{t('Files')}</h2>
      <div className="table-wrap">
        <table aria-label={t('Files')}>
          <thead>
            <tr>
              <th>{t('Path')}</th>
              <th>{t('Size')}</th>
              <th>sha256</th>
              <th>
                <span className="sr-only">{t('Actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {d?.files?.map((f) => (
              <tr key={f.path}>
                <td>
                  <code>{f.path}</code>
                </td>
                <td>{formatBytes(f.size)}</td>
                <td>
                  <code className="clip">{f.sha256.slice(0, 16)}…</code>
                </td>
                <td className="row-actions">
                  <button
                    type="button"
                    className="small"
                    onClick={() => void download(`${base}/files/${f.path.split('/').map(enc).join('/')}`, f.path.split('/').pop() ?? 'file').catch(setError)}
                  >
                    {t('Download')}
                  </button>
                  <button type="button" className="small danger" onClick={() => setDeleting(f.path)}>
                    {t('Delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {d?.status === 'ready' && (
        <div className="card">
          <h3>{t('Upload files')}</h3>
          <p className="muted">{t('Add inference code, config or weights to this version; a file with the same path is replaced.')}</p>
          <FilePicker files={picked} onChange={setPicked} />
          <label className="field">
            <span className="field-label">{t('Into folder (optional)')}</span>
            <input value={prefix} onChange={(e) => setPrefix(e.target.value)} />
          </label>
          {progress !== undefined && <Progress value={progress} label={t('Uploading')} />}
          {uploaded !== undefined && <p role="status">{t('Uploaded {n} files.', { n: uploaded })}</p>}
          <ErrorBanner error={error} />
          <div className="actions">
            <button type="button" className="primary" disabled={!picked.length || progress !== undefined} onClick={() => void upload()}>
              {t('Upload')}
            </button>
          </div>
        </div>
      )}
      <Confirm
        open={deleting !== undefined}
        danger
        title={t('Delete file')}
        message={t('Delete {path} from {name} {version}?', { path: deleting ?? '', name, version })}
        confirmLabel={t('Delete')}
        onClose={() => setDeleting(undefined)}
        onConfirm={() => {
          const p = deleting!;
          setDeleting(undefined);
          api('DELETE', `${base}/files/${p.split('/').map(enc).join('/')}`).then(() => v.reload(), setError);
        }}
      />
    </section>
  );
}
