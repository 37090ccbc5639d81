/**
 * 导入模型, mirroring TI-ONE's form: as a new model or a new version; source upload /
 * object storage / training task; format; runtime environment (with availability);
 * metrics; move mode (storage and task sources); description. Upload imports show a
 * progress bar. The version's storage path is the repository's to choose (it deletes that
 * prefix with the version), so it is shown on the version page, not asked for here.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { Model, ModelFormat, ModelVersion, Page, RuntimeEnv, SourceType } from '../../../../src/contracts/resources.js';
import { MODEL_FORMATS } from '../../../../src/contracts/resources.js';
import type { Task } from '../../../../src/contracts/tasks.js';
import { api, enc, fieldError, get, uploadWithProgress } from '../../api.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { useI18n } from '../../i18n.js';
import { navigate } from '../../router.js';
import { FilePicker, Progress, type PickedFile } from './FilePicker.js';
import { parseTags } from './Tags.js';

export interface ImportPreset {
  model?: string;
  mode?: 'new' | 'version';
  source?: SourceType;
  task?: string;
  run?: string;
  runtime?: string;
}

export function ImportDialog({ open, onClose, preset = {} }: { open: boolean; onClose: () => void; preset?: ImportPreset }) {
  const { t } = useI18n();
  return (
    <Dialog open={open} title={t('Import model')} onClose={onClose} wide>
      {open && <ImportForm onClose={onClose} preset={preset} />}
    </Dialog>
  );
}

function ImportForm({ onClose, preset }: { onClose: () => void; preset: ImportPreset }) {
  const { t } = useI18n();
  const [mode, setMode] = useState<'new' | 'version'>(preset.mode ?? 'new');
  const [name, setName] = useState(preset.model ?? '');
  const [modelDescription, setModelDescription] = useState('');
  const [tags, setTags] = useState('');
  const [source, setSource] = useState<SourceType>(preset.source ?? 'upload');
  const [path, setPath] = useState('');
  const [task, setTask] = useState(preset.task ?? '');
  const [run, setRun] = useState(preset.run ?? '');
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [format, setFormat] = useState<ModelFormat>(preset.source === 'task' ? 'torchscript' : 'onnx');
  const [runtime, setRuntime] = useState(preset.runtime ?? '');
  const [metrics, setMetrics] = useState('');
  const [moveMode, setMoveMode] = useState<'copy' | 'move'>('copy');
  const [description, setDescription] = useState('');
  const [progress, setProgress] = useState<number>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [runtimes, setRuntimes] = useState<RuntimeEnv[]>([]);
  const [models, setModels] = useState<Model[]>([]);
  const [tasks, setTasks] = useState<Task[]>([]);

  useEffect(() => {
    get<{ items: RuntimeEnv[] }>('/api/v1/runtimes').then((r) => setRuntimes(r.items), setError);
    get<Page<Model>>('/api/v1/models?limit=500').then((r) => setModels(r.items), () => undefined);
    get<Page<Task>>('/api/v1/tasks?state=Succeeded&limit=500').then((r) => setTasks(r.items), () => undefined);
  }, []);
  // the runtime follows the format unless the user chose one that fits it
  useEffect(() => {
    const fits = runtimes.filter((r) => r.formats.includes(format));
    if (fits.length && !fits.some((r) => r.id === runtime)) setRuntime((fits.find((r) => r.available) ?? fits[0]!).id);
  }, [format, runtimes, runtime]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const m = metrics.trim();
    let metricsValue: unknown = undefined;
    if (m) {
      try {
        metricsValue = JSON.parse(m);
      } catch {
        metricsValue = m;
      }
    }
    const spec = {
      source: source === 'storage' ? { type: 'storage', path } : source === 'task' ? { type: 'task', task, ...(run ? { run } : {}) } : { type: 'upload' },
      format,
      runtime,
      ...(metricsValue !== undefined ? { metrics: metricsValue } : {}),
      ...(source !== 'upload' ? { moveMode } : {}),
      ...(description ? { description } : {}),
      ...(mode === 'new' ? { createModel: true, ...(modelDescription ? { modelDescription } : {}), ...(parseTags(tags) ? { modelTags: parseTags(tags) } : {}) } : {}),
    };
    const url = `/api/v1/models/${enc(name)}/versions`;
    try {
      let v: ModelVersion;
      if (source === 'upload') {
        const form = new FormData();
        form.append('spec', JSON.stringify(spec));
        for (const f of files) form.append('file', f.file, f.path);
        setProgress(0);
        v = await uploadWithProgress<ModelVersion>(url, form, setProgress);
      } else {
        v = await api<ModelVersion>('POST', url, spec);
      }
      onClose();
      navigate(`/models/${enc(v.model)}/versions/${v.version}`);
    } catch (err) {
      setError(err);
      setProgress(undefined);
    } finally {
      setBusy(false);
    }
  };

  const fe = (...f: string[]) => fieldError(error, ...f);
  const fits = runtimes.filter((r) => r.formats.includes(format));
  return (
    <form onSubmit={submit} noValidate>
      <fieldset className="grid">
        <legend>{t('Model')}</legend>
        <div className="radios wide" role="radiogroup" aria-label={t('Import as')}>
          <label>
            <input type="radio" name="mode" checked={mode === 'new'} onChange={() => setMode('new')} /> {t('New model')}
          </label>
          <label>
            <input type="radio" name="mode" checked={mode === 'version'} onChange={() => setMode('version')} /> {t('New version of an existing model')}
          </label>
        </div>
        {mode === 'new' ? (
          <>
            <Field label={t('Model name')} error={fe('name')} hint={t('1–60 letters, digits, _ or -, starting with a letter or digit')}>
              <input value={name} onChange={(e) => setName(e.target.value)} required autoFocus />
            </Field>
            <Field label={t('Model description')}>
              <input value={modelDescription} onChange={(e) => setModelDescription(e.target.value)} />
            </Field>
            <Field label={t('Tags')} hint={t('key=value, comma separated')} error={fe('modelTags')}>
              <input value={tags} onChange={(e) => setTags(e.target.value)} />
            </Field>
          </>
        ) : (
          <Field label={t('Model')} error={fe('name')}>
            <select value={name} onChange={(e) => setName(e.target.value)} required>
              <option value="">{t('Choose a model')}</option>
              {models.map((m) => (
                <option key={m.name}>{m.name}</option>
              ))}
            </select>
          </Field>
        )}
      </fieldset>

      <fieldset className="grid">
        <legend>{t('Model source')}</legend>
        <div className="radios wide" role="radiogroup" aria-label={t('Model source')}>
          {(['upload', 'storage', 'task'] as const).map((s) => (
            <label key={s}>
              <input type="radio" name="source" checked={source === s} onChange={() => setSource(s)} /> {t(`source:${s}`)}
            </label>
          ))}
        </div>
        {source === 'upload' && (
          <div className="wide">
            <FilePicker files={files} onChange={setFiles} />
            {progress !== undefined && <Progress value={progress} label={t('Uploading')} />}
          </div>
        )}
        {source === 'storage' && (
          <>
            <Field label={t('Storage path')} error={fe('source.path', 'source')} hint={t('a folder in the object store, e.g. cos/classify, or file:///… under an allowed root')}>
              <input value={path} onChange={(e) => setPath(e.target.value)} />
            </Field>
            <MoveModeField value={moveMode} onChange={setMoveMode} error={fe('moveMode')} />
          </>
        )}
        {source === 'task' && (
          <>
            <Field label={t('Training task')} error={fe('source.task', 'source')}>
              <select value={task} onChange={(e) => setTask(e.target.value)}>
                <option value="">{t('Choose a succeeded task')}</option>
                {[...new Set([...(task ? [task] : []), ...tasks.map((x) => x.name)])].map((n) => (
                  <option key={n}>{n}</option>
                ))}
              </select>
            </Field>
            <Field label={t('Run')} hint={t('empty: the latest succeeded run')} error={fe('source.run')}>
              <input value={run} onChange={(e) => setRun(e.target.value)} inputMode="numeric" />
            </Field>
            <MoveModeField value={moveMode} onChange={setMoveMode} error={fe('moveMode')} />
          </>
        )}
      </fieldset>

      <fieldset className="grid">
        <legend>{t('Runtime')}</legend>
        <Field label={t('Model format')} error={fe('format')}>
          <select value={format} onChange={(e) => setFormat(e.target.value as ModelFormat)}>
            {MODEL_FORMATS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </Field>
        <Field label={t('Runtime environment')} error={fe('runtime')}>
          <select value={runtime} onChange={(e) => setRuntime(e.target.value)}>
            {(fits.length ? fits : runtimes).map((r) => (
              <option key={r.id} value={r.id}>
                {r.id} {r.available ? '' : `(${t('unavailable')}: ${r.reason ?? ''})`}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('Metrics')} hint={t('free text or JSON, e.g. {"accuracy": 0.98}')} error={fe('metrics')} wide>
          <textarea rows={2} value={metrics} onChange={(e) => setMetrics(e.target.value)} />
        </Field>
        <Field label={t('Version description')} error={fe('description')} wide>
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
      </fieldset>

      <ErrorBanner error={error} />
      <div className="actions">
        <button type="button" onClick={onClose}>
          {t('Cancel')}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('Importing…') : t('Import')}
        </button>
      </div>
    </form>
  );
}

function MoveModeField({ value, onChange, error }: { value: 'copy' | 'move'; onChange: (v: 'copy' | 'move') => void; error?: string }) {
  const { t } = useI18n();
  return (
    <Field label={t('Move mode')} error={error}>
      <select value={value} onChange={(e) => onChange(e.target.value as 'copy' | 'move')}>
        <option value="copy">{t('Copy (keep the originals)')}</option>
        <option value="move">{t('Move (remove the originals)')}</option>
      </select>
    </Field>
  );
}
