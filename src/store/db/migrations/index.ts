/** Numbered migrations, applied in order. Add `NNNN_name.ts` and list it here. */
import type { Migration } from 'kysely';
import * as m0001 from './0001_model_repository.js';
import * as m0002 from './0002_services.js';
import * as m0003 from './0003_billing.js';
import * as m0004 from './0004_tasks.js';
import * as m0005 from './0005_traffic_reports.js';
import * as m0006 from './0006_runtime_requested.js';
import * as m0007 from './0007_token_counters.js';
import * as m0008 from './0008_rollouts.js';
import * as m0009 from './0009_batch_jobs.js';
import * as m0011 from './0011_logs.js';
import * as m0012 from './0012_service_shadow.js';
import * as m0013 from './0013_metric_buckets.js';

export const migrations: Record<string, Migration> = {
  '0001_model_repository': m0001,
  '0002_services': m0002,
  '0003_billing': m0003,
  '0004_tasks': m0004,
  '0005_traffic_reports': m0005,
  '0006_runtime_requested': m0006,
  '0007_token_counters': m0007,
  '0008_rollouts': m0008,
  '0009_batch_jobs': m0009,
  '0011_logs': m0011,
  '0012_service_shadow': m0012,
  '0013_metric_buckets': m0013,
};
