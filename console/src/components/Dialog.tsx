/** Modal dialogs on the native <dialog> (focus stays inside, Esc closes). */
import { useEffect, useRef, type ReactNode } from 'react';
import { useI18n } from '../i18n.js';

export function Dialog({ open, title, onClose, children, wide }: { open: boolean; title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className={`dialog${wide ? ' dialog-wide' : ''}`} onClose={onClose} aria-label={title}>
      {open && (
        <>
          <h2>{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
}

/** "Are you sure?" before a destructive or disruptive action. */
export function Confirm({
  open,
  title,
  message,
  confirmLabel,
  onConfirm,
  onClose,
  danger,
  children,
}: {
  open: boolean;
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  danger?: boolean;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <p>{message}</p>
      {children}
      <div className="actions">
        <button type="button" onClick={onClose}>
          {t('Cancel')}
        </button>
        <button type="button" className={danger ? 'danger' : 'primary'} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
