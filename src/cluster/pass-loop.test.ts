import { describe, expect, it } from 'vitest';
import { PassLoop } from './pass-loop.js';

describe('PassLoop', () => {
  it('runs one pass at a time, and one more after kicks that came during a pass', async () => {
    let inFlight = 0;
    let most = 0;
    let passes = 0;
    let release!: () => void;
    const loop = new PassLoop(
      async () => {
        passes++;
        inFlight++;
        most = Math.max(most, inFlight);
        if (passes === 1) await new Promise<void>((r) => (release = r));
        inFlight--;
      },
      { periodMs: 60_000, onError: () => undefined },
    );
    loop.start();
    for (let i = 0; i < 5; i++) loop.kick();
    release();
    await loop.settle();
    expect(most).toBe(1);
    // the first pass, one for the five kicks during it, one for settle()
    expect(passes).toBe(3);
    await loop.stop();
  });

  it('goes on after a pass that throws, and runs nothing once stopped', async () => {
    const errors: unknown[] = [];
    let passes = 0;
    const loop = new PassLoop(
      async () => {
        passes++;
        if (passes === 1) throw new Error('the store is down');
      },
      { periodMs: 60_000, onError: (e) => errors.push(e) },
    );
    loop.start();
    await loop.settle();
    expect([passes, (errors[0] as Error).message]).toEqual([2, 'the store is down']);
    await loop.stop();
    loop.kick();
    await loop.settle();
    expect(passes).toBe(2);
  });
});
