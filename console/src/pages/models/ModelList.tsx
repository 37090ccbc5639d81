/** 模型仓库: models with search, filters, tags and paging; import; templates download. */
import { useState } from 'react';
import type { Model } from '../../../../src/contracts/resources.js';
import { MODEL_FORMATS, SOURCE_TYPES } from '../../../../src/contracts/resources.js';
import { api, enc } from '../../api.js';
import { Confirm } from '../../components/Dialog.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { PageHead } from '../../components/PageHead.js';
import { ResourceTable, type Column } from '../../components/ResourceTable.js';
import { usePagedList } from '../../components/usePagedList.js';
import { useI18n, type T } from '../../i18n.js';
import { Link } from '../../router.js';
import { ImportDialog } from './ImportDialog.js';
import { TemplatesButton } from './TemplatesButton.js';
import { Tags } from './Tags.js';

function columns(t: T, onDelete: (name: string) => void): Column<Model>[] {
  return [
    { head: t('Name'), cell: (m) => <Link to={`/models/${enc(m.name)}`}>{m.name}</Link> },
    { head: t('Latest version'), cell: (m) => m.latestVersion ?? '–' },
    { head: t('Versions'), cell: (m) => m.versionCount },
    { head: t('Tags'), cell: (m) => <Tags tags={m.tags} /> },
    { head: t('Description'), cell: (m) => m.description, className: 'clip' },
    { head: t('Updated'), cell: (m) => new Date(m.updatedAt).toLocaleString() },
    {
      head: t('Actions'),
      srOnly: true,
      cell: (m) => (
        <button type="button" className="small danger" onClick={() => onDelete(m.name)}>
          {t('Delete')}
        </button>
      ),
    },
  ];
}

export function ModelList() {
  const { t } = useI18n();
  const [filters, setFilters] = useState({ keyword: '', format: '', source: '', tag: '' });
  const [importing, setImporting] = useState(false);
  const [deleting, setDeleting] = useState<string>();
  const [actionError, setActionError] = useState<unknown>();
  const query = { ...filters, tag: /^[^=]+=.*$/.test(filters.tag) ? filters.tag : '' };
  const { list, setOffset, paging } = usePagedList<Model>('/api/v1/models', query, 4000);
  const filter = (key: keyof typeof filters) => (v: string) => (setFilters((f) => ({ ...f, [key]: v })), setOffset(0));
  const remove = (name: string) => api('DELETE', `/api/v1/models/${enc(name)}`).then(() => (setActionError(undefined), list.reload()), setActionError);
  return (
    <section>
      <PageHead title={t('Model repository')}>
        <TemplatesButton />
        <button type="button" className="primary" onClick={() => setImporting(true)}>
          {t('Import model')}
        </button>
      </PageHead>
      <ModelFilters values={filters} onChange={filter} />
      <ErrorBanner error={list.error ?? actionError} />
      <ResourceTable
        columns={columns(t, setDeleting)}
        rows={list.data?.items}
        rowKey={(m) => m.name}
        empty={t('No models yet. Import one, or download the inference code templates to start from.')}
        paging={paging}
      />
      <ImportDialog open={importing} onClose={() => setImporting(false)} />
      <Confirm
        open={deleting !== undefined}
        danger
        title={t('Delete model')}
        message={t('Delete model {name} with all its versions and files? This cannot be undone.', { name: deleting ?? '' })}
        confirmLabel={t('Delete')}
        onClose={() => setDeleting(undefined)}
        onConfirm={() => (setDeleting(undefined), void remove(deleting!))}
      />
    </section>
  );
}

type Filters = { keyword: string; format: string; source: string; tag: string };

function ModelFilters({ values, onChange }: { values: Filters; onChange: (key: keyof Filters) => (v: string) => void }) {
  const { t } = useI18n();
  return (
    <div className="filters" role="search">
      <input
        type="search"
        aria-label={t('Search models')}
        placeholder={t('Search by name or description')}
        value={values.keyword}
        onChange={(e) => onChange('keyword')(e.target.value)}
      />
      <select aria-label={t('Format')} value={values.format} onChange={(e) => onChange('format')(e.target.value)}>
        <option value="">{t('All formats')}</option>
        {MODEL_FORMATS.map((f) => (
          <option key={f}>{f}</option>
        ))}
      </select>
      <select aria-label={t('Source')} value={values.source} onChange={(e) => onChange('source')(e.target.value)}>
        <option value="">{t('All sources')}</option>
        {SOURCE_TYPES.map((s) => (
          <option key={s} value={s}>
            {t(`source:${s}`)}
          </option>
        ))}
      </select>
      <input aria-label={t('Tag filter')} placeholder={t('tag key=value')} value={values.tag} onChange={(e) => onChange('tag')(e.target.value)} />
    </div>
  );
}
