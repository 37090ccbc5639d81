/**
 * A progress bar on stderr for uploads and downloads. It draws only when stderr is a
 * terminal (so scripts, pipes and tests see clean output) and clears itself when done.
 */

export interface Progress {
  add(n: number): void;
  done(): void;
}

const NOOP: Progress = { add() {}, done() {} };

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

/** total: bytes expected, or undefined when unknown (a byte counter is shown instead). */
export function progress(label: string, total: number | undefined, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return NOOP;
  let seen = 0;
  let lastDraw = 0;
  const started = Date.now();
  const draw = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const secs = Math.max((now - started) / 1000, 0.001);
    const rate = `${formatBytes(seen / secs)}/s`;
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 40));
    let line: string;
    if (total && total > 0) {
      const frac = Math.min(1, seen / total);
      const fill = Math.round(frac * width);
      line = `${label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}% ${formatBytes(seen)}/${formatBytes(total)} ${rate}`;
    } else line = `${label} ${formatBytes(seen)} ${rate}`;
    stream.write(`\r\x1b[2K${line}`);
  };
  return {
    add(n) {
      seen += n;
      draw(false);
    },
    done() {
      draw(true);
      stream.write('\r\x1b[2K');
    },
  };
}

/** A one-line status that rewrites itself on a terminal (used while waiting on an import). */
export function statusLine(stream: NodeJS.WriteStream = process.stderr): { set(text: string): void; clear(): void } {
  if (!stream.isTTY) return { set() {}, clear() {} };
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let i = 0;
  return {
    set(text) {
      stream.write(`\r\x1b[2K${frames[i++ % frames.length]} ${text}`);
    },
    clear() {
      stream.write('\r\x1b[2K');
    },
  };
}

/**
 * Progress over a count of items (a batch job's inputs): a bar rewritten in place on a
 * terminal; elsewhere (pipes, CI logs) one plain line whenever the count moves.
 */
export function itemsProgress(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): { set(done: number, total: number | null, extra: string): void; done(): void } {
  let last = -1;
  return {
    set(done, total, extra) {
      if (!stream.isTTY) {
        if (done !== last) stream.write(`${label} ${done}/${total ?? '?'}${extra ? ` ${extra}` : ''}\n`);
        last = done;
        return;
      }
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 45));
      const frac = total ? Math.min(1, done / total) : 0;
      const fill = Math.round(frac * width);
      stream.write(
        `\r\x1b[2K${label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${total ?? '?'}${extra ? ` ${extra}` : ''}`,
      );
    },
    done() {
      if (stream.isTTY) stream.write('\r\x1b[2K');
    },
  };
}
