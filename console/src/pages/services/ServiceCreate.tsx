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
import { RadioRow, TextField, useDraft } from '../../components/form.js';
import { useI18n } from '../../i18n.js';
import { Link, navigate, useLocation } from '../../router.js';
import { parseTags } from '../models/Tags.js';
import { VersionFields, emptyDraft, specOf, type VersionDraft } from './VersionFields.js';

interface Draft {
  name: string;
  description: string;
  tags: string;
  billingMode: 'postpaid' | 'prepaid';
  resourceGroup: string;
  auth: boolean;
}
type Bind = ReturnType<typeof useDraft<Draft>>['bind'];
type FieldErr = (...f: string[]) => string | undefined;

function serviceBody(d: Draft, version: VersionDraft) {
  return {
    name: d.name,
    ...(d.description ? { description: d.description } : {}),
    ...(parseTags(d.tags) ? { tags: parseTags(d.tags) } : {}),
    billingMode: d.billingMode,
    ...(d.billingMode === 'prepaid' && d.resourceGroup ? { resourceGroup: d.resourceGroup } : {}),
    auth: d.auth,
    version: specOf(version),
  };
}

export function ServiceCreate() {
  const { t } = useI18n();
  const { query } = useLocation();
  const { draft: d, bind } = useDraft<Draft>({
    name: query.get('model') ?? '',
    description: '',
    tags: '',
    billingMode: 'postpaid',
    resourceGroup: '',
    auth: false,
  });
  const [version, setVersion] = useState(emptyDraft(query.get('model') ?? '', query.get('version') ?? ''));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const s = await api<Service>('POST', '/api/v1/services', serviceBody(d, version));
      navigate(`/services/${enc(s.name)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const fe: FieldErr = (...f) => fieldError(error, ...f);

  return (
    <section>
      <p className="crumbs">
        <Link to="/services">{t('Online services')}</Link> / {t('New service')}
      </p>
      <h1>{t('New online service')}</h1>
      <form onSubmit={submit} noValidate className="form-page">
        <fieldset className="grid">
          <legend>{t('Basic information')}</legend>
          <TextField
            label={t('Service name')}
            error={fe('name')}
            hint={t('1–60 letters, digits, _ or -, starting with a letter or digit')}
            value={d.name}
            onChange={bind('name')}
            required
          />
          <TextField label={t('Description')} error={fe('description')} value={d.description} onChange={bind('description')} />
          <TextField label={t('Tags')} hint={t('key=value, comma separated')} error={fe('tags')} value={d.tags} onChange={bind('tags')} />
        </fieldset>
        <BillingFields draft={d} bind={bind} fe={fe} />
        <VersionFields draft={version} onChange={setVersion} error={error} prefix="version." />
        <fieldset className="grid">
          <legend>{t('Access')}</legend>
          <label className="check wide">
            <input type="checkbox" checked={d.auth} onChange={(e) => bind('auth')(e.target.checked)} /> {t('Require a token to call (authentication)')}
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

function BillingFields({ draft, bind, fe }: { draft: Draft; bind: Bind; fe: FieldErr }) {
  const { t } = useI18n();
  const [groups, setGroups] = useState<ResourceGroup[]>([]);
  useEffect(() => {
    get<{ items: ResourceGroup[] }>('/api/v1/resource-groups').then(
      (r) => setGroups(r.items),
      () => undefined,
    );
  }, []);
  const modes = [
    ['postpaid', t('Pay as you go (postpaid)')],
    ['prepaid', t('Resource group (prepaid)')],
  ] as const;
  return (
    <fieldset className="grid">
      <legend>{t('Billing')}</legend>
      <RadioRow label={t('Billing mode')} name="billing" value={draft.billingMode} onChange={bind('billingMode')} options={modes} />
      {draft.billingMode === 'prepaid' && (
        <Field
          label={t('Resource group')}
          error={fe('resourceGroup')}
          hint={
            <>
              {t('Free capacity is shown per group; a service must fit with all the instances it may run.')}{' '}
              <Link to="/resource-groups">{t('Manage resource groups')}</Link>
            </>
          }
        >
          <select value={draft.resourceGroup} onChange={(e) => bind('resourceGroup')(e.target.value)}>
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
  );
}
