/** 服务调用: how to call the service (URL, method, headers, token, curl, the gRPC address and examples) and an online test. */
import { useState } from 'react';
import type { CallInfo, TokenInfo, TokenWithValue } from '../../api-types.js';
import { api, enc, get } from '../../api.js';
import { CopyButton } from '../../components/CopyButton.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { useI18n } from '../../i18n.js';
import { usePoll } from '../../poll.js';
import { Link } from '../../router.js';
import { OnlineTest } from './OnlineTest.js';

export function CallPage({ name }: { name: string }) {
  const { t } = useI18n();
  const base = `/api/v1/services/${enc(name)}`;
  const info = usePoll(() => get<CallInfo>(`${base}/call-info`), [base], 0);
  const tokens = usePoll(() => (info.data?.auth ? get<{ items: TokenInfo[] }>(`${base}/tokens`) : Promise.resolve({ items: [] })), [base, info.data?.auth], 0);
  const [created, setCreated] = useState<TokenWithValue>();
  const [error, setError] = useState<unknown>();
  const c = info.data;

  const createToken = async () => {
    setError(undefined);
    try {
      setCreated(await api<TokenWithValue>('POST', `${base}/tokens`, { name: `console-${new Date().toISOString().slice(0, 19)}` }));
      tokens.reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section>
      <p className="crumbs">
        <Link to="/services">{t('Online services')}</Link> / <Link to={`/services/${enc(name)}`}>{name}</Link> / {t('Call')}
      </p>
      <h1>{t('Call {name}', { name })}</h1>
      <ErrorBanner error={info.error ?? error} />
      {c && (
        <div className="call-grid">
          <div className="card">
            <h2>{t('API information')}</h2>
            <dl className="facts">
              <dt>URL</dt>
              <dd className="copyable">
                <code data-testid="call-url">{c.url}</code> <CopyButton value={c.url} label="URL" />
              </dd>
              <dt>{t('Method')}</dt>
              <dd>
                <code>{c.method}</code>
              </dd>
              <dt>{t('Headers')}</dt>
              <dd>
                {Object.entries(c.headers).map(([k, v]) => (
                  <div key={k} className="copyable">
                    <code>
                      {k}: {v}
                    </code>{' '}
                    <CopyButton value={`${k}: ${v}`} label={k} />
                  </div>
                ))}
              </dd>
              <dt>{t('Authentication')}</dt>
              <dd>{c.auth ? t('Token required: Authorization: Bearer <token>') : t('Off: anyone who can reach the URL can call it')}</dd>
              <dt>Open Inference Protocol v2</dt>
              <dd className="copyable">
                <code data-testid="call-oip-url">{c.oip.infer}</code> <CopyButton value={c.oip.infer} label="OIP v2" />
              </dd>
              {c.grpc && (
                <>
                  <dt>gRPC (OIP v2)</dt>
                  <dd className="copyable">
                    <code data-testid="call-grpc-address">{c.grpc.address}</code> <CopyButton value={c.grpc.address} label="gRPC" />{' '}
                    <code>{c.grpc.service}</code>
                  </dd>
                </>
              )}
            </dl>
            {c.auth && (
              <div className="tokens">
                <h3>{t('Tokens')}</h3>
                <ul className="plain">
                  {tokens.data?.items.map((tk) => (
                    <li key={tk.id}>
                      {tk.name} <code>{tk.hint}</code> {tk.enabled ? '' : `(${t('disabled')})`}
                    </li>
                  ))}
                </ul>
                <button type="button" onClick={() => void createToken()}>
                  {t('Create token')}
                </button>{' '}
                <Link to={`/services/${enc(name)}?tab=tokens`}>{t('Manage tokens')}</Link>
                {created?.token && (
                  <p className="copyable" role="status">
                    {t('New token (shown only now):')} <code data-testid="new-token">{created.token}</code>{' '}
                    <CopyButton value={created.token} label={t('token')} />
                  </p>
                )}
              </div>
            )}
            <h3>{t('curl example')}</h3>
            <pre className="code">{c.curl}</pre>
            <CopyButton value={c.curl} label="curl" />
            {c.grpc && (
              <>
                <h3>{t('gRPC example (grpcurl)')}</h3>
                <p className="muted">{t('grpcurl needs the proto file ({file}): the gateway serves no reflection.', { file: c.grpc.proto })}</p>
                <pre className="code" data-testid="call-grpcurl">
                  {c.grpc.grpcurl}
                </pre>
                <CopyButton value={c.grpc.grpcurl} label="grpcurl" />
                <h3>{t('gRPC example (Python, tritonclient)')}</h3>
                <pre className="code" data-testid="call-grpc-python">
                  {c.grpc.python}
                </pre>
                <CopyButton value={c.grpc.python} label="Python" />
              </>
            )}
          </div>
          <OnlineTest info={c} token={created?.token} />
        </div>
      )}
    </section>
  );
}
