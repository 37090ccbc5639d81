/** The fieldsets of the new-task form (TaskCreate holds the values and sends them). */
import type { RuntimeEnv } from '../../../../src/contracts/resources.js';
import type { TaskExample } from '../../../../src/contracts/tasks.js';
import { RadioRow, SelectField, TextAreaField, TextField, type useDraft } from '../../components/form.js';
import { useI18n } from '../../i18n.js';
import { FilePicker, Progress, type PickedFile } from '../models/FilePicker.js';

export type CodeType = 'example' | 'storage' | 'upload';

export interface TaskDraft {
  name: string;
  description: string;
  runtime: string;
  codeType: CodeType;
  example: string;
  codePath: string;
  command: string;
  inputs: string;
  output: string;
  env: string;
  cpu: string;
  memory: string;
  timeoutMin: string;
}

interface Props {
  draft: TaskDraft;
  bind: ReturnType<typeof useDraft<TaskDraft>>['bind'];
  fe: (...f: string[]) => string | undefined;
}

const NAME_HINT = '1–60 letters, digits, _ or -, starting with a letter or digit';

export function BasicFields({ draft: d, bind, fe }: Props) {
  const { t } = useI18n();
  return (
    <fieldset className="grid">
      <legend>{t('Basic information')}</legend>
      <TextField label={t('Task name')} error={fe('name')} hint={t(NAME_HINT)} value={d.name} onChange={bind('name')} />
      <TextField label={t('Description')} error={fe('description')} wide value={d.description} onChange={bind('description')} />
    </fieldset>
  );
}

interface CodeProps extends Props {
  examples: TaskExample[];
  runtimes: RuntimeEnv[];
  onExample: (name: string) => void;
  upload: { files: PickedFile[]; onFiles: (files: PickedFile[]) => void; progress: number | undefined };
}

export function CodeFields({ draft: d, bind, fe, examples, runtimes, onExample, upload }: CodeProps) {
  const { t } = useI18n();
  const sources = [
    ['example', t('Built-in example')],
    ['storage', t('Object storage')],
    ['upload', t('Local upload')],
  ] as const;
  const runtimeOptions = runtimes.map((r) => ({ value: r.id, label: `${r.id} ${r.available ? '' : `(${t('unavailable')}: ${r.reason ?? ''})`}` }));
  return (
    <fieldset className="grid">
      <legend>{t('Code')}</legend>
      <RadioRow label={t('Code source')} name="code" value={d.codeType} onChange={bind('codeType')} options={sources} />
      {d.codeType === 'example' && (
        <SelectField
          label={t('Example')}
          error={fe('code.name', 'code')}
          value={d.example}
          onChange={onExample}
          options={examples.map((x) => ({ value: x.name }))}
        />
      )}
      {d.codeType === 'storage' && (
        <TextField label={t('Code folder in object storage')} error={fe('code.path', 'code')} value={d.codePath} onChange={bind('codePath')} />
      )}
      {d.codeType === 'upload' && (
        <div className="wide">
          <FilePicker files={upload.files} onChange={upload.onFiles} />
          {upload.progress !== undefined && <Progress value={upload.progress} label={t('Uploading')} />}
        </div>
      )}
      <SelectField
        label={t('Runtime environment')}
        error={fe('runtime')}
        value={d.runtime}
        onChange={bind('runtime')}
        empty={t('Choose a runtime')}
        options={runtimeOptions}
      />
      <TextField
        label={t('Start command')}
        error={fe('command')}
        hint={t('run with /bin/sh -c in the code folder')}
        wide
        className="code"
        value={d.command}
        onChange={bind('command')}
      />
    </fieldset>
  );
}

export function DataFields({ draft: d, bind, fe }: Props) {
  const { t } = useI18n();
  return (
    <fieldset className="grid">
      <legend>{t('Data')}</legend>
      <TextAreaField
        label={t('Inputs')}
        hint={t('channel=object-store folder, one per line')}
        error={fe('inputs')}
        wide
        value={d.inputs}
        onChange={bind('inputs')}
      />
      <TextField label={t('Output folder')} hint={t('default: tasks/<name>')} error={fe('output')} value={d.output} onChange={bind('output')} />
    </fieldset>
  );
}

export function ResourceFields({ draft: d, bind, fe }: Props) {
  const { t } = useI18n();
  return (
    <fieldset className="grid">
      <legend>{t('Resources')}</legend>
      <TextField label={t('CPU (millicores)')} error={fe('resources.cpuMillicores')} inputMode="numeric" value={d.cpu} onChange={bind('cpu')} />
      <TextField label={t('Memory (MiB)')} error={fe('resources.memoryMiB')} inputMode="numeric" value={d.memory} onChange={bind('memory')} />
      <TextField label={t('Timeout (minutes)')} error={fe('timeoutMs')} inputMode="numeric" value={d.timeoutMin} onChange={bind('timeoutMin')} />
      <TextAreaField label={t('Environment variables')} hint={t('NAME=value, one per line')} error={fe('env')} wide value={d.env} onChange={bind('env')} />
    </fieldset>
  );
}
