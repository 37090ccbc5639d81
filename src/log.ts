/** The platform's structured logger (pino, JSON lines on stdout). */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'modeldock'): Logger {
  return pino(
    {
      name,
      level,
      base: { pid: process.pid },
      redact: { paths: ['req.headers.authorization', 'authorization', 'token', '*.token'], censor: '[redacted]' },
    },
    // Asynchronous writes: a line is handed to a libuv thread at once when none is being
    // written, and lines logged meanwhile go out together in the next write — one syscall
    // for many calls' access lines under load, none of it on the event loop (a synchronous
    // write per call was ~10% of the gateway's CPU). pino flushes what is left on exit, and
    // stops logging on EPIPE instead of retrying for ever when stdout's reader is gone.
    pino.destination({ dest: 1, sync: false }),
  );
}
