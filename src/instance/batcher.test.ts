import { describe, expect, it } from 'vitest';
import { DomainError } from '../contracts/errors.js';
import { Batcher, type BatcherOptions } from './batcher.js';

/** A run function whose batches finish only when the test says so. */
function gatedRun() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const run = async (items: number[]) => {
    batches.push(items);
    await new Promise<void>((r) => gates.push(r));
    return items.map((x) => (x < 0 ? new Error(`bad ${x}`) : x * 10));
  };
  const waitGates = async (n: number) => {
    while (gates.length < n) await new Promise((r) => setImmediate(r));
  };
  return { batches, gates, run, waitGates };
}

const make = (over: Partial<BatcherOptions<number, number>> & Pick<BatcherOptions<number, number>, 'run'>) =>
  new Batcher<number, number>({ maxBatchSize: 4, maxQueueDelayMs: 0, maxQueue: 100, concurrency: 1, ...over });

describe('Batcher', () => {
  it('runs a lone request at once even with a long queue delay', async () => {
    const seen: number[][] = [];
    const b = make({ maxQueueDelayMs: 60_000, run: async (xs) => (seen.push(xs), xs.map((x) => x + 1)) });
    expect(await b.submit(1, Infinity)).toBe(2);
    expect(seen).toEqual([[1]]);
  });

  it('joins requests that arrive while a batch runs, and answers each caller its own result', async () => {
    const g = gatedRun();
    const sizes: number[] = [];
    const b = make({ run: g.run, onBatch: (rows) => sizes.push(rows) });
    const first = b.submit(1, Infinity);
    await g.waitGates(1);
    const rest = [2, 3, 4, 5, 6].map((x) => b.submit(x, Infinity));
    expect(b.queued).toBe(5);
    g.gates[0]!();
    await g.waitGates(2);
    expect(g.batches[1]).toEqual([2, 3, 4, 5]); // capped at maxBatchSize
    g.gates[1]!();
    await g.waitGates(3);
    g.gates[2]!();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40, 50, 60]);
    expect(sizes).toEqual([1, 4, 1]);
  });

  it('fails only the item whose result is an Error', async () => {
    const g = gatedRun();
    const b = make({ run: g.run });
    const a = b.submit(1, Infinity);
    await g.waitGates(1);
    const x = b.submit(2, Infinity);
    const bad = b.submit(-3, Infinity);
    const y = b.submit(4, Infinity);
    g.gates[0]!();
    await g.waitGates(2);
    g.gates[1]!();
    expect(await a).toBe(10);
    expect(await x).toBe(20);
    await expect(bad).rejects.toThrow('bad -3');
    expect(await y).toBe(40);
  });

  it('counts rows and joins only items of the same key', async () => {
    const g = gatedRun();
    const b = make({ run: g.run, rows: (x) => Math.abs(x) % 10, key: (x) => (x >= 100 ? 'big' : 'small') });
    const first = b.submit(1, Infinity);
    await g.waitGates(1);
    const all = [3, 102, 2, 1, 101].map((x) => b.submit(x, Infinity));
    g.gates[0]!();
    await g.waitGates(2);
    expect(g.batches[1]).toEqual([3, 1]); // 3 + 2 would be 5 rows > 4; 102 has another key
    g.gates[1]!();
    await g.waitGates(3);
    expect(g.batches[2]).toEqual([102, 101]);
    g.gates[2]!();
    await g.waitGates(4);
    expect(g.batches[3]).toEqual([2]);
    g.gates[3]!();
    await Promise.all([first, ...all]);
  });

  it('waits up to maxQueueDelayMs to fill a batch when requests are already queued', async () => {
    const g = gatedRun();
    const b = make({ run: g.run, maxQueueDelayMs: 10_000 });
    const first = b.submit(1, Infinity);
    await g.waitGates(1);
    const two = [b.submit(2, Infinity), b.submit(3, Infinity)];
    g.gates[0]!();
    await first;
    // the freed slot does not run a half-full batch at once: a later arrival still joins
    expect(g.batches.length).toBe(1);
    const more = [b.submit(4, Infinity), b.submit(5, Infinity)];
    await g.waitGates(2);
    expect(g.batches[1]).toEqual([2, 3, 4, 5]);
    g.gates[1]!();
    expect(await Promise.all([...two, ...more])).toEqual([20, 30, 40, 50]);
  });

  it('refuses requests beyond the queue bound with QUEUE_FULL', async () => {
    const g = gatedRun();
    const b = make({ run: g.run, maxQueue: 2 });
    const first = b.submit(1, Infinity);
    await g.waitGates(1);
    const ok = [b.submit(2, Infinity), b.submit(3, Infinity)];
    const err = await b.submit(4, Infinity).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('QUEUE_FULL');
    g.gates[0]!();
    await g.waitGates(2);
    g.gates[1]!();
    expect(await Promise.all([first, ...ok])).toEqual([10, 20, 30]);
  });

  it('expires a queued request at its deadline without disturbing the others', async () => {
    const g = gatedRun();
    const b = make({ run: g.run });
    const first = b.submit(1, Infinity);
    await g.waitGates(1);
    const late = b.submit(2, 20);
    const patient = b.submit(3, Infinity);
    const err = await late.catch((e: unknown) => e);
    expect((err as DomainError).code).toBe('DEADLINE_EXCEEDED');
    expect(b.queued).toBe(1);
    g.gates[0]!();
    await g.waitGates(2);
    expect(g.batches[1]).toEqual([3]);
    g.gates[1]!();
    expect(await Promise.all([first, patient])).toEqual([10, 30]);
    await b.drained();
    expect(b.inFlightBatches).toBe(0);
  });

  it('answers every item with the error when a whole batch throws', async () => {
    const b = make({ run: async () => Promise.reject(new Error('runtime down')) });
    await expect(b.submit(1, Infinity)).rejects.toThrow('runtime down');
  });
});
