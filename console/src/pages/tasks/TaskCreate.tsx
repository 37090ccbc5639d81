/** 新建训练任务: name, runtime, code (built-in example / object storage / upload), command, inputs, output, env, resources. */
import { useEffect, useState, type FormEvent } from 'react';
import type { RuntimeEnv } from '../../../../src/contracts/resources.js';
import type { Task, TaskExample } from '../../../../src/contracts/tasks.js';
import { api, enc, fieldError, get, uploadWithProgress } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { useDraft } from '../../components/form.js';
import { useI18n } from '../../i18n.js';
import { Link, navigate } from '../../router.js';
import type { PickedFile } from '../models/FilePicker.js';
import { BasicFields, CodeFields, DataFields, ResourceFields, type TaskDraft } from './TaskFields.js';

/** "a=1" lines → {a: "1"}; undefined when empty. */
function pairs(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (!s) continue;
    const i = s.indexOf('=');
    out[i < 0 ? s : s.slice(0, i).trim()] = i < 0 ? '' : s.slice(i + 1).trim();
  }
  return Object.keys(out).length ? out : undefined;
}
const num = (s: string): unknown => (s.trim() === '' ? undefined : Number.isFinite(Number(s)) ? Number(s) : s);

function taskSpec(d: TaskDraft) {
  const timeout = num(d.timeoutMin);
  return {
    name: d.name,
    ...(d.description ? { description: d.description } : {}),
    runtime: d.runtime,
    code:
      d.codeType === 'example' ? { type: 'example', name: d.example } : d.codeType === 'storage' ? { type: 'storage', path: d.codePath } : { type: 'upload' },
    command: d.command,
    ...(pairs(d.inputs) ? { inputs: pairs(d.inputs) } : {}),
    ...(d.output ? { output: d.output } : {}),
    ...(pairs(d.env) ? { env: pairs(d.env) } : {}),
    resources: Object.fromEntries(Object.entries({ cpuMillicores: num(d.cpu), memoryMiB: num(d.memory) }).filter(([, v]) => v !== undefined)),
    ...(timeout !== undefined ? { timeoutMs: typeof timeout === 'number' ? Math.round(timeout * 60_000) : timeout } : {}),
  };
}

/** Uploads go as multipart with the spec beside the files; the other code sources as JSON. */
function createTask(d: TaskDraft, files: PickedFile[], onProgress: (p: number) => void): Promise<Task> {
  const spec = taskSpec(d);
  if (d.codeType !== 'upload') return api<Task>('POST', '/api/v1/tasks', spec);
  const form = new FormData();
  form.append('spec', JSON.stringify(spec));
  for (const f of files) form.append('file', f.file, f.path);
  onProgress(0);
  return uploadWithProgress<Task>('/api/v1/tasks', form, onProgress);
}

const withExample = (d: TaskDraft, ex: TaskExample): TaskDraft => ({
  ...d,
  example: ex.name,
  runtime: ex.runtime,
  command: ex.command,
  inputs: Object.entries(ex.inputs)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n'),
  description: d.description || ex.description,
});

const EMPTY: TaskDraft = {
  name: '',
  description: '',
  runtime: '',
  codeType: 'example',
  example: '',
  codePath: '',
  command: '',
  inputs: '',
  output: '',
  env: '',
  cpu: '2000',
  memory: '4096',
  timeoutMin: '60',
};

export function TaskCreate() {
  const { t } = useI18n();
  const { draft, setDraft, bind } = useDraft<TaskDraft>(EMPTY);
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [examples, setExamples] = useState<TaskExample[]>([]);
  const [runtimes, setRuntimes] = useState<RuntimeEnv[]>([]);
  const [progress, setProgress] = useState<number>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    get<{ items: RuntimeEnv[] }>('/api/v1/runtimes').then((r) => setRuntimes(r.items.filter((x) => x.kind === 'python' || x.kind === 'node')), setError);
    get<{ items: TaskExample[] }>('/api/v1/task-examples').then((r) => {
      setExamples(r.items);
      const first = r.items[0];
      if (first) setDraft((d) => withExample(d, first));
    }, setError);
  }, [setDraft]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const task = await createTask(draft, files, setProgress);
      navigate(`/tasks/${enc(task.name)}`);
    } catch (err) {
      setError(err);
      setProgress(undefined);
    } finally {
      setBusy(false);
    }
  };
  const fe = (...f: string[]) => fieldError(error, ...f);
  const chooseExample = (name: string) =>
    setDraft((d) =>
      withExample(
        d,
        examples.find((x) => x.name === name)!,
      ),
    );
  const upload = { files, onFiles: setFiles, progress };

  return (
    <section>
      <p className="crumbs">
        <Link to="/tasks">{t('Training tasks')}</Link> / {t('New task')}
      </p>
      <h1>{t('New training task')}</h1>
      <form onSubmit={submit} noValidate className="form-page">
        <BasicFields draft={draft} bind={bind} fe={fe} />
        <CodeFields draft={draft} bind={bind} fe={fe} examples={examples} runtimes={runtimes} onExample={chooseExample} upload={upload} />
        <DataFields draft={draft} bind={bind} fe={fe} />
        <ResourceFields draft={draft} bind={bind} fe={fe} />
        <ErrorBanner error={error} />
        <div className="actions">
          <Link className="button-like" to="/tasks">
            {t('Cancel')}
          </Link>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('Creating…') : t('Create task')}
          </button>
        </div>
      </form>
    </section>
  );
}
