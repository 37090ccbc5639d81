/**
 * Writes a job's result lines so that a restart never duplicates nor loses one.
 *
 * Lines are gathered in memory and flushed as numbered part files
 * (`<output>/results/part-00001.jsonl`, …). A flush writes the whole part file (the blob
 * store's put is atomic), then commits it: one transaction records the part with the
 * input keys it holds, and adds its counts to the job. Only committed parts count:
 *   - a crash before the commit leaves a part file no row names; prepare() deletes it
 *     at the next start and its inputs are run again (never lost);
 *   - a committed input is in the done set prepare() answers, so it is never run again
 *     (never duplicated), and its line is in exactly one committed part.
 * Flushes never overlap, so part numbers are taken in order by one writer.
 */
import type { BatchResultLine } from '../contracts/batch.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import type { BatchRepo } from './batch-repo.js';

export const partKey = (output: string, part: number) => `${output}/results/part-${String(part).padStart(5, '0')}.jsonl`;
const PART_RE = /\/results\/part-(\d+)\.jsonl$/;

export class ResultWriter {
  private next = 1;
  private buffer: BatchResultLine[] = [];
  private bufferedFailed = 0;
  private flushing: Promise<boolean> = Promise.resolve(true);
  private lastMark = Date.now();
  private clockOn = false;

  constructor(
    private readonly jobId: string,
    private readonly output: string,
    private readonly repo: BatchRepo,
    private readonly blobs: BlobStore,
  ) {}

  /** Reads what is committed (the done input keys) and removes part files no commit names. */
  async prepare(): Promise<{ done: Set<string>; committed: string[] }> {
    const parts = await this.repo.parts(this.jobId);
    const done = new Set<string>();
    for (const p of parts) for (const k of JSON.parse(p.keys) as string[]) done.add(k);
    const committed = new Set(parts.map((p) => p.part));
    this.next = parts.reduce((m, p) => Math.max(m, p.part), 0) + 1;
    for (const o of await this.blobs.list(`${this.output}/results`)) {
      const m = PART_RE.exec(o.key);
      if (!m || !committed.has(Number(m[1]))) await this.blobs.delete(o.key);
    }
    return { done, committed: parts.map((p) => partKey(this.output, p.part)) };
  }

  /** Running time is counted only while the clock is on (instances serving). */
  clock(on: boolean): void {
    if (on === this.clockOn) return;
    this.elapsed();
    this.clockOn = on;
  }

  add(line: BatchResultLine): void {
    this.buffer.push(line);
    if ('error' in line) this.bufferedFailed++;
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /** Writes and commits what is buffered; false when the job had ended (nothing counted). */
  flush(): Promise<boolean> {
    const run = this.flushing
      .catch(() => true)
      .then(async (ok) => {
        if (!ok) return false;
        const lines = this.buffer;
        const failed = this.bufferedFailed;
        this.buffer = [];
        this.bufferedFailed = 0;
        if (!lines.length) {
          const ms = this.elapsed();
          return ms > 0 ? this.repo.commitRunTime(this.jobId, ms) : true;
        }
        const part = this.next;
        try {
          await this.blobs.put(partKey(this.output, part), Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n') + '\n'));
        } catch (e) {
          // not written: the lines stay buffered for the next flush
          this.buffer = [...lines, ...this.buffer];
          this.bufferedFailed += failed;
          throw e;
        }
        this.next++;
        return this.repo.commitPart(this.jobId, { part, keys: lines.map((l) => l.input), failed, runMs: this.elapsed() });
      });
    this.flushing = run;
    return run;
  }

  private elapsed(): number {
    const t = Date.now();
    const ms = this.clockOn ? t - this.lastMark : 0;
    this.lastMark = t;
    return ms;
  }
}
