/**
 * A log line's level, read from what it says: a JSON line's `level` (pino's numbers or a
 * name), a leading `ERROR`/`WARN`/`INFO`/`DEBUG` word, an access line's status; else
 * stderr is `warn` and stdout `info`.
 */
import type { LogLevel } from '../contracts/service-ops.js';

const NAMES: Record<string, LogLevel> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  fatal: 'error',
  critical: 'error',
  crit: 'error',
};

function fromValue(v: unknown): LogLevel | undefined {
  if (typeof v === 'number') return v >= 50 ? 'error' : v >= 40 ? 'warn' : v >= 30 ? 'info' : 'debug';
  if (typeof v === 'string') return NAMES[v.toLowerCase()];
  return undefined;
}

export function levelOf(stream: 'stdout' | 'stderr' | 'access', line: string): LogLevel {
  if (stream === 'access') {
    const status = Number(/ (\d{3}) /.exec(line)?.[1]);
    return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  }
  if (line.startsWith('{')) {
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      const l = fromValue(o.level ?? o.severity ?? o.levelname);
      if (l) return l;
    } catch {
      /* not JSON after all */
    }
  }
  const word = /^\W{0,3}(?:\S+\s+){0,3}?\[?(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL|CRITICAL)\b/i.exec(line.slice(0, 80))?.[1];
  if (word) return NAMES[word.toLowerCase()]!;
  return stream === 'stderr' ? 'warn' : 'info';
}
