/**
 * One InstanceBackend seen through a filter: the services reconciler sees only services'
 * instances, so it never takes a batch job's instances (src/batch/) for strays of a
 * removed version. Starting, stopping and listeners go to the backend itself.
 */
import type { InstanceBackend, ObservedInstance } from './backend.js';

export function backendView(backend: InstanceBackend, keep: (i: ObservedInstance) => boolean): InstanceBackend {
  return {
    get name() {
      return backend.name;
    },
    start: (t) => backend.start(t),
    stop: (id, graceMs) => backend.stop(id, graceMs),
    list: () => backend.list().filter(keep),
    onChange: (l) => backend.onChange(l),
    onLog: (l) => backend.onLog(l),
    close: () => backend.close(),
  };
}
