/**
 * A service's progressive rollout (docs/rollout.md): the steps, the two versions' calls,
 * error rate and p99 over the guardrail window side by side, the decision (and the breach
 * that rolled it back), with pause, resume, promote and abort; and the form that starts one
 * onto a version at weight 0. Polled every second while shown.
 */
import { useEffect, useState } from 'react';
import type { Rollout, RolloutAction, VersionFigures } from '../../../../src/contracts/rollouts.js';
import type { Service } from '../../../../src/contracts/services.js';
import { ApiError, api, enc, fieldError, get } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { StateBadge } from '../../components/StateBadge.js';
import { useI18n, type T } from '../../i18n.js';
import { usePoll } from '../../poll.js';

const FINISHED = ['Promoted', 'RolledBack', 'Aborted'];
const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 10_000) / 100}%`);
const ms = (x: number | null) => (x === null ? '–' : `${x} ms`);
const secs = (n: number) => `${Math.round(n / 100) / 10} s`;

export function ServiceRollout({ service, onChange }: { service: Service; onChange: () => void }) {
  const { t } = useI18n();
  const base = `/api/v1/services/${enc(service.name)}/rollout`;
  const polled = usePoll(
    () => get<Rollout>(base).catch((e: unknown) => (e instanceof ApiError && e.code === 'ROLLOUT_NOT_FOUND' ? null : Promise.reject(e))),
    [base],
    1000,
  );
  const r = polled.data;
  const active = !!r && !FINISHED.includes(r.status.phase);
  return (
    <div data-testid="service-rollout">
      <p className="muted">
        {t(
          'A rollout moves traffic to another version step by step and judges it against the serving version on the same window: a breach of the guardrails sends the traffic back at once.',
        )}
      </p>
      <ErrorBanner error={polled.error} />
      {r ? (
        <RolloutView rollout={r} t={t} onDone={() => (polled.reload(), onChange())} />
      ) : (
        r === null && <p data-testid="rollout-none">{t('No rollout yet.')}</p>
      )}
      {r !== undefined && !active && <RolloutStart service={service} t={t} onDone={() => (polled.reload(), onChange())} />}
    </div>
  );
}

function RolloutView({ rollout: r, t, onDone }: { rollout: Rollout; t: T; onDone: () => void }) {
  const [error, setError] = useState<unknown>();
  const st = r.status;
  const active = !FINISHED.includes(st.phase);
  const act = async (action: RolloutAction) => {
    setError(undefined);
    try {
      await api('POST', `/api/v1/services/${enc(r.service)}/rollout/actions`, { action });
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  const row = (label: string, v: VersionFigures) => (
    <tr data-testid={`rollout-figures-${label}`}>
      <th scope="row">{t(label === 'new' ? 'New version {seq}' : 'Old version {seq}', { seq: v.version })}</th>
      <td>{v.calls}</td>
      <td>{v.errors}</td>
      <td>{pct(v.errorRate)}</td>
      <td>{ms(v.p99Ms)}</td>
    </tr>
  );
  return (
    <section aria-label={t('Rollout')}>
      <dl className="facts">
        <dt>{t('Rollout')}</dt>
        <dd>{t('Version {from} → {to} ({policy})', { from: r.baseline.version, to: r.spec.target, policy: t(r.spec.policy.type) })}</dd>
        <dt>{t('Phase')}</dt>
        <dd data-testid="rollout-phase">
          <StateBadge state={st.phase} />
        </dd>
        <dt>{t('Weights')}</dt>
        <dd>{t('new {target}, old {baseline}', st.weights)}</dd>
        <dt>{t('Decision')}</dt>
        <dd data-testid="rollout-decision">{st.message}</dd>
        {st.breach && (
          <>
            <dt>{t('Guardrail tripped')}</dt>
            <dd data-testid="rollout-breach">{t(st.breach.guardrail)}</dd>
          </>
        )}
      </dl>
      <table aria-label={t('Steps')}>
        <thead>
          <tr>
            <th>{t('Step')}</th>
            <th>{t('New version share')}</th>
            <th>{t('Baking')}</th>
            <th>{t('State')}</th>
          </tr>
        </thead>
        <tbody>
          {r.steps.map((s, i) => (
            <tr key={i} data-state={s.state}>
              <td>{i + 1}</td>
              <td>{s.weight}%</td>
              <td>{secs(s.bakeMs)}</td>
              <td>{t(`step:${s.state}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {st.figures && (
        <table aria-label={t('Guardrail figures')}>
          <caption>{t('Over the last {window}', { window: secs(st.figures.windowMs) })}</caption>
          <thead>
            <tr>
              <th>{t('Version')}</th>
              <th>{t('Calls')}</th>
              <th>{t('Errors')}</th>
              <th>{t('Error rate')}</th>
              <th>p99</th>
            </tr>
          </thead>
          <tbody>
            {row('new', st.figures.target)}
            {row('old', st.figures.baseline)}
          </tbody>
        </table>
      )}
      {active && (
        <div className="actions">
          {st.phase === 'Paused' ? (
            <button type="button" onClick={() => void act('resume')}>
              {t('Resume rollout')}
            </button>
          ) : (
            <button type="button" onClick={() => void act('pause')}>
              {t('Pause rollout')}
            </button>
          )}
          <button type="button" className="primary" onClick={() => void act('promote')}>
            {t('Promote now')}
          </button>
          <button type="button" className="danger" onClick={() => void act('abort')}>
            {t('Abort rollout')}
          </button>
        </div>
      )}
      <ErrorBanner error={error} />
    </section>
  );
}

function RolloutStart({ service, t, onDone }: { service: Service; t: T; onDone: () => void }) {
  const idle = service.versions.filter((v) => v.weight === 0);
  const [target, setTarget] = useState(String(idle[0]?.seq ?? ''));
  const [policy, setPolicy] = useState<'canary' | 'linear' | 'all-at-once'>('canary');
  const [weight, setWeight] = useState('10');
  const [seconds, setSeconds] = useState('300');
  const [windowS, setWindowS] = useState('30');
  const [minCalls, setMinCalls] = useState('20');
  const [error, setError] = useState<unknown>();
  // the chosen target stays while it is still a version with no traffic, else the first such
  const idleSeqs = idle.map((v) => v.seq).join();
  useEffect(() => {
    const seqs = idleSeqs.split(',');
    setTarget((cur) => (seqs.includes(cur) ? cur : (seqs[0] ?? '')));
  }, [idleSeqs]);
  const start = async () => {
    setError(undefined);
    const bakeMs = Number(seconds) * 1000;
    const body = {
      target: Number(target),
      policy:
        policy === 'canary'
          ? { type: policy, weight: Number(weight), bakeMs }
          : policy === 'linear'
            ? { type: policy, stepWeight: Number(weight), stepMs: bakeMs }
            : { type: policy, bakeMs },
      guardrails: { windowMs: Number(windowS) * 1000, minCalls: Number(minCalls) },
    };
    try {
      await api('POST', `/api/v1/services/${enc(service.name)}/rollout`, body);
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  if (!idle.length) return <p className="muted">{t('Add a version at weight 0 to roll it out.')}</p>;
  return (
    <form
      aria-label={t('Start a rollout')}
      onSubmit={(e) => {
        e.preventDefault();
        void start();
      }}
    >
      <fieldset className="grid">
        <legend>{t('Start a rollout')}</legend>
        <Field label={t('Version to roll out')} error={fieldError(error, 'target')}>
          <select value={target} onChange={(e) => setTarget(e.target.value)}>
            {idle.map((v) => (
              <option key={v.id} value={v.seq}>
                {t('Version {seq} ({model} {modelVersion}, weight {weight})', { seq: v.seq, model: v.model, modelVersion: v.modelVersion, weight: v.weight })}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('Policy')}>
          <select value={policy} onChange={(e) => setPolicy(e.target.value as typeof policy)}>
            {(['canary', 'linear', 'all-at-once'] as const).map((p) => (
              <option key={p} value={p}>
                {t(p)}
              </option>
            ))}
          </select>
        </Field>
        {policy !== 'all-at-once' && (
          <Field
            label={policy === 'canary' ? t('Canary share (%)') : t('Share added each step (%)')}
            error={fieldError(error, 'policy.weight', 'policy.stepWeight')}
          >
            <input type="number" min={1} max={100} value={weight} onChange={(e) => setWeight(e.target.value)} />
          </Field>
        )}
        <Field label={policy === 'linear' ? t('Each step (s)') : t('Baking time (s)')} error={fieldError(error, 'policy.bakeMs', 'policy.stepMs', 'policy')}>
          <input type="number" min={1} value={seconds} onChange={(e) => setSeconds(e.target.value)} />
        </Field>
        <Field label={t('Guardrail window (s)')} error={fieldError(error, 'guardrails.windowMs')}>
          <input type="number" min={1} value={windowS} onChange={(e) => setWindowS(e.target.value)} />
        </Field>
        <Field label={t('Calls before judging')} error={fieldError(error, 'guardrails.minCalls')}>
          <input type="number" min={1} value={minCalls} onChange={(e) => setMinCalls(e.target.value)} />
        </Field>
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" disabled={target === ''}>
          {t('Start rollout')}
        </button>
      </div>
      <ErrorBanner error={error} />
    </form>
  );
}
