/** The platform's structured logger (pino, JSON lines on stdout). */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'modeldock'): Logger {
  return pino({
    name,
    level,
    base: { pid: process.pid },
    redact: { paths: ['req.headers.authorization', 'authorization', 'token', '*.token'], censor: '[redacted]' },
  });
}
