/** The console's frame: header with navigation, language switch and admin token; the page. */
import { useState } from 'react';
import { adminToken, setAdminToken } from './api.js';
import { Dialog } from './components/Dialog.js';
import { setLang, useI18n } from './i18n.js';
import { Link, useLocation } from './router.js';
import { Routes } from './Routes.js';

const SECTIONS = [
  ['/models', 'Model repository'],
  ['/tasks', 'Training tasks'],
  ['/services', 'Online services'],
  ['/batch-jobs', 'Batch jobs'],
  ['/resource-groups', 'Resource groups'],
] as const;

export function App() {
  const { t, lang } = useI18n();
  const { path } = useLocation();
  const [tokenOpen, setTokenOpen] = useState(false);
  const [token, setToken] = useState(adminToken());
  return (
    <>
      <a className="skip" href="#main">
        {t('Skip to content')}
      </a>
      <header className="top">
        <Link to="/models" className="brand">
          modeldock
        </Link>
        <nav aria-label={t('Sections')}>
          {SECTIONS.map(([to, label]) => (
            <Link key={to} to={to} aria-current={path.startsWith(to) ? 'page' : undefined}>
              {t(label)}
            </Link>
          ))}
        </nav>
        <div className="top-tools">
          <button type="button" className="small" onClick={() => setTokenOpen(true)}>
            {t('Admin token')}
            {adminToken() ? ' ✓' : ''}
          </button>
          <button type="button" className="small" lang={lang === 'zh' ? 'en' : 'zh-CN'} onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
            {lang === 'zh' ? 'English' : '简体中文'}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Routes path={path} />
      </main>
      <Dialog open={tokenOpen} title={t('Admin token')} onClose={() => setTokenOpen(false)}>
        <form
          method="dialog"
          onSubmit={() => {
            setAdminToken(token.trim());
            setTokenOpen(false);
          }}
        >
          <p className="muted">{t('Needed only when the platform runs with MODELDOCK_ADMIN_TOKEN. Kept in this browser.')}</p>
          <label className="field">
            <span className="field-label">{t('Admin token')}</span>
            <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" />
          </label>
          <div className="actions">
            <button type="button" onClick={() => setTokenOpen(false)}>
              {t('Cancel')}
            </button>
            <button type="submit" className="primary">
              {t('Save')}
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
