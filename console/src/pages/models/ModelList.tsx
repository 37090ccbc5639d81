/** 模型仓库: models with search, filters, tags and paging; import; templates download. */
import { useState } from 'react';
import type { Model, Page } from '../../../../src/contracts/resources.js';
import { MODEL_FORMATS, SOURCE_TYPES } from '../../../../src/contracts/resources.js';
import { api, enc, get } from '../../api.js';
import { Confirm } from '../../components/Dialog.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Pager } from '../../components/Pager.js';
import { useI18n } from '../../i18n.js';
import { usePoll } from '../../poll.js';
import { Link } from '../../router.js';
import { ImportDialog } from './ImportDialog.js';
import { TemplatesButton } from './TemplatesButton.js';
import { Tags } from './Tags.js';

const LIMIT = 20;

export function ModelList() {
  const { t } = useI18n();
  const [keyword, setKeyword] = useState('');
  const [format, setFormat] = useState('');
  const [source, setSource] = useState('');
  const [tag, setTag] = useState('');
  const [offset, setOffset] = useState(0);
  const [importing, setImporting] = useState(false);
  const [deleting, setDeleting] = useState<string>();
  const [actionError, setActionError] = useState<unknown>();

  const params = new URLSearchParams({ offset: String(offset), limit: String(LIMIT) });
  if (keyword) params.set('keyword', keyword);
  if (format) params.set('format', format);
  if (source) params.set('source', source);
  if (/^[^=]+=.*$/.test(tag)) params.set('tag', tag);
  const list = usePoll(() => get<Page<Model>>(`/api/v1/models?${params}`), [params.toString()], 4000);
  const filter = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setOffset(0);
  };

  return (
    <section>
      <div className="page-head">
        <h1>{t('Model repository')}</h1>
        <div className="actions">
          <TemplatesButton />
          <button type="button" className="primary" onClick={() => setImporting(true)}>
            {t('Import model')}
          </button>
        </div>
      </div>
      <div className="filters" role="search">
        <input type="search" aria-label={t('Search models')} placeholder={t('Search by name or description')} value={keyword} onChange={(e) => filter(setKeyword)(e.target.value)} />
        <select aria-label={t('Format')} value={format} onChange={(e) => filter(setFormat)(e.target.value)}>
          <option value="">{t('All formats')}</option>
          {MODEL_FORMATS.map((f) => (
            <option key={f}>{f}</option>
          ))}
        </select>
        <select aria-label={t('Source')} value={source} onChange={(e) => filter(setSource)(e.target.value)}>
          <option value="">{t('All sources')}</option>
          {SOURCE_TYPES.map((s) => (
            <option key={s} value={s}>
              {t(`source:${s}`)}
            </option>
          ))}
        </select>
        <input aria-label={t('Tag filter')} placeholder={t('tag key=value')} value={tag} onChange={(e) => filter(setTag)(e.target.value)} />
      </div>
      <ErrorBanner error={list.error ?? actionError} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('Name')}</th>
              <th>{t('Latest version')}</th>
              <th>{t('Versions')}</th>
              <th>{t('Tags')}</th>
              <th>{t('Description')}</th>
              <th>{t('Updated')}</th>
              <th>
                <span className="sr-only">{t('Actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((m) => (
              <tr key={m.name}>
                <td>
                  <Link to={`/models/${enc(m.name)}`}>{m.name}</Link>
                </td>
                <td>{m.latestVersion ?? '–'}</td>
                <td>{m.versionCount}</td>
                <td>
                  <Tags tags={m.tags} />
                </td>
                <td className="clip">{m.description}</td>
                <td>{new Date(m.updatedAt).toLocaleString()}</td>
                <td>
                  <button type="button" className="small danger" onClick={() => setDeleting(m.name)}>
                    {t('Delete')}
                  </button>
                </td>
              </tr>
            ))}
            {list.data && list.data.items.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  {t('No models yet. Import one, or download the inference code templates to start from.')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {list.data && <Pager offset={offset} limit={LIMIT} total={list.data.total} onChange={setOffset} />}
      <ImportDialog open={importing} onClose={() => setImporting(false)} />
      <Confirm
        open={deleting !== undefined}
        danger
        title={t('Delete model')}
        message={t('Delete model {name} with all its versions and files? This cannot be undone.', { name: deleting ?? '' })}
        confirmLabel={t('Delete')}
        onClose={() => setDeleting(undefined)}
        onConfirm={() => {
          const name = deleting!;
          setDeleting(undefined);
          api('DELETE', `/api/v1/models/${enc(name)}`).then(() => (setActionError(undefined), list.reload()), setActionError);
        }}
      />
    </section>
  );
}
