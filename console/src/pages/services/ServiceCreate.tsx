/**
 * 新建在线服务, mirroring TI-ONE's form: basic info, billing mode, instance and container
 * (model + version + spec), scaling, advanced (batching, env, log delivery), auth, tags.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { Service } from '../../../../src/contracts/services.js';
import type { ResourceGroup } from '../../api-types.js';
import { api, enc, fieldError, get } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { useI18n } from '../../i18n.js';
import { Link, navigate, useLocation } from '../../router.js';
import { parseTags } from '../models/Tags.js';
import { VersionFields, emptyDraft, specOf } from './VersionFields.js';

export function ServiceCreate() {
  const { t } = useI18n();
  const { query } = useLocation();
  const [name, setName] = useState(query.get('model') ?? '');
  const [description, setDescription] = useState('');
  const [tags, setTags] = useState('');
  const [billingMode, setBillingMode] = useState<'postpaid' | 'prepaid'>('postpaid');
  const [resourceGroup, setResourceGroup] = useState('');
  const [groups, setGroups] = useState<ResourceGroup[]>([]);
  const [auth, setAuth] = useState(false);
  const [draft, setDraft] = useState(emptyDraft(query.get('model') ?? '', query.get('version') ?? ''));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    get<{ items: ResourceGroup[] }>('/api/v1/resource-groups').then((r) => setGroups(r.items), () => undefined);
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = {
      name,
      ...(description ? { description } : {}),
      ...(parseTags(tags) ? { tags: parseTags(tags) } : {}),
      billingMode,
      ...(billingMode === 'prepaid' && resourceGroup ? { resourceGroup } : {}),
      auth,
      version: specOf(draft),
    };
    try {
      const s = await api<Service>('POST', '/api/v1/services', body);
      navigate(`/services/${enc(s.name)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const fe = (...f: string[]) => fieldError(error, ...f);

  return (
    <section>
      <p className="crumbs">
        <Link to="/services">{t('Online services')}</Link> / {t('New service')}
      </p>
      <h1>{t('New online service')}</h1>
      <form onSubmit={submit} noValidate className="form-page">
        <fieldset className="grid">
          <legend>{t('Basic information')}</legend>
          <Field label={t('Service name')} error={fe('name')} hint={t('1–60 letters, digits, _ or -, starting with a letter or digit')}>
            <input value={name} onChange={(e) => setName(e.target.value)} required />
          </Field>
          <Field label={t('Description')} error={fe('description')}>
            <input value={description} onChange={(e) => setDescription(e.target.value)} />
          </Field>
          <Field label={t('Tags')} hint={t('key=value, comma separated')} error={fe('tags')}>
            <input value={tags} onChange={(e) => setTags(e.target.value)} />
          </Field>
        </fieldset>
        <fieldset className="grid">
          <legend>{t('Billing')}</legend>
          <div className="radios wide" role="radiogroup" aria-label={t('Billing mode')}>
            <label>
              <input type="radio" name="billing" checked={billingMode === 'postpaid'} onChange={() => setBillingMode('postpaid')} /> {t('Pay as you go (postpaid)')}
            </label>
            <label>
              <input type="radio" name="billing" checked={billingMode === 'prepaid'} onChange={() => setBillingMode('prepaid')} /> {t('Resource group (prepaid)')}
            </label>
          </div>
          {billingMode === 'prepaid' && (
            <Field
              label={t('Resource group')}
              error={fe('resourceGroup')}
              hint={
                <>
                  {t('Free capacity is shown per group; a service must fit with all the instances it may run.')} <Link to="/resource-groups">{t('Manage resource groups')}</Link>
                </>
              }
            >
              <select value={resourceGroup} onChange={(e) => setResourceGroup(e.target.value)}>
                <option value="">{t('Choose a resource group')}</option>
                {groups.map((g) => (
                  <option key={g.name} value={g.name}>
                    {t('{name} (free: {cpu} cores, {memory} MiB, {gpu} GPU)', {
                      name: g.name,
                      cpu: (g.capacity.cpuMillicores - g.used.cpuMillicores) / 1000,
                      memory: g.capacity.memoryMiB - g.used.memoryMiB,
                      gpu: g.capacity.gpu - g.used.gpu,
                    })}
                  </option>
                ))}
              </select>
            </Field>
          )}
        </fieldset>
        <VersionFields draft={draft} onChange={setDraft} error={error} prefix="version." />
        <fieldset className="grid">
          <legend>{t('Access')}</legend>
          <label className="check wide">
            <input type="checkbox" checked={auth} onChange={(e) => setAuth(e.target.checked)} /> {t('Require a token to call (authentication)')}
          </label>
        </fieldset>
        <ErrorBanner error={error} />
        <div className="actions">
          <Link className="button-like" to="/services">
            {t('Cancel')}
          </Link>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('Creating…') : t('Create service')}
          </button>
        </div>
      </form>
    </section>
  );
}
