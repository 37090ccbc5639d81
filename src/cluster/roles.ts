/**
 * Which replica does what. Every replica serves the API and the gateway. The one holding
 * the `reconciler` lease also runs the singletons: the services reconciler (and with it
 * the instances, on the local backend), the task controller, and the resumption of
 * imports a dead replica left behind. The others route from the store (StoreFeed).
 */
import type { InstanceBackend } from '../backends/backend.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { ModelRepository } from '../models/model-repository.js';
import type { Reconciler } from '../services/reconciler.js';
import type { Db } from '../store/db/connect.js';
import type { TaskController } from '../tasks/task-controller.js';
import { LeaderLease, replicaId } from './leader-lease.js';
import type { StoreFeed } from './store-feed.js';
import type { TrafficShare } from './traffic-share.js';

export interface Singletons {
  reconciler: Reconciler;
  taskController: TaskController;
  /** progressive rollouts' controller */
  rollouts?: { start(): void; stop(): Promise<void> };
  /** batch jobs' controller (src/batch/) */
  batch?: { start(): void; standDown(): Promise<void> };
  backend: InstanceBackend;
  models: ModelRepository;
  feed: StoreFeed;
  /** built with this replica's id (the lease holder id) */
  traffic: (replica: string) => TrafficShare;
}

/** Starts competing for the lease; resolves after the first attempt (a lone replica leads from then on). */
export async function startRoles(db: Db, config: Config, log: Logger, s: Singletons): Promise<{ lease: LeaderLease; traffic: TrafficShare }> {
  const lease = new LeaderLease(db.kysely, 'reconciler', replicaId(), config.leaseTtlMs, log);
  const traffic = s.traffic(lease.holder);
  let resumed = false;
  s.feed.start();
  traffic.report();
  await lease.start({
    async onAcquired() {
      s.feed.stop();
      traffic.read();
      // imports left `importing` by a replica that died (once per process: it also sweeps
      // the staging area, which would cut off this process's own uploads later)
      if (!resumed) await s.models.start();
      resumed = true;
      s.reconciler.start();
      s.taskController.start();
      s.rollouts?.start();
      s.batch?.start();
    },
    async onLost() {
      await s.rollouts?.stop();
      await s.reconciler.stop();
      await s.taskController.standDown();
      await s.batch?.standDown();
      await Promise.all(s.backend.list().map((i) => s.backend.stop(i.instanceId, 10_000)));
      s.feed.start();
      traffic.report();
    },
  });
  return { lease, traffic };
}
