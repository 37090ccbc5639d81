/** stop / resume / scale / delete, each after a confirmation. */
import { useState } from 'react';
import type { Service } from '../../../../src/contracts/services.js';
import { api, enc, fieldError } from '../../api.js';
import { Confirm } from '../../components/Dialog.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { useI18n } from '../../i18n.js';
import { navigate } from '../../router.js';

type Pending = 'stop' | 'resume' | 'scale' | 'delete';

export function ServiceActions({ service, onDone }: { service: Service; onDone: () => void }) {
  const { t } = useI18n();
  const [pending, setPending] = useState<Pending>();
  const [instances, setInstances] = useState('1');
  const [error, setError] = useState<unknown>();
  const base = `/api/v1/services/${enc(service.name)}`;
  const stopped = service.status === 'Stopped' || service.status === 'Stopping';

  const run = async (what: Pending) => {
    setError(undefined);
    try {
      if (what === 'delete') {
        await api('DELETE', base);
        setPending(undefined);
        return navigate('/services');
      }
      const n = Number(instances);
      await api(
        'POST',
        `${base}/actions`,
        what === 'scale' ? { action: 'scale', instances: Number.isFinite(n) && instances.trim() ? n : instances } : { action: what },
      );
      setPending(undefined);
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  const texts: Record<Pending, [string, string]> = {
    stop: [t('Stop service'), t('Stop {name}? Its instances are stopped and calls answer 503 until it is resumed.', { name: service.name })],
    resume: [t('Resume service'), t('Start the instances of {name} again?', { name: service.name })],
    scale: [t('Scale service'), t('How many instances should {name} run?', { name: service.name })],
    delete: [t('Delete service'), t('Delete {name}? Its instances are drained and its URL stops answering. This cannot be undone.', { name: service.name })],
  };
  const open = (p: Pending) => {
    setError(undefined);
    if (p === 'scale') setInstances(String(service.versions.filter((v) => v.weight > 0).reduce((n, v) => Math.max(n, v.desiredInstances), 0) || 1));
    setPending(p);
  };
  return (
    <>
      {stopped ? (
        <button type="button" onClick={() => open('resume')}>
          {t('Resume')}
        </button>
      ) : (
        <button type="button" onClick={() => open('stop')}>
          {t('Stop')}
        </button>
      )}
      <button type="button" onClick={() => open('scale')}>
        {t('Scale')}
      </button>
      <button type="button" className="danger" onClick={() => open('delete')}>
        {t('Delete')}
      </button>
      {pending && (
        <Confirm
          open
          danger={pending === 'delete' || pending === 'stop'}
          title={texts[pending][0]}
          message={texts[pending][1]}
          confirmLabel={pending === 'delete' ? t('Delete') : pending === 'stop' ? t('Stop') : pending === 'resume' ? t('Resume') : t('Scale')}
          onClose={() => setPending(undefined)}
          onConfirm={() => void run(pending)}
        >
          {pending === 'scale' && (
            <Field label={t('Instances')} error={fieldError(error, 'instances')}>
              <input inputMode="numeric" value={instances} onChange={(e) => setInstances(e.target.value)} autoFocus />
            </Field>
          )}
          <ErrorBanner error={error} />
        </Confirm>
      )}
    </>
  );
}
