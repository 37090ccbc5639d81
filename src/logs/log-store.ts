/**
 * Service logs: instance stdout/stderr and gateway access lines, kept per service and
 * queried by service, version, instance, level, time, text and cursor. One interface, two
 * implementations that pass one contract (log-store.contract.ts): MemoryLogStore (a ring
 * per service; tests and `logs.store: memory`) and DbLogStore (the platform's database, so
 * lines outlive a restart and read the same from every replica).
 */
import type { LogLevel, ServiceLogLine } from '../contracts/service-ops.js';

export type LogLine = ServiceLogLine;
export type { LogLevel };
/** A line as it is appended: the store gives it its `seq`; `level` defaults from the line. */
export type NewLogLine = Omit<LogLine, 'seq' | 'level'> & { level?: LogLevel };

export interface LogQuery {
  since?: string;
  until?: string;
  instance?: string;
  /** `v2` or `2` */
  version?: string;
  /** this level and above */
  level?: LogLevel;
  /** case-insensitive text the line contains */
  keyword?: string;
  /** only lines after this cursor (the `seq` of the last line seen), oldest first */
  after?: number;
  limit: number;
}

export interface LogPage {
  items: LogLine[];
  /** the seq to pass as `after` next time */
  cursor: number;
}

/** How long lines are kept: the oldest go first once any bound is passed. */
export interface LogRetention {
  maxAgeMs: number;
  maxLinesPerService: number;
  maxBytesPerService: number;
}

export interface LogStore {
  /** Never waits on storage: lines are written in batches off the caller's path. */
  append(l: NewLogLine): void;
  /**
   * Without `after`: the newest `limit` lines that match. With `after`: the first `limit`
   * lines after that cursor, so a follower pages forward without gaps.
   */
  query(service: string, q: LogQuery): Promise<LogPage>;
  /** Live tail of lines appended through this replica; returns an unsubscribe function. */
  subscribe(fn: (l: LogLine) => void): () => void;
  /** Drops lines past the retention bounds (also run periodically once started). */
  prune(now?: Date): Promise<void>;
  drop(service: string): Promise<void>;
  start(): void;
  /** Writes what is buffered and stops the timers. */
  close(): Promise<void>;
}

export const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** The levels at or above `min`. */
export const levelsFrom = (min: LogLevel): LogLevel[] => LEVELS.slice(LEVELS.indexOf(min));

/** Bytes a line counts against its service's budget. */
export const lineBytes = (l: Pick<LogLine, 'line'>): number => Buffer.byteLength(l.line) + 64;
