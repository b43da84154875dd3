// A per-IP token bucket for the click path /c/{code}. In memory and per instance (behind a load balancer each
// instance limits on its own). Each IP has a bucket of `burst` tokens refilled at `ratePerSecond`; a click
// takes one token, and an empty bucket refuses. Defaults are generous because many real visitors share one
// address behind carrier-grade NAT: the limit is meant to stop a single source flooding the click table, not
// to judge traffic quality (bot and duplicate marks do that).
//
// Cost on the hot path: one Map lookup and a few float operations; the only allocation is the bucket of an IP
// seen for the first time. The map is bounded: past `maxEntries`, buckets that have refilled completely (the
// same as absent) are dropped, then the oldest until a quarter of the room is free again, so a sweep happens
// at most once per maxEntries/4 new addresses.

interface Bucket {
  tokens: number;
  at: number; // ms of the last refill
}

export class ClickRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly fullAfterMs: number;
  /** Requests refused since start (for tests and diagnostics). */
  refused = 0;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly maxEntries = 100_000,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('rate must be > 0 and burst >= 1');
    this.perMs = ratePerSecond / 1000;
    this.fullAfterMs = burst / this.perMs;
  }

  /** Takes a token for `key` at `now` (ms). 0 = allowed; otherwise the whole seconds to wait (Retry-After, ≥ 1). */
  take(key: string, now: number): number {
    const b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.maxEntries) this.sweep(now);
      this.buckets.set(key, { tokens: this.burst - 1, at: now });
      return 0;
    }
    const elapsed = now - b.at;
    if (elapsed > 0) {
      const t = b.tokens + elapsed * this.perMs;
      b.tokens = Math.min(t, this.burst);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    this.refused++;
    return Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerSecond));
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    const target = this.maxEntries - (this.maxEntries >> 2);
    for (const [k, b] of this.buckets) {
      if (now - b.at >= this.fullAfterMs) this.buckets.delete(k);
    }
    if (this.buckets.size <= target) return;
    let drop = this.buckets.size - target;
    for (const k of this.buckets.keys()) {
      this.buckets.delete(k);
      if (--drop === 0) break;
    }
  }
}

/** The limiter for a configured rate (per second per IP) and burst; null when the rate is 0 (no limit). */
export function clickRateLimiter(ratePerSecond: number, burst: number): ClickRateLimiter | null {
  return ratePerSecond > 0 ? new ClickRateLimiter(ratePerSecond, Math.max(1, burst)) : null;
}
