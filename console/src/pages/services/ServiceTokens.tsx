/**
 * A service's call tokens (auth): list with each limit and the calls used against it this
 * minute / UTC day, create with optional limits (the value is shown once, with a copy
 * button), rotate, disable / enable, change limits, delete.
 */
import { Fragment, useState } from 'react';
import type { TokenInfo, TokenWithValue } from '../../api-types.js';
import { api, enc, fieldError, get } from '../../api.js';
import { CopyButton } from '../../components/CopyButton.js';
import { Confirm, Dialog } from '../../components/Dialog.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { useI18n } from '../../i18n.js';
import { usePoll } from '../../poll.js';

/** "" → no limit; a number stays a number; anything else goes as typed, for the API to refuse. */
const limitValue = (s: string): number | string | null => (s.trim() === '' ? null : Number.isFinite(Number(s)) ? Number(s) : s);

export function ServiceTokens({ name, auth }: { name: string; auth: boolean }) {
  const { t } = useI18n();
  const base = `/api/v1/services/${enc(name)}/tokens`;
  const list = usePoll(() => get<{ items: TokenInfo[] }>(base), [base], 5000);
  const [shown, setShown] = useState<{ label: string; token: TokenWithValue }>();
  const [editing, setEditing] = useState<TokenInfo | 'new'>();
  const [confirm, setConfirm] = useState<{ what: 'rotate' | 'delete'; token: TokenInfo }>();
  const [error, setError] = useState<unknown>();

  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      list.reload();
    } catch (e) {
      setError(e);
    }
  };
  const rotate = (tk: TokenInfo) =>
    act(async () => {
      setConfirm(undefined);
      setShown({
        label: t('New value of {name} (shown only now):', { name: tk.name }),
        token: await api<TokenWithValue>('POST', `${base}/${enc(tk.id)}/rotate`),
      });
    });
  const remove = (tk: TokenInfo) =>
    act(async () => {
      setConfirm(undefined);
      await api('DELETE', `${base}/${enc(tk.id)}`);
    });
  const toggle = (tk: TokenInfo) => act(() => api('PATCH', `${base}/${enc(tk.id)}`, { enabled: !tk.enabled }));
  /** Each limit with the calls used against it in its window (only tokens with a limit are counted). */
  const limitsCell = (tk: TokenInfo) => {
    const parts: { window: 'minute' | 'day'; text: string; used?: number }[] = [];
    if (tk.limits.perMinute) parts.push({ window: 'minute', text: t('{n}/min', { n: tk.limits.perMinute }), used: tk.usage?.minute });
    if (tk.limits.perDay) parts.push({ window: 'day', text: t('{n}/day', { n: tk.limits.perDay }), used: tk.usage?.day });
    if (!parts.length) return t('unlimited');
    return parts.map((p, i) => (
      <Fragment key={p.window}>
        {i > 0 && ', '}
        <span data-testid={`limit-${p.window}`}>
          {p.text}
          {p.used !== undefined && <span className="muted"> ({t('{used} used', { used: p.used })})</span>}
        </span>
      </Fragment>
    ));
  };

  return (
    <div className="tokens">
      {!auth && <p className="muted">{t('Authentication is off for this service: calls need no token. Tokens made here take effect when it is turned on.')}</p>}
      <div className="actions">
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          {t('Create token')}
        </button>
      </div>
      <ErrorBanner error={list.error ?? error} />
      {shown && (
        <p className="copyable new-token" role="status">
          {shown.label} <code data-testid="new-token">{shown.token.token}</code> <CopyButton value={shown.token.token} label={t('token')} />
        </p>
      )}
      <div className="table-wrap">
        <table aria-label={t('Tokens')}>
          <thead>
            <tr>
              <th>{t('Name')}</th>
              <th>{t('Token')}</th>
              <th>{t('State')}</th>
              <th>{t('Limits')}</th>
              <th>{t('Created')}</th>
              <th>{t('Last used')}</th>
              <th>{t('Actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  {t('No tokens yet.')}
                </td>
              </tr>
            )}
            {list.data?.items.map((tk) => (
              <tr key={tk.id} data-testid={`token-${tk.name}`}>
                <td>{tk.name}</td>
                <td>
                  <code>{tk.hint}</code>
                </td>
                <td>
                  <span className={`badge badge-${tk.enabled ? 'ok' : 'idle'}`}>
                    <span className="dot" aria-hidden="true" />
                    {tk.enabled ? t('enabled') : t('disabled')}
                  </span>
                </td>
                <td>{limitsCell(tk)}</td>
                <td>{new Date(tk.createdAt).toLocaleString()}</td>
                <td>{tk.lastUsedAt ? new Date(tk.lastUsedAt).toLocaleString() : '–'}</td>
                <td className="row-actions">
                  <button type="button" onClick={() => void toggle(tk)} aria-label={`${tk.enabled ? t('Disable') : t('Enable')} ${tk.name}`}>
                    {tk.enabled ? t('Disable') : t('Enable')}
                  </button>
                  <button type="button" onClick={() => setEditing(tk)} aria-label={`${t('Limits')} ${tk.name}`}>
                    {t('Limits')}
                  </button>
                  <button type="button" onClick={() => setConfirm({ what: 'rotate', token: tk })} aria-label={`${t('Rotate')} ${tk.name}`}>
                    {t('Rotate')}
                  </button>
                  <button type="button" className="danger" onClick={() => setConfirm({ what: 'delete', token: tk })} aria-label={`${t('Delete')} ${tk.name}`}>
                    {t('Delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editing && (
        <TokenForm
          base={base}
          token={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={(created) => {
            setEditing(undefined);
            if (created) setShown({ label: t('New token {name} (shown only now):', { name: created.name }), token: created });
            list.reload();
          }}
        />
      )}
      {confirm && (
        <Confirm
          open
          danger
          title={confirm.what === 'rotate' ? t('Rotate token') : t('Delete token')}
          message={
            confirm.what === 'rotate'
              ? t('Give {name} a new value? The old value stops working at once.', { name: confirm.token.name })
              : t('Delete {name}? Callers using it get 401 at once.', { name: confirm.token.name })
          }
          confirmLabel={confirm.what === 'rotate' ? t('Rotate') : t('Delete')}
          onClose={() => setConfirm(undefined)}
          onConfirm={() => void (confirm.what === 'rotate' ? rotate(confirm.token) : remove(confirm.token))}
        />
      )}
    </div>
  );
}

/** Create a token, or change an existing one's name and limits. */
function TokenForm({ base, token, onClose, onSaved }: { base: string; token?: TokenInfo; onClose: () => void; onSaved: (created?: TokenWithValue) => void }) {
  const { t } = useI18n();
  const [tokenName, setTokenName] = useState(token?.name ?? '');
  const [perMinute, setPerMinute] = useState(String(token?.limits.perMinute ?? ''));
  const [perDay, setPerDay] = useState(String(token?.limits.perDay ?? ''));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const save = async () => {
    setError(undefined);
    setBusy(true);
    try {
      if (token) {
        await api('PATCH', `${base}/${enc(token.id)}`, {
          name: tokenName.trim() || undefined,
          limits: { perMinute: limitValue(perMinute), perDay: limitValue(perDay) },
        });
        onSaved();
      } else {
        const limits: Record<string, unknown> = {};
        if (limitValue(perMinute) !== null) limits.perMinute = limitValue(perMinute);
        if (limitValue(perDay) !== null) limits.perDay = limitValue(perDay);
        onSaved(await api<TokenWithValue>('POST', base, { name: tokenName.trim() || undefined, limits }));
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open title={token ? t('Token {name}', { name: token.name }) : t('Create token')} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Field label={t('Token name')} hint={t('Optional; token-1, token-2, … when empty')} error={fieldError(error, 'name')}>
          <input value={tokenName} onChange={(e) => setTokenName(e.target.value)} maxLength={80} autoFocus />
        </Field>
        <Field label={t('Requests per minute')} hint={t('Empty: unlimited')} error={fieldError(error, 'limits.perMinute', 'perMinute')}>
          <input inputMode="numeric" value={perMinute} onChange={(e) => setPerMinute(e.target.value)} />
        </Field>
        <Field label={t('Requests per day (UTC)')} hint={t('Empty: unlimited')} error={fieldError(error, 'limits.perDay', 'perDay')}>
          <input inputMode="numeric" value={perDay} onChange={(e) => setPerDay(e.target.value)} />
        </Field>
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            {t('Cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {token ? t('Save') : t('Create')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
