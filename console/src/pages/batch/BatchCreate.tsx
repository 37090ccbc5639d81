/** 新建批量预测任务: a model version, an input in the object store, where the results go, the instances. */
import { useEffect, useState, type FormEvent } from 'react';
import type { BatchJob } from '../../../../src/contracts/batch.js';
import type { Page } from '../../../../src/contracts/resources.js';
import { api, enc, fieldError, get } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { useI18n } from '../../i18n.js';
import { Link, navigate } from '../../router.js';

const num = (s: string): unknown => (s.trim() === '' ? undefined : Number.isFinite(Number(s)) ? Number(s) : s);

export function BatchCreate() {
  const { t } = useI18n();
  const [f, setF] = useState({
    name: '',
    model: '',
    modelVersion: 'v1',
    input: '',
    format: '',
    output: '',
    instances: '1',
    cpu: '1000',
    memory: '1024',
    maxBatchSize: '16',
    maxErrorRatio: '0.1',
  });
  const [models, setModels] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));

  useEffect(() => {
    get<Page<{ name: string }>>('/api/v1/models?limit=200').then((r) => setModels(r.items.map((m) => m.name)), setError);
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const spec = {
      name: f.name,
      model: f.model,
      modelVersion: f.modelVersion,
      input: { path: f.input, ...(f.format ? { format: f.format } : {}) },
      ...(f.output ? { output: f.output } : {}),
      instances: num(f.instances),
      resources: { cpuMillicores: num(f.cpu), memoryMiB: num(f.memory) },
      batching: { maxBatchSize: num(f.maxBatchSize), maxQueueDelayMs: 5 },
      maxErrorRatio: num(f.maxErrorRatio),
    };
    try {
      const job = await api<BatchJob>('POST', '/api/v1/batch-jobs', spec);
      navigate(`/batch-jobs/${enc(job.name)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const fe = (...x: string[]) => fieldError(error, ...x);

  return (
    <section>
      <p className="crumbs">
        <Link to="/batch-jobs">{t('Batch jobs')}</Link> / {t('New batch job')}
      </p>
      <h1>{t('New batch job')}</h1>
      <form onSubmit={submit} noValidate className="form-page">
        <fieldset className="grid">
          <legend>{t('Basic information')}</legend>
          <Field label={t('Job name')} error={fe('name')} hint={t('1–60 letters, digits, _ or -, starting with a letter or digit')}>
            <input value={f.name} onChange={set('name')} />
          </Field>
          <Field label={t('Model')} error={fe('model')}>
            <select value={f.model} onChange={set('model')}>
              <option value="">{t('Choose a model')}</option>
              {models.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('Model version')} error={fe('modelVersion')}>
            <input value={f.modelVersion} onChange={set('modelVersion')} />
          </Field>
        </fieldset>
        <fieldset className="grid">
          <legend>{t('Input and output')}</legend>
          <Field label={t('Input path')} error={fe('input.path', 'input')} hint={t('A folder of images, or a .jsonl / .csv file, in the object store')} wide>
            <input value={f.input} onChange={set('input')} placeholder="datasets/digits" />
          </Field>
          <Field label={t('Input format')} error={fe('input.format')}>
            <select value={f.format} onChange={set('format')}>
              <option value="">{t('From the path')}</option>
              <option value="images">{t('Images (a folder)')}</option>
              <option value="jsonl">{t('JSONL (one request body per line)')}</option>
              <option value="csv">{t('CSV (one row per input)')}</option>
            </select>
          </Field>
          <Field label={t('Output folder')} error={fe('output')} hint={t('Default: beside the input, <input>.<job>.out')}>
            <input value={f.output} onChange={set('output')} />
          </Field>
        </fieldset>
        <fieldset className="grid">
          <legend>{t('Instances')}</legend>
          <Field label={t('Instance count')} error={fe('instances')}>
            <input inputMode="numeric" value={f.instances} onChange={set('instances')} />
          </Field>
          <Field label={t('CPU (millicores)')} error={fe('resources.cpuMillicores', 'resources')}>
            <input inputMode="numeric" value={f.cpu} onChange={set('cpu')} />
          </Field>
          <Field label={t('Memory (MiB)')} error={fe('resources.memoryMiB')}>
            <input inputMode="numeric" value={f.memory} onChange={set('memory')} />
          </Field>
          <Field label={t('Max batch size')} error={fe('batching.maxBatchSize', 'batching')}>
            <input inputMode="numeric" value={f.maxBatchSize} onChange={set('maxBatchSize')} />
          </Field>
          <Field label={t('Error share that fails the job')} error={fe('maxErrorRatio')}>
            <input inputMode="decimal" value={f.maxErrorRatio} onChange={set('maxErrorRatio')} />
          </Field>
        </fieldset>
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('Create')}
          </button>
        </div>
      </form>
    </section>
  );
}
