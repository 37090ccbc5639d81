/**
 * 导入模型, mirroring TI-ONE's form: as a new model or a new version; source upload /
 * object storage / training task; format; runtime environment (with availability);
 * metrics; move mode (storage and task sources); description. Upload imports show a
 * progress bar. The version's storage path is the repository's to choose (it deletes that
 * prefix with the version), so it is shown on the version page, not asked for here.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { Model, ModelVersion, Page, RuntimeEnv, SourceType } from '../../../../src/contracts/resources.js';
import type { Task } from '../../../../src/contracts/tasks.js';
import { api, enc, fieldError, get, uploadWithProgress } from '../../api.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { useDraft } from '../../components/form.js';
import { useI18n } from '../../i18n.js';
import { navigate } from '../../router.js';
import type { PickedFile } from './FilePicker.js';
import { ModelFields, RuntimeFields, SourceFields, type ImportDraft } from './ImportFields.js';
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

const draftOf = (preset: ImportPreset): ImportDraft => ({
  mode: preset.mode ?? 'new',
  name: preset.model ?? '',
  modelDescription: '',
  tags: '',
  source: preset.source ?? 'upload',
  path: '',
  task: preset.task ?? '',
  run: preset.run ?? '',
  format: preset.source === 'task' ? 'torchscript' : 'onnx',
  runtime: preset.runtime ?? '',
  metrics: '',
  moveMode: 'copy',
  description: '',
});

/** Metrics are JSON when they parse as JSON, else the text as typed; undefined when empty. */
function metricsValue(text: string): unknown {
  const m = text.trim();
  if (!m) return undefined;
  try {
    return JSON.parse(m);
  } catch {
    return m;
  }
}

function versionSpec(d: ImportDraft) {
  const metrics = metricsValue(d.metrics);
  const tags = parseTags(d.tags);
  return {
    source:
      d.source === 'storage'
        ? { type: 'storage', path: d.path }
        : d.source === 'task'
          ? { type: 'task', task: d.task, ...(d.run ? { run: d.run } : {}) }
          : { type: 'upload' },
    format: d.format,
    runtime: d.runtime,
    ...(metrics !== undefined ? { metrics } : {}),
    ...(d.source !== 'upload' ? { moveMode: d.moveMode } : {}),
    ...(d.description ? { description: d.description } : {}),
    ...(d.mode === 'new'
      ? { createModel: true, ...(d.modelDescription ? { modelDescription: d.modelDescription } : {}), ...(tags ? { modelTags: tags } : {}) }
      : {}),
  };
}

/** Uploads go as multipart with the spec beside the files; the other sources as JSON. */
function importVersion(d: ImportDraft, files: PickedFile[], onProgress: (p: number) => void): Promise<ModelVersion> {
  const spec = versionSpec(d);
  const url = `/api/v1/models/${enc(d.name)}/versions`;
  if (d.source !== 'upload') return api<ModelVersion>('POST', url, spec);
  const form = new FormData();
  form.append('spec', JSON.stringify(spec));
  for (const f of files) form.append('file', f.file, f.path);
  onProgress(0);
  return uploadWithProgress<ModelVersion>(url, form, onProgress);
}

/** What the form offers: runtime environments, models to add a version to, succeeded tasks. */
function useImportChoices(onError: (e: unknown) => void) {
  const [runtimes, setRuntimes] = useState<RuntimeEnv[]>([]);
  const [models, setModels] = useState<Model[]>([]);
  const [tasks, setTasks] = useState<Task[]>([]);
  useEffect(() => {
    get<{ items: RuntimeEnv[] }>('/api/v1/runtimes').then((r) => setRuntimes(r.items), onError);
    get<Page<Model>>('/api/v1/models?limit=500').then(
      (r) => setModels(r.items),
      () => undefined,
    );
    get<Page<Task>>('/api/v1/tasks?state=Succeeded&limit=500').then(
      (r) => setTasks(r.items),
      () => undefined,
    );
  }, []); // eslint-disable-line react-hooks/exhaustive-deps -- once, on opening
  return { runtimes, models, tasks };
}

function ImportForm({ onClose, preset }: { onClose: () => void; preset: ImportPreset }) {
  const { t } = useI18n();
  const { draft, bind } = useDraft(() => draftOf(preset));
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [progress, setProgress] = useState<number>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const { runtimes, models, tasks } = useImportChoices(setError);
  const { format, runtime } = draft;
  const setRuntime = bind('runtime');
  // the runtime follows the format unless the user chose one that fits it
  useEffect(() => {
    const fits = runtimes.filter((r) => r.formats.includes(format));
    if (fits.length && !fits.some((r) => r.id === runtime)) setRuntime((fits.find((r) => r.available) ?? fits[0]!).id);
  }, [format, runtimes, runtime]); // eslint-disable-line react-hooks/exhaustive-deps -- setRuntime only sets state

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const v = await importVersion(draft, files, setProgress);
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
  const props = { draft, bind, fe };
  return (
    <form onSubmit={submit} noValidate>
      <ModelFields {...props} models={models} />
      <SourceFields {...props} tasks={tasks} upload={{ files, onFiles: setFiles, progress }} />
      <RuntimeFields {...props} runtimes={runtimes} />
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
