import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stderrDestination } from './stderr-destination.js';

/** A FIFO's write end, and a way to close its only reader. */
function fifo(): { fd: number; closeReader(): void; read(): string } {
  const p = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-fifo-')), 'log');
  execFileSync('mkfifo', [p]);
  const reader = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const fd = fs.openSync(p, fs.constants.O_WRONLY);
  return {
    fd,
    closeReader: () => fs.closeSync(reader),
    read: () => {
      const b = Buffer.alloc(4096);
      return b.subarray(0, fs.readSync(reader, b)).toString();
    },
  };
}

describe('stderrDestination', () => {
  it('writes whole lines while the reader is there', () => {
    const f = fifo();
    let gone = 0;
    const d = stderrDestination(() => gone++, f.fd);
    d.write('{"msg":"a"}\n');
    expect(f.read()).toBe('{"msg":"a"}\n');
    expect(gone).toBe(0);
    f.closeReader();
    fs.closeSync(f.fd);
  });

  it('reports the reader gone once, and then drops lines instead of retrying for ever', () => {
    const f = fifo();
    f.closeReader();
    let gone = 0;
    const d = stderrDestination(() => gone++, f.fd);
    const started = Date.now();
    d.write('{"msg":"after the platform died"}\n');
    d.write('{"msg":"again"}\n');
    expect(gone).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
    fs.closeSync(f.fd);
  });
});
