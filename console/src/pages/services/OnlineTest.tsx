/**
 * 在线测试: a JSON body prefilled with an example that works for the service's package
 * (call-info's examples: TI-ONE predict, KServe v1 or OIP v2 tensors, each with its URL),
 * or an image as base64 for the image handlers; Send; the answer with status and time.
 */
import { useEffect, useState } from 'react';
import type { CallExample, CallInfo } from '../../api-types.js';
import { useI18n } from '../../i18n.js';

interface Answer {
  status: number;
  statusText: string;
  ms: number;
  body: string;
}

const pretty = (text: string): string => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};

function readDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

const PROTOCOLS: Record<CallExample['protocol'], string> = { tione: 'TI-ONE predict', 'kserve-v1': 'KServe v1', 'oip-v2': 'OIP v2 infer' };

/** Whether the package reads {"images": [...]} (the image handlers, TI-ONE image templates). */
const takesImages = (info: CallInfo) => info.kind === undefined || info.kind === 'onnx-image' || info.kind === 'tiinfer';

export function OnlineTest({ info, token: given }: { info: CallInfo; token?: string }) {
  const { t } = useI18n();
  const examples = info.examples?.length ? info.examples : [{ protocol: 'tione' as const, url: info.url, body: info.example }];
  const [chosen, setChosen] = useState(0);
  const [target, setTarget] = useState(examples[0]!.url);
  const [body, setBody] = useState(JSON.stringify(examples[0]!.body, null, 2));
  const [token, setToken] = useState('');
  const [preview, setPreview] = useState<string>();
  const [bodyError, setBodyError] = useState<string>();
  const [answer, setAnswer] = useState<Answer>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (given) setToken(given);
  }, [given]);

  const choose = (i: number) => {
    setChosen(i);
    setTarget(examples[i]!.url);
    setBody(JSON.stringify(examples[i]!.body, null, 2));
    setBodyError(undefined);
  };

  const pickImage = async (file: File | undefined) => {
    if (!file) return;
    const url = await readDataUrl(file);
    setPreview(url);
    const predict = examples.findIndex((e) => e.protocol === 'tione');
    if (predict >= 0) {
      setChosen(predict);
      setTarget(examples[predict]!.url);
    }
    setBody(JSON.stringify({ images: [url] }, null, 2));
    setBodyError(undefined);
  };

  const send = async () => {
    try {
      JSON.parse(body);
    } catch (e) {
      return setBodyError(t('The request body is not valid JSON: {msg}', { msg: (e as Error).message }));
    }
    setBodyError(undefined);
    setBusy(true);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token.trim()) headers.authorization = `Bearer ${token.trim()}`;
    const t0 = performance.now();
    try {
      const res = await fetch(new URL(target).pathname, { method: info.method, headers, body });
      const text = await res.text();
      setAnswer({ status: res.status, statusText: res.statusText, ms: Math.round(performance.now() - t0), body: pretty(text) });
    } catch (e) {
      setAnswer({ status: 0, statusText: (e as Error).message, ms: Math.round(performance.now() - t0), body: '' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="card">
      <h2>{t('Online test')}</h2>
      {info.auth && (
        <label className="field">
          <span className="field-label">{t('Token')}</span>
          <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" placeholder={t('paste a service token')} />
        </label>
      )}
      {examples.length > 1 && (
        <div className="actions" role="group" aria-label={t('Example')}>
          {examples.map((e, i) => (
            <button
              key={e.protocol}
              type="button"
              aria-pressed={i === chosen}
              className={i === chosen ? 'primary' : ''}
              data-testid={`example-${e.protocol}`}
              onClick={() => choose(i)}
            >
              {PROTOCOLS[e.protocol]}
            </button>
          ))}
        </div>
      )}
      <p className="muted">
        POST <code data-testid="test-url">{new URL(target).pathname}</code>
      </p>
      {takesImages(info) && (
        <div className="picker">
          <label className="button-like">
            {t('Choose an image')}
            <input
              type="file"
              accept="image/*"
              className="visually-hidden-input"
              data-testid="pick-image"
              onChange={(e) => void pickImage(e.target.files?.[0])}
            />
          </label>
          {preview && <img src={preview} alt={t('Chosen image')} className="thumb" />}
        </div>
      )}
      <label className="field">
        <span className="field-label">{t('Request body (JSON)')}</span>
        <textarea className="code" rows={10} spellCheck={false} value={body} onChange={(e) => setBody(e.target.value)} />
        {bodyError && (
          <span className="field-error" role="alert">
            {bodyError}
          </span>
        )}
      </label>
      <div className="actions">
        <button type="button" className="primary" disabled={busy} onClick={() => void send()}>
          {busy ? t('Sending…') : t('Send')}
        </button>
      </div>
      {answer && (
        <div className="answer" data-testid="answer">
          <p>
            <span className={`status-code ${answer.status >= 200 && answer.status < 300 ? 'ok' : 'bad'}`} data-testid="answer-status">
              {answer.status} {answer.statusText}
            </span>{' '}
            <span className="muted" data-testid="answer-time">
              {answer.ms} ms
            </span>
          </p>
          <pre className="code" data-testid="answer-body">
            {answer.body}
          </pre>
        </div>
      )}
    </div>
  );
}
