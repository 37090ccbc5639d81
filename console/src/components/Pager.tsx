/** Previous / next over a Page<T> (offset, limit, total). */
import { useI18n } from '../i18n.js';

export function Pager({ offset, limit, total, onChange }: { offset: number; limit: number; total: number; onChange: (offset: number) => void }) {
  const { t } = useI18n();
  if (total <= limit && offset === 0) return <p className="muted">{t('{n} in all', { n: total })}</p>;
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  return (
    <nav className="pager" aria-label={t('Pages')}>
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        {t('Previous')}
      </button>
      <span>{t('Page {page} of {pages} ({n} in all)', { page, pages, n: total })}</span>
      <button type="button" disabled={offset + limit >= total} onClick={() => onChange(offset + limit)}>
        {t('Next')}
      </button>
    </nav>
  );
}
