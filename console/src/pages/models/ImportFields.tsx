/** The fieldsets of the import form (ImportForm in ImportDialog holds the values and sends them). */
import type { Model, ModelFormat, RuntimeEnv, SourceType } from '../../../../src/contracts/resources.js';
import { MODEL_FORMATS } from '../../../../src/contracts/resources.js';
import type { Task } from '../../../../src/contracts/tasks.js';
import { RadioRow, SelectField, TextAreaField, TextField, type useDraft } from '../../components/form.js';
import { useI18n } from '../../i18n.js';
import { FilePicker, Progress, type PickedFile } from './FilePicker.js';

export interface ImportDraft {
  mode: 'new' | 'version';
  name: string;
  modelDescription: string;
  tags: string;
  source: SourceType;
  path: string;
  task: string;
  run: string;
  format: ModelFormat;
  runtime: string;
  metrics: string;
  moveMode: 'copy' | 'move';
  description: string;
}

interface Props {
  draft: ImportDraft;
  bind: ReturnType<typeof useDraft<ImportDraft>>['bind'];
  fe: (...f: string[]) => string | undefined;
}

export function ModelFields({ draft: d, bind, fe, models }: Props & { models: Model[] }) {
  const { t } = useI18n();
  const modes = [
    ['new', t('New model')],
    ['version', t('New version of an existing model')],
  ] as const;
  return (
    <fieldset className="grid">
      <legend>{t('Model')}</legend>
      <RadioRow label={t('Import as')} name="mode" value={d.mode} onChange={bind('mode')} options={modes} />
      {d.mode === 'new' ? (
        <>
          <TextField
            label={t('Model name')}
            error={fe('name')}
            hint={t('1–60 letters, digits, _ or -, starting with a letter or digit')}
            value={d.name}
            onChange={bind('name')}
            required
            autoFocus
          />
          <TextField label={t('Model description')} value={d.modelDescription} onChange={bind('modelDescription')} />
          <TextField label={t('Tags')} hint={t('key=value, comma separated')} error={fe('modelTags')} value={d.tags} onChange={bind('tags')} />
        </>
      ) : (
        <SelectField
          label={t('Model')}
          error={fe('name')}
          value={d.name}
          onChange={bind('name')}
          empty={t('Choose a model')}
          options={models.map((m) => ({ value: m.name }))}
          required
        />
      )}
    </fieldset>
  );
}

interface SourceProps extends Props {
  tasks: Task[];
  upload: { files: PickedFile[]; onFiles: (files: PickedFile[]) => void; progress: number | undefined };
}

export function SourceFields({ draft: d, bind, fe, tasks, upload }: SourceProps) {
  const { t } = useI18n();
  const sources = (['upload', 'storage', 'task'] as const).map((s) => [s, t(`source:${s}`)] as const);
  const moveMode = <MoveModeField value={d.moveMode} onChange={bind('moveMode')} error={fe('moveMode')} />;
  const taskNames = [...new Set([...(d.task ? [d.task] : []), ...tasks.map((x) => x.name)])];
  return (
    <fieldset className="grid">
      <legend>{t('Model source')}</legend>
      <RadioRow label={t('Model source')} name="source" value={d.source} onChange={bind('source')} options={sources} />
      {d.source === 'upload' && (
        <div className="wide">
          <FilePicker files={upload.files} onChange={upload.onFiles} />
          {upload.progress !== undefined && <Progress value={upload.progress} label={t('Uploading')} />}
        </div>
      )}
      {d.source === 'storage' && (
        <>
          <TextField
            label={t('Storage path')}
            error={fe('source.path', 'source')}
            hint={t('a folder in the object store, e.g. cos/classify, or file:///… under an allowed root')}
            value={d.path}
            onChange={bind('path')}
          />
          {moveMode}
        </>
      )}
      {d.source === 'task' && (
        <>
          <SelectField
            label={t('Training task')}
            error={fe('source.task', 'source')}
            value={d.task}
            onChange={bind('task')}
            empty={t('Choose a succeeded task')}
            options={taskNames.map((n) => ({ value: n }))}
          />
          <TextField
            label={t('Run')}
            hint={t('empty: the latest succeeded run')}
            error={fe('source.run')}
            value={d.run}
            onChange={bind('run')}
            inputMode="numeric"
          />
          {moveMode}
        </>
      )}
    </fieldset>
  );
}

export function RuntimeFields({ draft: d, bind, fe, runtimes }: Props & { runtimes: RuntimeEnv[] }) {
  const { t } = useI18n();
  const fits = runtimes.filter((r) => r.formats.includes(d.format));
  const runtimeOptions = (fits.length ? fits : runtimes).map((r) => ({
    value: r.id,
    label: `${r.id} ${r.available ? '' : `(${t('unavailable')}: ${r.reason ?? ''})`}`,
  }));
  return (
    <fieldset className="grid">
      <legend>{t('Runtime')}</legend>
      <SelectField
        label={t('Model format')}
        error={fe('format')}
        value={d.format}
        onChange={bind('format')}
        options={MODEL_FORMATS.map((f) => ({ value: f }))}
      />
      <SelectField label={t('Runtime environment')} error={fe('runtime')} value={d.runtime} onChange={bind('runtime')} options={runtimeOptions} />
      <TextAreaField
        label={t('Metrics')}
        hint={t('free text or JSON, e.g. {"accuracy": 0.98}')}
        error={fe('metrics')}
        wide
        value={d.metrics}
        onChange={bind('metrics')}
      />
      <TextField label={t('Version description')} error={fe('description')} wide value={d.description} onChange={bind('description')} />
    </fieldset>
  );
}

function MoveModeField({ value, onChange, error }: { value: 'copy' | 'move'; onChange: (v: 'copy' | 'move') => void; error?: string }) {
  const { t } = useI18n();
  const options = [
    { value: 'copy', label: t('Copy (keep the originals)') },
    { value: 'move', label: t('Move (remove the originals)') },
  ];
  return <SelectField label={t('Move mode')} error={error} value={value} onChange={onChange} options={options} />;
}
