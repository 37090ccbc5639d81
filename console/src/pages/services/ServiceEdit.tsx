/** Edit a service's description, tags and auth: PATCH with a JSON merge patch (tags removed in the form are sent as null). */
import { useState } from 'react';
import type { Service } from '../../../../src/contracts/services.js';
import { api, enc, fieldError } from '../../api.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { useI18n } from '../../i18n.js';
import { parseTags } from '../models/Tags.js';

const tagText = (tags: Record<string, string>) =>
  Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/** The merge patch from the service as it is to what the form holds (only what changed). */
export function servicePatch(s: Service, description: string, tagsText: string, auth: boolean): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  if (description !== s.description) patch.description = description;
  const next = parseTags(tagsText) ?? {};
  const tags: Record<string, string | null> = {};
  for (const k of Object.keys(s.tags)) if (!(k in next)) tags[k] = null;
  for (const [k, v] of Object.entries(next)) if (s.tags[k] !== v) tags[k] = v;
  if (Object.keys(tags).length) patch.tags = tags;
  if (auth !== s.auth) patch.auth = auth;
  return patch;
}

export function ServiceEdit({ service, onDone }: { service: Service; onDone: () => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [description, setDescription] = useState('');
  const [tags, setTags] = useState('');
  const [auth, setAuth] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const start = () => {
    setDescription(service.description);
    setTags(tagText(service.tags));
    setAuth(service.auth);
    setError(undefined);
    setOpen(true);
  };
  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const patch = servicePatch(service, description, tags, auth);
      if (Object.keys(patch).length) await api('PATCH', `/api/v1/services/${enc(service.name)}`, patch);
      setOpen(false);
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={start}>
        {t('Edit')}
      </button>
      {open && (
        <Dialog open title={t('Edit service')} onClose={() => setOpen(false)}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <Field label={t('Description')} error={fieldError(error, 'description')}>
              <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={3} />
            </Field>
            <Field label={t('Tags')} hint={t('key=value, comma separated')} error={fieldError(error, 'tags')}>
              <input value={tags} onChange={(e) => setTags(e.target.value)} />
            </Field>
            <label className="check wide">
              <input type="checkbox" checked={auth} onChange={(e) => setAuth(e.target.checked)} /> {t('Require a token to call (authentication)')}
            </label>
            <ErrorBanner error={error} />
            <div className="actions">
              <button type="button" onClick={() => setOpen(false)}>
                {t('Cancel')}
              </button>
              <button type="submit" className="primary" disabled={busy}>
                {t('Save')}
              </button>
            </div>
          </form>
        </Dialog>
      )}
    </>
  );
}
