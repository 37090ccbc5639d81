/**
 * The instance/container part of a service version (model + version + spec, scaling,
 * batching, env, log delivery), shared by create, add-version and update-version.
 * Numbers stay text while edited; what is not a number goes to the API as typed, so its
 * message shows next to the field.
 */
import { useEffect, useState } from 'react';
import type { Model, ModelVersion, Page } from '../../../../src/contracts/resources.js';
import type { ScalingMetric, ServiceVersionSpec } from '../../../../src/contracts/services.js';
import { enc, fieldError, get } from '../../api.js';
import { Field } from '../../components/Field.js';
import { useI18n } from '../../i18n.js';

export interface VersionDraft {
  model: string;
  modelVersion: string;
  cpuMillicores: string;
  memoryMiB: string;
  gpu: string;
  scalingMode: 'manual' | 'auto';
  instances: string;
  minInstances: string;
  maxInstances: string;
  metric: ScalingMetric;
  target: string;
  idleToZeroMs: string;
  env: string;
  maxBatchSize: string;
  maxQueueDelayMs: string;
  logType: 'off' | 'file' | 'http' | 'loki' | 'otlp' | 'elasticsearch';
  logTarget: string;
}

export const emptyDraft = (model = '', modelVersion = ''): VersionDraft => ({
  model,
  modelVersion,
  cpuMillicores: '1000',
  memoryMiB: '2048',
  gpu: '',
  scalingMode: 'manual',
  instances: '1',
  minInstances: '1',
  maxInstances: '3',
  metric: 'qps-per-instance',
  target: '10',
  idleToZeroMs: '',
  env: '',
  maxBatchSize: '',
  maxQueueDelayMs: '',
  logType: 'off',
  logTarget: '',
});

export function draftOf(s: ServiceVersionSpec): VersionDraft {
  const d = emptyDraft(s.model, s.modelVersion);
  const str = (n: number | undefined) => (n === undefined ? '' : String(n));
  Object.assign(d, { cpuMillicores: str(s.resources.cpuMillicores), memoryMiB: str(s.resources.memoryMiB), gpu: str(s.resources.gpu) });
  if (s.scaling.mode === 'manual') d.instances = str(s.scaling.instances);
  else
    Object.assign(d, {
      scalingMode: 'auto',
      minInstances: str(s.scaling.minInstances),
      maxInstances: str(s.scaling.maxInstances),
      metric: s.scaling.metric,
      target: str(s.scaling.target),
      idleToZeroMs: str(s.scaling.idleToZeroMs),
    });
  d.env = Object.entries(s.env ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  if (s.batching) Object.assign(d, { maxBatchSize: str(s.batching.maxBatchSize), maxQueueDelayMs: str(s.batching.maxQueueDelayMs) });
  if (s.logDelivery && s.logDelivery.type !== 'off')
    Object.assign(d, { logType: s.logDelivery.type, logTarget: 'path' in s.logDelivery ? s.logDelivery.path : s.logDelivery.url });
  return d;
}

const num = (s: string): unknown => (s.trim() === '' ? undefined : Number.isFinite(Number(s)) ? Number(s) : s);
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The draft as the API's version object. */
export function specOf(d: VersionDraft): Record<string, unknown> {
  const env: Record<string, string> = {};
  for (const line of d.env.split('\n')) {
    const s = line.trim();
    if (!s) continue;
    const i = s.indexOf('=');
    env[i < 0 ? s : s.slice(0, i)] = i < 0 ? '' : s.slice(i + 1);
  }
  const scaling =
    d.scalingMode === 'manual'
      ? { mode: 'manual', instances: num(d.instances) }
      : defined({
          mode: 'auto',
          minInstances: num(d.minInstances),
          maxInstances: num(d.maxInstances),
          metric: d.metric,
          target: num(d.target),
          idleToZeroMs: num(d.idleToZeroMs),
        });
  return defined({
    model: d.model,
    modelVersion: d.modelVersion,
    resources: defined({ cpuMillicores: num(d.cpuMillicores), memoryMiB: num(d.memoryMiB), gpu: num(d.gpu) }),
    scaling,
    env: Object.keys(env).length ? env : undefined,
    batching: d.maxBatchSize || d.maxQueueDelayMs ? { maxBatchSize: num(d.maxBatchSize) ?? 1, maxQueueDelayMs: num(d.maxQueueDelayMs) ?? 0 } : undefined,
    logDelivery: d.logType === 'off' ? undefined : d.logType === 'file' ? { type: 'file', path: d.logTarget } : { type: d.logType, url: d.logTarget },
  });
}

export function VersionFields({
  draft,
  onChange,
  error,
  prefix = '',
  fixedModel,
}: {
  draft: VersionDraft;
  onChange: (d: VersionDraft) => void;
  error: unknown;
  prefix?: string;
  fixedModel?: boolean;
}) {
  const { t } = useI18n();
  const [models, setModels] = useState<Model[]>([]);
  const [versions, setVersions] = useState<ModelVersion[]>([]);
  const set = (k: keyof VersionDraft) => (e: { target: { value: string } }) => onChange({ ...draft, [k]: e.target.value });
  const fe = (...f: string[]) => fieldError(error, ...f.map((x) => prefix + x), ...f);
  useEffect(() => {
    get<Page<Model>>('/api/v1/models?limit=500').then(
      (r) => setModels(r.items),
      () => undefined,
    );
  }, []);
  useEffect(() => {
    if (!draft.model) return setVersions([]);
    get<{ items: ModelVersion[] }>(`/api/v1/models/${enc(draft.model)}/versions`).then(
      (r) => setVersions(r.items),
      () => setVersions([]),
    );
  }, [draft.model]);
  useEffect(() => {
    const ready = versions.filter((v) => v.status === 'ready');
    if (ready.length && !versions.some((v) => v.version === draft.modelVersion || `v${draft.modelVersion}` === v.version))
      onChange({ ...draft, modelVersion: ready[ready.length - 1]!.version });
  }, [versions]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <>
      <fieldset className="grid">
        <legend>{t('Instance and container')}</legend>
        <Field label={t('Model')} error={fe('model')}>
          <select value={draft.model} onChange={set('model')} disabled={fixedModel}>
            <option value="">{t('Choose a model')}</option>
            {[...new Set([...(draft.model ? [draft.model] : []), ...models.map((m) => m.name)])].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </Field>
        <Field label={t('Model version')} error={fe('modelVersion')}>
          <select value={draft.modelVersion} onChange={set('modelVersion')}>
            <option value="">{t('Choose a version')}</option>
            {versions.map((v) => (
              <option key={v.version} value={v.version} disabled={v.status !== 'ready'}>
                {v.version} ({t(v.status)}, {v.runtime})
              </option>
            ))}
            {draft.modelVersion && !versions.some((v) => v.version === draft.modelVersion) && <option value={draft.modelVersion}>{draft.modelVersion}</option>}
          </select>
        </Field>
        <Field label={t('CPU (millicores)')} error={fe('resources.cpuMillicores')}>
          <input inputMode="numeric" value={draft.cpuMillicores} onChange={set('cpuMillicores')} />
        </Field>
        <Field label={t('Memory (MiB)')} error={fe('resources.memoryMiB')}>
          <input inputMode="numeric" value={draft.memoryMiB} onChange={set('memoryMiB')} />
        </Field>
        <Field label={t('GPU')} error={fe('resources.gpu')}>
          <input inputMode="numeric" value={draft.gpu} onChange={set('gpu')} placeholder="0" />
        </Field>
      </fieldset>
      <fieldset className="grid">
        <legend>{t('Scaling')}</legend>
        <div className="radios wide" role="radiogroup" aria-label={t('Scaling mode')}>
          <label>
            <input
              type="radio"
              name={`${prefix}scaling`}
              checked={draft.scalingMode === 'manual'}
              onChange={() => onChange({ ...draft, scalingMode: 'manual' })}
            />{' '}
            {t('Manual')}
          </label>
          <label>
            <input type="radio" name={`${prefix}scaling`} checked={draft.scalingMode === 'auto'} onChange={() => onChange({ ...draft, scalingMode: 'auto' })} />{' '}
            {t('Automatic')}
          </label>
        </div>
        {draft.scalingMode === 'manual' ? (
          <Field label={t('Instances')} error={fe('scaling.instances', 'scaling')}>
            <input inputMode="numeric" value={draft.instances} onChange={set('instances')} />
          </Field>
        ) : (
          <>
            <Field label={t('Min instances')} error={fe('scaling.minInstances')}>
              <input inputMode="numeric" value={draft.minInstances} onChange={set('minInstances')} />
            </Field>
            <Field label={t('Max instances')} error={fe('scaling.maxInstances')}>
              <input inputMode="numeric" value={draft.maxInstances} onChange={set('maxInstances')} />
            </Field>
            <Field label={t('Metric')} error={fe('scaling.metric')}>
              <select value={draft.metric} onChange={set('metric')}>
                <option value="qps-per-instance">{t('QPS per instance')}</option>
                <option value="concurrency">{t('Concurrent requests per instance')}</option>
                <option value="cpu-util">{t('CPU utilisation (%)')}</option>
              </select>
            </Field>
            <Field label={t('Target')} error={fe('scaling.target', 'scaling')}>
              <input inputMode="decimal" value={draft.target} onChange={set('target')} />
            </Field>
            <Field label={t('Scale to zero after (ms idle)')} error={fe('scaling.idleToZeroMs')} hint={t('with min instances 0')}>
              <input inputMode="numeric" value={draft.idleToZeroMs} onChange={set('idleToZeroMs')} />
            </Field>
          </>
        )}
      </fieldset>
      <details className="advanced">
        <summary>{t('Advanced: batching, environment, log delivery')}</summary>
        <fieldset className="grid">
          <Field label={t('Max batch size')} error={fe('batching.maxBatchSize')}>
            <input inputMode="numeric" value={draft.maxBatchSize} onChange={set('maxBatchSize')} />
          </Field>
          <Field label={t('Max queue delay (ms)')} error={fe('batching.maxQueueDelayMs')}>
            <input inputMode="numeric" value={draft.maxQueueDelayMs} onChange={set('maxQueueDelayMs')} />
          </Field>
          <Field label={t('Environment variables')} hint={t('NAME=value, one per line')} error={fe('env')} wide>
            <textarea rows={3} value={draft.env} onChange={set('env')} />
          </Field>
          <Field label={t('Log delivery')} error={fe('logDelivery')}>
            <select value={draft.logType} onChange={set('logType')}>
              <option value="off">{t('Off (kept in the platform)')}</option>
              <option value="file">{t('To a file')}</option>
              <option value="http">{t('To an HTTP endpoint')}</option>
              <option value="loki">{t('To Loki')}</option>
              <option value="otlp">{t('To an OpenTelemetry collector (OTLP/HTTP)')}</option>
              <option value="elasticsearch">{t('To Elasticsearch / OpenSearch')}</option>
            </select>
          </Field>
          {draft.logType !== 'off' && (
            <Field label={draft.logType === 'file' ? t('File path') : t('URL')} error={fe('logDelivery.path', 'logDelivery.url')}>
              <input value={draft.logTarget} onChange={set('logTarget')} />
            </Field>
          )}
        </fieldset>
      </details>
    </>
  );
}
