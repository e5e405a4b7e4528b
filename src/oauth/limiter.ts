// A fixed-window counter. express-rate-limit keys on the client IP, which is 127.0.0.1 for every
// local client, so one in-process budget per key is both simpler and what we mean.
export class FixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly opts: { max: number; windowMs: number },
    private readonly now: () => number,
  ) {}
  /** Counts one use; returns 0 if allowed, else the milliseconds until the window resets. */
  take(key: string): number {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.opts.windowMs) {
      w = { start: t, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= this.opts.max) return w.start + this.opts.windowMs - t;
    w.count++;
    return 0;
  }
}
