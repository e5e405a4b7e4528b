// Deterministic market data for the simulator: one seeded random walk per instrument (prices on
// ticks, bid/ask one tick apart, last at the bid or the ask) and reproducible historical bars.
import type { Bar, Quote } from '../ninjatrader/protocol.ts';
import type { InstrumentSpec, Root } from '../ninjatrader/instruments.ts';
import { roundToTick } from '../ninjatrader/instruments.ts';

/** mulberry32: tiny, fast, good enough for a simulator, and reproducible from a 32-bit seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string mixed with a seed: independent streams per instrument and purpose. */
export function mixSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export const START_PRICES: Readonly<Record<Root, number>> = {
  ES: 6000, MES: 6000, NQ: 21000, MNQ: 21000, CL: 70, GC: 2600,
};

/** Ticks per random-walk step at most, per root (roughly proportional to volatility). */
const MAX_STEP_TICKS: Readonly<Record<Root, number>> = { ES: 2, MES: 2, NQ: 4, MNQ: 4, CL: 3, GC: 2 };

export class InstrumentMarket {
  /** The quote object is mutated in place on every step; emit copies when handing it out. */
  readonly quote: Quote;
  private readonly random: () => number;

  /** `startPrice`: where a new contract month starts (the price of the month it follows); default per root. */
  constructor(readonly contract: string, readonly spec: InstrumentSpec, seed: number, nowMs: number, startPrice?: number) {
    this.random = rng(mixSeed(seed, `quotes:${contract}`));
    const start = roundToTick(startPrice ?? START_PRICES[spec.root], spec.tickSize);
    this.quote = {
      instrument: contract,
      bid: start,
      ask: roundToTick(start + spec.tickSize, spec.tickSize),
      last: start,
      volume: 0,
      time: new Date(nowMs).toISOString(),
    };
  }

  /** One random-walk step. */
  step(nowMs: number): void {
    const max = MAX_STEP_TICKS[this.spec.root];
    const r = this.random();
    // 40% unchanged, 30% up, 30% down by 1..max ticks.
    let ticks = 0;
    if (r >= 0.4) {
      const size = 1 + Math.floor(this.random() * max);
      ticks = r < 0.7 ? size : -size;
    }
    const tick = this.spec.tickSize;
    const bid = roundToTick(Math.max(tick, this.quote.bid + ticks * tick), tick);
    this.quote.bid = bid;
    this.quote.ask = roundToTick(bid + tick, tick);
    this.quote.last = ticks > 0 ? this.quote.ask : this.quote.bid;
    this.quote.volume += 1 + Math.floor(this.random() * 5);
    this.quote.time = new Date(nowMs).toISOString();
  }

  /** Tests move the market: last = bid = price, ask = price + 1 tick (unless given). */
  set(price: number, nowMs: number, opts: { bid?: number; ask?: number } = {}): void {
    const tick = this.spec.tickSize;
    const last = roundToTick(price, tick);
    this.quote.last = last;
    this.quote.bid = roundToTick(opts.bid ?? last, tick);
    this.quote.ask = roundToTick(opts.ask ?? last + tick, tick);
    this.quote.volume += 1;
    this.quote.time = new Date(nowMs).toISOString();
  }

  /**
   * `count` bars ending with the bar that contains `nowMs`; the last close is the current last.
   * Reproducible: the walk is seeded by (seed, root, period, end time) and runs backwards from
   * the current price, so the same seed, time and price give the same bars.
   */
  bars(seed: number, period: 'minute' | 'day', count: number, nowMs: number): Bar[] {
    const tick = this.spec.tickSize;
    const periodMs = period === 'minute' ? 60_000 : 86_400_000;
    const end = Math.floor(nowMs / periodMs) * periodMs;
    const random = rng(mixSeed(seed, `bars:${this.spec.root}:${period}:${end}`));
    const stepTicks = MAX_STEP_TICKS[this.spec.root] * (period === 'minute' ? 4 : 40);
    const out: Bar[] = new Array(count);
    let close = this.quote.last;
    let t = end;
    for (let i = count - 1; i >= 0; i--) {
      if (period === 'day') {
        // Skip weekends for daily bars.
        while ([0, 6].includes(new Date(t).getUTCDay())) t -= periodMs;
      }
      const move = Math.round((random() * 2 - 1) * stepTicks) * tick;
      const open = roundToTick(Math.max(tick, close - move), tick);
      const high = roundToTick(Math.max(open, close) + Math.floor(random() * stepTicks / 2) * tick, tick);
      const low = roundToTick(Math.max(tick, Math.min(open, close) - Math.floor(random() * stepTicks / 2) * tick), tick);
      const volume = Math.floor(random() * (period === 'minute' ? 2000 : 1_500_000)) + 1;
      out[i] = { time: new Date(t).toISOString(), open, high, low, close, volume };
      close = open;
      t -= periodMs;
    }
    return out;
  }
}
