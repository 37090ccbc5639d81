/** Copies a value to the clipboard and says so. */
import { useState } from 'react';
import { useI18n } from '../i18n.js';

async function copy(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const ta = document.createElement('textarea');
  ta.value = text;
  document.body.append(ta);
  ta.select();
  document.execCommand('copy');
  ta.remove();
}

export function CopyButton({ value, label }: { value: string; label?: string }) {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className="small"
      aria-label={`${t('Copy')} ${label ?? ''}`.trim()}
      onClick={() => {
        void copy(value).then(() => {
          setDone(true);
          setTimeout(() => setDone(false), 1500);
        });
      }}
    >
      {done ? t('Copied') : t('Copy')}
    </button>
  );
}
