/** Files or a whole folder (paths kept), and an upload progress bar. */
import { useI18n } from '../../i18n.js';

export interface PickedFile {
  file: File;
  /** path inside the version: the file name, or its path within the picked folder */
  path: string;
}

/** A picked folder "tpl/pytorch/classify/…" lands as its contents, without the folder itself. */
function fromList(list: FileList | null, folder: boolean): PickedFile[] {
  const files = [...(list ?? [])];
  return files.map((file) => {
    const rel = folder && file.webkitRelativePath ? file.webkitRelativePath.split('/').slice(1).join('/') : file.name;
    return { file, path: rel || file.name };
  });
}

export function FilePicker({ files, onChange }: { files: PickedFile[]; onChange: (f: PickedFile[]) => void }) {
  const { t } = useI18n();
  const add = (more: PickedFile[]) => onChange([...files.filter((f) => !more.some((m) => m.path === f.path)), ...more]);
  return (
    <div className="picker">
      <label className="button-like">
        {t('Choose files')}
        <input
          type="file"
          multiple
          className="visually-hidden-input"
          data-testid="pick-files"
          onChange={(e) => (add(fromList(e.target.files, false)), (e.target.value = ''))}
        />
      </label>
      <label className="button-like">
        {t('Choose a folder')}
        <input
          type="file"
          multiple
          className="visually-hidden-input"
          data-testid="pick-folder"
          ref={(el) => el?.setAttribute('webkitdirectory', '')}
          onChange={(e) => (add(fromList(e.target.files, true)), (e.target.value = ''))}
        />
      </label>
      {files.length > 0 && (
        <ul className="plain file-list" aria-label={t('Chosen files')}>
          {files.map((f) => (
            <li key={f.path}>
              {f.path} <span className="muted">({formatBytes(f.file.size)})</span>{' '}
              <button type="button" className="small link" aria-label={`${t('Remove')} ${f.path}`} onClick={() => onChange(files.filter((x) => x !== f))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Progress({ value, label }: { value: number; label: string }) {
  const pct = Math.round(value * 100);
  return (
    <div className="progress">
      <progress max={100} value={pct} aria-label={label} />
      <span>
        {label} {pct}%
      </span>
    </div>
  );
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
