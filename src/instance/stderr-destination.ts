/**
 * The instance's log destination: synchronous writes to stderr (fd 2), which the platform
 * reads line by line. Pino's default destination (sonic-boom) retries a failed write for
 * ever when it flushes at exit, so an instance whose platform was killed while it was still
 * loading wrote its first log line into the dead pipe (EPIPE) and then spun in that loop,
 * never exiting. Here a write that fails because the reader is gone calls `onReaderGone`
 * (the instance exits: nobody routes calls to it any more); a full pipe is waited on a
 * little, then the line is dropped rather than stalling the data plane.
 */
import fs from 'node:fs';

const WAIT = new Int32Array(new SharedArrayBuffer(4));
const FULL_PIPE_RETRIES = 100;
const FULL_PIPE_WAIT_MS = 10;

export interface LogDestination {
  write(line: string): void;
}

export function stderrDestination(onReaderGone: () => void, fd = 2): LogDestination {
  let gone = false;
  return {
    write(line: string): void {
      if (gone) return;
      let buf = Buffer.from(line, 'utf8');
      for (let tries = 0; buf.length > 0;) {
        try {
          buf = buf.subarray(fs.writeSync(fd, buf));
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if ((code === 'EAGAIN' || code === 'EBUSY') && ++tries <= FULL_PIPE_RETRIES) {
            Atomics.wait(WAIT, 0, 0, FULL_PIPE_WAIT_MS);
            continue;
          }
          if (code === 'EPIPE' || code === 'EBADF' || code === 'ECONNRESET') {
            gone = true;
            onReaderGone();
          }
          return;
        }
      }
    },
  };
}
