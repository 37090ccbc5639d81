/** A token bucket: `rate` calls per second, bursts up to one second's worth. */
import { performance } from 'node:perf_hooks';

export class RateBucket {
  private tokens: number;
  private last = performance.now();

  constructor(private rate: number) {
    this.tokens = rate;
  }

  setRate(rate: number): void {
    this.rate = rate;
    if (this.tokens > rate) this.tokens = rate;
  }

  /** Takes one token; false when the bucket is empty. */
  take(now: number = performance.now()): boolean {
    const t = this.tokens + ((now - this.last) * this.rate) / 1000;
    this.last = now;
    this.tokens = t > this.rate ? this.rate : t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
