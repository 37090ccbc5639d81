/** "Download inference code template" (下载推理代码模板): all templates or one. */
import { useState } from 'react';
import type { TemplateInfo } from '../../../../src/contracts/resources.js';
import { download, get } from '../../api.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { useI18n } from '../../i18n.js';

export function TemplatesButton() {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<TemplateInfo[]>();
  const [error, setError] = useState<unknown>();
  const show = () => {
    setOpen(true);
    get<{ items: TemplateInfo[] }>('/api/v1/templates').then((r) => setItems(r.items), setError);
  };
  const fetchZip = (path: string, file: string) => download(path, file).catch(setError);
  return (
    <>
      <button type="button" onClick={show}>
        {t('Download inference code template')}
      </button>
      <Dialog open={open} title={t('Inference code templates')} onClose={() => setOpen(false)} wide>
        <ErrorBanner error={error} />
        <p>
          <button type="button" className="primary" onClick={() => void fetchZip('/api/v1/templates/all.zip', 'modeldock-templates.zip')}>
            {t('Download all templates (zip)')}
          </button>
        </p>
        <ul className="plain">
          {items?.map((tpl) => (
            <li key={tpl.name}>
              <strong>{tpl.name}</strong> <span className="muted">{tpl.description}</span>{' '}
              <span className="muted">
                ({tpl.format}, {tpl.runtime})
              </span>{' '}
              <button type="button" className="small" onClick={() => void fetchZip(`/api/v1/templates/${tpl.name}.zip`, `${tpl.name.replace('/', '-')}.zip`)}>
                {t('Download')}
              </button>
            </li>
          ))}
        </ul>
        <div className="actions">
          <button type="button" onClick={() => setOpen(false)}>
            {t('Close')}
          </button>
        </div>
      </Dialog>
    </>
  );
}
