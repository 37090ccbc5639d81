/**
 * Saving a streamed answer: to a temp file beside the target, renamed into place only when
 * complete (and, when the server sent x-sha256, when the bytes match it); or to stdout.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Download } from './client.js';
import { CliError } from './output.js';
import { progress } from './progress.js';

export interface Saved {
  path: string;
  size: number;
  sha256: string;
}

/** Writes the download to `out` ("-" = stdout) with a progress bar; answers what was written. */
export async function saveDownload(dl: Download, out: string, label: string): Promise<Saved> {
  const hash = createHash('sha256');
  let size = 0;
  const bar = progress(label, dl.size);
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      bar.add(chunk.length);
      cb(null, chunk);
    },
  });
  if (out === '-') {
    try {
      await pipeline(dl.body, meter, process.stdout);
    } finally {
      bar.done();
    }
    return check({ path: '-', size, sha256: hash.digest('hex') }, dl);
  }
  const target = path.resolve(out);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.part-${process.pid}`;
  try {
    await pipeline(dl.body, meter, createWriteStream(tmp));
    bar.done();
    const saved = check({ path: target, size, sha256: hash.digest('hex') }, dl);
    await fs.rename(tmp, target);
    return saved;
  } catch (e) {
    bar.done();
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

function check(saved: Saved, dl: Download): Saved {
  if (dl.size !== undefined && dl.size !== saved.size) {
    throw new CliError(`download incomplete: got ${saved.size} of ${dl.size} bytes`, 'DOWNLOAD_INCOMPLETE');
  }
  if (dl.sha256 && dl.sha256 !== saved.sha256) {
    throw new CliError(`download corrupt: sha256 ${saved.sha256} but the server said ${dl.sha256}`, 'DOWNLOAD_CORRUPT');
  }
  return saved;
}
