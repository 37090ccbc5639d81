import { describe, expect, it } from 'vitest';
import { treeCpuSeconds, treeRssMiB } from './process-tree.js';

describe('process tree readings', () => {
  it("reads this process's resident memory and CPU time from /proc, and 0 for a pid that is gone", () => {
    const until = Date.now() + 50;
    while (Date.now() < until); // burn a little CPU
    expect(treeRssMiB(process.pid)).toBeGreaterThan(10);
    expect(treeCpuSeconds(process.pid)).toBeGreaterThan(0);
    expect(treeRssMiB(2 ** 22 + 7)).toBe(0);
  });
});
