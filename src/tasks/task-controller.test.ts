import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { ObservedRun, RunLogLine, TaskRunner } from '../backends/task-runner.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import { TaskController } from './task-controller.js';
import type { TasksRepo } from './tasks-repo.js';

/** A runner that only passes on the log lines the test writes. */
function fakeRunner(): TaskRunner & { write(line: string): void } {
  const logs: ((l: RunLogLine) => void)[] = [];
  return {
    name: 'fake',
    start: async () => undefined,
    stop: async () => undefined,
    get: () => undefined,
    onChange: (_l: (r: ObservedRun) => void) => undefined,
    onLog: (l) => void logs.push(l),
    discard: async () => undefined,
    close: async () => undefined,
    write: (line) => logs.forEach((fn) => fn({ runId: 'r1', ts: new Date().toISOString(), stream: 'stdout', line })),
  };
}

describe('TaskController log lines', () => {
  it('stores them in seq order even when a flush starts while a slow one is still writing', async () => {
    const stored: number[] = [];
    let writing = 0;
    let overlapped = false;
    // a slow store (a busy disk, a remote PostgreSQL): each chunk takes 100 ms, and writes
    // that overlap may commit in any order, so none may overlap
    const repo = {
      appendLogs: async (rows: { seq: number }[]) => {
        if (writing++) overlapped = true;
        await new Promise((r) => setTimeout(r, 100));
        stored.push(...rows.map((r) => r.seq));
        writing--;
      },
    } as unknown as TasksRepo;
    const runner = fakeRunner();
    const c = new TaskController({ repo, runner, blobs: {} as BlobStore, log: pino({ level: 'silent' }) });
    // 500 lines flush at once, in three chunks (~300 ms); 10 more lines flush on the 200 ms timer meanwhile
    for (let i = 0; i < 500; i++) runner.write(`line ${i}`);
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 10; i++) runner.write(`late ${i}`);
    await new Promise((r) => setTimeout(r, 220));
    await c.settled();
    expect(overlapped).toBe(false);
    expect(stored).toHaveLength(510);
    expect(stored).toEqual([...stored].sort((a, b) => a - b));
  });
});
