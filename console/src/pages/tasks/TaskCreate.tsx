/** 新建训练任务: name, runtime, code (built-in example / object storage / upload), command, inputs, output, env, resources. */
import { useEffect, useState, type FormEvent } from 'react';
import type { RuntimeEnv } from '../../../../src/contracts/resources.js';
import type { Task, TaskExample } from '../../../../src/contracts/tasks.js';
import { api, enc, fieldError, get, uploadWithProgress } from '../../api.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { useI18n } from '../../i18n.js';
import { Link, navigate } from '../../router.js';
import { FilePicker, Progress, type PickedFile } from '../models/FilePicker.js';

type CodeType = 'example' | 'storage' | 'upload';

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

export function TaskCreate() {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [runtime, setRuntime] = useState('');
  const [codeType, setCodeType] = useState<CodeType>('example');
  const [example, setExample] = useState('');
  const [codePath, setCodePath] = useState('');
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [command, setCommand] = useState('');
  const [inputs, setInputs] = useState('');
  const [output, setOutput] = useState('');
  const [env, setEnv] = useState('');
  const [cpu, setCpu] = useState('2000');
  const [memory, setMemory] = useState('4096');
  const [timeoutMin, setTimeoutMin] = useState('60');
  const [examples, setExamples] = useState<TaskExample[]>([]);
  const [runtimes, setRuntimes] = useState<RuntimeEnv[]>([]);
  const [progress, setProgress] = useState<number>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    get<{ items: RuntimeEnv[] }>('/api/v1/runtimes').then((r) => setRuntimes(r.items.filter((x) => x.kind === 'python' || x.kind === 'node')), setError);
    get<{ items: TaskExample[] }>('/api/v1/task-examples').then((r) => {
      setExamples(r.items);
      if (r.items[0]) chooseExample(r.items[0]);
    }, setError);
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const chooseExample = (ex: TaskExample) => {
    setExample(ex.name);
    setRuntime(ex.runtime);
    setCommand(ex.command);
    setInputs(Object.entries(ex.inputs).map(([k, v]) => `${k}=${v}`).join('\n'));
    setDescription((d) => d || ex.description);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const timeout = num(timeoutMin);
    const spec = {
      name,
      ...(description ? { description } : {}),
      runtime,
      code: codeType === 'example' ? { type: 'example', name: example } : codeType === 'storage' ? { type: 'storage', path: codePath } : { type: 'upload' },
      command,
      ...(pairs(inputs) ? { inputs: pairs(inputs) } : {}),
      ...(output ? { output } : {}),
      ...(pairs(env) ? { env: pairs(env) } : {}),
      resources: Object.fromEntries(Object.entries({ cpuMillicores: num(cpu), memoryMiB: num(memory) }).filter(([, v]) => v !== undefined)),
      ...(timeout !== undefined ? { timeoutMs: typeof timeout === 'number' ? Math.round(timeout * 60_000) : timeout } : {}),
    };
    try {
      let task: Task;
      if (codeType === 'upload') {
        const form = new FormData();
        form.append('spec', JSON.stringify(spec));
        for (const f of files) form.append('file', f.file, f.path);
        setProgress(0);
        task = await uploadWithProgress<Task>('/api/v1/tasks', form, setProgress);
      } else task = await api<Task>('POST', '/api/v1/tasks', spec);
      navigate(`/tasks/${enc(task.name)}`);
    } catch (err) {
      setError(err);
      setProgress(undefined);
    } finally {
      setBusy(false);
    }
  };
  const fe = (...f: string[]) => fieldError(error, ...f);

  return (
    <section>
      <p className="crumbs">
        <Link to="/tasks">{t('Training tasks')}</Link> / {t('New task')}
      </p>
      <h1>{t('New training task')}</h1>
      <form onSubmit={submit} noValidate className="form-page">
        <fieldset className="grid">
          <legend>{t('Basic information')}</legend>
          <Field label={t('Task name')} error={fe('name')} hint={t('1–60 letters, digits, _ or -, starting with a letter or digit')}>
            <input value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <Field label={t('Description')} error={fe('description')} wide>
            <input value={description} onChange={(e) => setDescription(e.target.value)} />
          </Field>
        </fieldset>
        <fieldset className="grid">
          <legend>{t('Code')}</legend>
          <div className="radios wide" role="radiogroup" aria-label={t('Code source')}>
            {(
              [
                ['example', 'Built-in example'],
                ['storage', 'Object storage'],
                ['upload', 'Local upload'],
              ] as const
            ).map(([v, label]) => (
              <label key={v}>
                <input type="radio" name="code" checked={codeType === v} onChange={() => setCodeType(v)} /> {t(label)}
              </label>
            ))}
          </div>
          {codeType === 'example' && (
            <Field label={t('Example')} error={fe('code.name', 'code')}>
              <select value={example} onChange={(e) => chooseExample(examples.find((x) => x.name === e.target.value)!)}>
                {examples.map((x) => (
                  <option key={x.name}>{x.name}</option>
                ))}
              </select>
            </Field>
          )}
          {codeType === 'storage' && (
            <Field label={t('Code folder in object storage')} error={fe('code.path', 'code')}>
              <input value={codePath} onChange={(e) => setCodePath(e.target.value)} />
            </Field>
          )}
          {codeType === 'upload' && (
            <div className="wide">
              <FilePicker files={files} onChange={setFiles} />
              {progress !== undefined && <Progress value={progress} label={t('Uploading')} />}
            </div>
          )}
          <Field label={t('Runtime environment')} error={fe('runtime')}>
            <select value={runtime} onChange={(e) => setRuntime(e.target.value)}>
              <option value="">{t('Choose a runtime')}</option>
              {runtimes.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.id} {r.available ? '' : `(${t('unavailable')}: ${r.reason ?? ''})`}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('Start command')} error={fe('command')} hint={t('run with /bin/sh -c in the code folder')} wide>
            <input className="code" value={command} onChange={(e) => setCommand(e.target.value)} />
          </Field>
        </fieldset>
        <fieldset className="grid">
          <legend>{t('Data')}</legend>
          <Field label={t('Inputs')} hint={t('channel=object-store folder, one per line')} error={fe('inputs')} wide>
            <textarea rows={2} value={inputs} onChange={(e) => setInputs(e.target.value)} />
          </Field>
          <Field label={t('Output folder')} hint={t('default: tasks/<name>')} error={fe('output')}>
            <input value={output} onChange={(e) => setOutput(e.target.value)} />
          </Field>
        </fieldset>
        <fieldset className="grid">
          <legend>{t('Resources')}</legend>
          <Field label={t('CPU (millicores)')} error={fe('resources.cpuMillicores')}>
            <input inputMode="numeric" value={cpu} onChange={(e) => setCpu(e.target.value)} />
          </Field>
          <Field label={t('Memory (MiB)')} error={fe('resources.memoryMiB')}>
            <input inputMode="numeric" value={memory} onChange={(e) => setMemory(e.target.value)} />
          </Field>
          <Field label={t('Timeout (minutes)')} error={fe('timeoutMs')}>
            <input inputMode="numeric" value={timeoutMin} onChange={(e) => setTimeoutMin(e.target.value)} />
          </Field>
          <Field label={t('Environment variables')} hint={t('NAME=value, one per line')} error={fe('env')} wide>
            <textarea rows={2} value={env} onChange={(e) => setEnv(e.target.value)} />
          </Field>
        </fieldset>
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
