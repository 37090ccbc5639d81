/**
 * 资源组 (prepaid billing): capacity bought up front; services on a group are admitted only
 * within it. List with capacity, what is reserved and by which services; create; delete.
 */
import { useState, type FormEvent } from 'react';
import type { ResourceGroup } from '../../api-types.js';
import { api, enc, fieldError, get } from '../../api.js';
import { Confirm, Dialog } from '../../components/Dialog.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { useI18n } from '../../i18n.js';
import { usePoll } from '../../poll.js';
import { Link } from '../../router.js';

const cores = (millicores: number) => `${Math.round(millicores / 10) / 100}`;

/** "used / total" with a bar; the bar is full and red when the group is full. */
function Usage({ used, total, label }: { used: number; total: number; label: string }) {
  const pct = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : used > 0 ? 100 : 0;
  return (
    <div className="usage">
      <span>{label}</span>
      <span className="bar" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={label}>
        <span className={pct >= 100 ? 'full' : ''} style={{ width: `${pct}%` }} />
      </span>
    </div>
  );
}

export function ResourceGroups() {
  const { t } = useI18n();
  const list = usePoll(() => get<{ items: ResourceGroup[] }>('/api/v1/resource-groups'), [], 5000);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<string>();
  const [error, setError] = useState<unknown>();

  const remove = async (name: string) => {
    setError(undefined);
    try {
      await api('DELETE', `/api/v1/resource-groups/${enc(name)}`);
      setDeleting(undefined);
      list.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section>
      <div className="page-head">
        <h1>{t('Resource groups')}</h1>
        <div className="actions">
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            {t('New resource group')}
          </button>
        </div>
      </div>
      <p className="muted">
        {t('Capacity bought up front (prepaid). A service billed to a group is admitted only while the group has room for all the instances it may run.')}
      </p>
      <ErrorBanner error={list.error ?? (deleting ? undefined : error)} />
      <div className="table-wrap">
        <table aria-label={t('Resource groups')}>
          <thead>
            <tr>
              <th>{t('Name')}</th>
              <th>{t('CPU (cores)')}</th>
              <th>{t('Memory (MiB)')}</th>
              <th>GPU</th>
              <th>{t('Services')}</th>
              <th>{t('Created')}</th>
              <th>
                <span className="sr-only">{t('Actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((g) => (
              <tr key={g.name} data-group={g.name}>
                <td>{g.name}</td>
                <td>
                  <Usage
                    used={g.used.cpuMillicores}
                    total={g.capacity.cpuMillicores}
                    label={`${cores(g.used.cpuMillicores)} / ${cores(g.capacity.cpuMillicores)}`}
                  />
                </td>
                <td>
                  <Usage used={g.used.memoryMiB} total={g.capacity.memoryMiB} label={`${g.used.memoryMiB} / ${g.capacity.memoryMiB}`} />
                </td>
                <td>
                  <Usage used={g.used.gpu} total={g.capacity.gpu} label={`${g.used.gpu} / ${g.capacity.gpu}`} />
                </td>
                <td>
                  {g.services.length
                    ? g.services.map((s) => (
                        <div key={s}>
                          <Link to={`/services/${enc(s)}`}>{s}</Link>
                        </div>
                      ))
                    : '–'}
                </td>
                <td>{new Date(g.createdAt).toLocaleString()}</td>
                <td>
                  <button
                    type="button"
                    className="danger small"
                    onClick={() => (setError(undefined), setDeleting(g.name))}
                    aria-label={`${t('Delete')} ${g.name}`}
                  >
                    {t('Delete')}
                  </button>
                </td>
              </tr>
            ))}
            {list.data && list.data.items.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  {t('No resource groups yet. Services are billed postpaid (pay as you go) without one.')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {creating && (
        <GroupForm
          onClose={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            list.reload();
          }}
        />
      )}
      {deleting && (
        <Confirm
          open
          danger
          title={t('Delete resource group')}
          message={t('Delete resource group {name}? Only a group that holds no service can be deleted.', { name: deleting })}
          confirmLabel={t('Delete')}
          onClose={() => setDeleting(undefined)}
          onConfirm={() => void remove(deleting)}
        >
          <ErrorBanner error={error} />
        </Confirm>
      )}
    </section>
  );
}

function GroupForm({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [cpu, setCpu] = useState('4');
  const [memory, setMemory] = useState('8192');
  const [gpu, setGpu] = useState('0');
  const [error, setError] = useState<unknown>();
  const num = (s: string, scale = 1): number | string => (s.trim() !== '' && Number.isFinite(Number(s)) ? Math.round(Number(s) * scale) : s);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api('POST', '/api/v1/resource-groups', { name, cpuMillicores: num(cpu, 1000), memoryMiB: num(memory), gpu: num(gpu) });
      onCreated();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Dialog open title={t('New resource group')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <Field label={t('Name')} error={fieldError(error, 'name')} hint={t('1–60 letters, digits, _ or -, starting with a letter or digit')}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </Field>
        <Field label={t('CPU (cores)')} error={fieldError(error, 'cpuMillicores')}>
          <input inputMode="decimal" value={cpu} onChange={(e) => setCpu(e.target.value)} />
        </Field>
        <Field label={t('Memory (MiB)')} error={fieldError(error, 'memoryMiB')}>
          <input inputMode="numeric" value={memory} onChange={(e) => setMemory(e.target.value)} />
        </Field>
        <Field label="GPU" error={fieldError(error, 'gpu')}>
          <input inputMode="numeric" value={gpu} onChange={(e) => setGpu(e.target.value)} />
        </Field>
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            {t('Cancel')}
          </button>
          <button type="submit" className="primary">
            {t('Create')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
