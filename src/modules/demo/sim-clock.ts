// A simulated clock for the demo seed. Each partner's story is an async process that says when its next
// action happens (`await clock.at(t)`); the clock runs one action at a time, always the earliest one waiting,
// with the platform clock pinned to that moment. So the partners' stories interleave as they would have over
// the past weeks, and every timestamp (audit `at`, stage history, task due times) is in order with the audit
// sequence. Within an action the pinned time flows with the real time, so two writes never share an instant.
import { nowMs, setClockForTests } from '../../platform/time.ts';

interface Waiting {
  t: number;
  n: number;
  resolve: () => void;
}

export class SimClock {
  private heap: Waiting[] = [];
  private running = false;
  private started = false;
  private failure: unknown = null;
  private counter = 0;
  private last = Number.NEGATIVE_INFINITY;

  /** Pins the platform clock to `t` (flowing with real time from there). */
  pin(t: number): void {
    const realStart = Date.now();
    const at = Math.max(t, this.last + 1);
    this.last = at;
    setClockForTests(() => at + (Date.now() - realStart));
  }

  /** The pinned "now". */
  now(): number {
    return nowMs();
  }

  /** Waits until every earlier action of every process has run, then pins the clock to `t` and continues. */
  at(t: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.push({ t, n: this.counter++, resolve });
      this.running = false;
      this.pump();
    });
  }

  /** Runs `story` as one process; it must call `at()` before its first write. */
  async process(firstAt: number, story: () => Promise<void>): Promise<void> {
    await this.at(firstAt);
    try {
      await story();
    } catch (err) {
      // Stop everything: the other processes stay parked and are dropped with the clock.
      this.failure ??= err;
      throw err;
    }
    this.running = false;
    this.pump();
  }

  /** Lets the processes run (after all of them are waiting for their first moment). */
  start(): void {
    this.started = true;
    this.pump();
  }

  private pump(): void {
    if (!this.started || this.running || this.failure !== null) return;
    const next = this.pop();
    if (!next) return;
    this.running = true;
    this.last = Math.max(this.last, nowMs());
    this.pin(next.t);
    next.resolve();
  }

  private push(e: Waiting): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i] as Waiting, h[p] as Waiting)) break;
      [h[i], h[p]] = [h[p] as Waiting, h[i] as Waiting];
      i = p;
    }
  }

  private pop(): Waiting | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const end = h.pop() as Waiting;
    if (h.length > 0) {
      h[0] = end;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l] as Waiting, h[m] as Waiting)) m = l;
        if (r < h.length && this.less(h[r] as Waiting, h[m] as Waiting)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as Waiting, h[i] as Waiting];
        i = m;
      }
    }
    return top;
  }

  private less(a: Waiting, b: Waiting): boolean {
    return a.t < b.t || (a.t === b.t && a.n < b.n);
  }
}
