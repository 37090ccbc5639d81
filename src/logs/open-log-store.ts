/** The LogStore the config names: the database's (default) or this process's memory. */
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db/connect.js';
import { DbLogStore } from './db-log-store.js';
import type { LogRetention, LogStore } from './log-store.js';
import { MemoryLogStore } from './memory-log-store.js';

export function openLogStore(config: Config, db: Db, log: Logger): LogStore {
  const c = config.logs;
  const retention: LogRetention = { maxAgeMs: c.maxAgeHours * 3_600_000, maxLinesPerService: c.maxLinesPerService, maxBytesPerService: c.maxBytesPerService };
  if (c.store === 'memory') return new MemoryLogStore(retention, c.pruneEveryMs);
  return new DbLogStore({
    db: db.kysely,
    dialect: db.dialect,
    retention,
    flushEveryMs: c.flushEveryMs,
    pruneEveryMs: c.pruneEveryMs,
    onError: (err, what) =>
      log.warn(
        { err },
        what === 'write' ? 'service logs: the database did not take a batch of lines; holding them and retrying' : 'service logs: pruning failed',
      ),
  });
}
