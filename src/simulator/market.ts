// Deterministic live market data for the simulator: one seeded random walk per instrument (prices on
// ticks, bid/ask one tick apart, last at the bid or the ask), the displayed size at the bid and the
// ask (from its own seeded stream, so sizes never change the price walk), and the session's values
// NT8's MarketData carries: daily high, low and volume since the session start, and the settlement
// (the last price of the previous session). Historical bars: history.ts.
import type { Quote } from '../ninjatrader/protocol.ts';
import type { InstrumentSpec, Root } from '../ninjatrader/instruments.ts';
import { roundToTick } from '../ninjatrader/instruments.ts';
import { sessionOf } from '../market/calendar.ts';

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

/**
 * Displayed size range (contracts) at the bid and at the ask, per root. Never below 10, so an
 * order of up to 10 contracts always fills whole; a larger limit order fills in parts.
 */
export const DISPLAYED_SIZE: Readonly<Record<Root, { min: number; max: number }>> = {
  ES: { min: 10, max: 120 }, MES: { min: 10, max: 60 }, NQ: { min: 10, max: 40 },
  MNQ: { min: 10, max: 40 }, CL: { min: 10, max: 40 }, GC: { min: 10, max: 30 },
};

/** A quote with every 1.1 field present (the simulator always knows them). */
export type FullQuote = Quote & { bidSize: number; askSize: number; dailyHigh: number; dailyLow: number; dailyVolume: number; settlement: number };

export class InstrumentMarket {
  /** The quote object is mutated in place on every step; emit copies when handing it out. */
  readonly quote: FullQuote;
  /**
   * Contracts still displayed at the bid / ask for the current quote: limit fills take from it, a
   * new quote restores it (the book refills). Market orders fill whole (they sweep the book).
   */
  bidLeft: number;
  askLeft: number;
  private readonly random: () => number;
  private readonly sizes: () => number;
  /** The start of the next session: the session values roll when time reaches it. */
  private sessionNext: number;

  /** `startPrice`: where a new contract month starts (the price of the month it follows); default per root. */
  constructor(readonly contract: string, readonly spec: InstrumentSpec, seed: number, nowMs: number, startPrice?: number) {
    this.random = rng(mixSeed(seed, `quotes:${contract}`));
    this.sizes = rng(mixSeed(seed, `sizes:${contract}`));
    const start = roundToTick(startPrice ?? START_PRICES[spec.root], spec.tickSize);
    this.sessionNext = sessionOf(nowMs, spec.root).nextStart;
    const bidSize = this.drawSize();
    const askSize = this.drawSize();
    this.quote = {
      instrument: contract,
      bid: start,
      ask: roundToTick(start + spec.tickSize, spec.tickSize),
      last: start,
      volume: 0,
      time: new Date(nowMs).toISOString(),
      bidSize,
      askSize,
      // The simulator starts where the previous session settled.
      dailyHigh: start,
      dailyLow: start,
      dailyVolume: 0,
      settlement: start,
    };
    this.bidLeft = bidSize;
    this.askLeft = askSize;
  }

  private drawSize(): number {
    const { min, max } = DISPLAYED_SIZE[this.spec.root];
    return min + Math.floor(this.sizes() * (max - min + 1));
  }

  /**
   * Session bookkeeping (NT8 resets MarketData's daily values at the session start): once `nowMs`
   * is past the session, the settlement becomes the last price, daily high/low start again from it
   * and the daily volume from zero. Returns true when it rolled.
   */
  rollSession(nowMs: number): boolean {
    if (nowMs < this.sessionNext) return false;
    this.sessionNext = sessionOf(nowMs, this.spec.root).nextStart;
    this.quote.settlement = this.quote.last;
    this.quote.dailyHigh = this.quote.last;
    this.quote.dailyLow = this.quote.last;
    this.quote.dailyVolume = 0;
    return true;
  }

  private traded(size: number, nowMs: number): void {
    const q = this.quote;
    q.volume += size;
    q.dailyVolume += size;
    q.dailyHigh = Math.max(q.dailyHigh, q.last);
    q.dailyLow = Math.min(q.dailyLow, q.last);
    q.time = new Date(nowMs).toISOString();
    this.bidLeft = q.bidSize;
    this.askLeft = q.askSize;
  }

  /** One random-walk step. */
  step(nowMs: number): void {
    this.rollSession(nowMs);
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
    const traded = 1 + Math.floor(this.random() * 5);
    this.quote.bidSize = this.drawSize();
    this.quote.askSize = this.drawSize();
    this.traded(traded, nowMs);
  }

  /**
   * Tests move the market: last = bid = price, ask = price + 1 tick (unless given); the displayed
   * sizes stay unless given.
   */
  set(price: number, nowMs: number, opts: { bid?: number; ask?: number; bidSize?: number; askSize?: number } = {}): void {
    this.rollSession(nowMs);
    const tick = this.spec.tickSize;
    const last = roundToTick(price, tick);
    this.quote.last = last;
    this.quote.bid = roundToTick(opts.bid ?? last, tick);
    this.quote.ask = roundToTick(opts.ask ?? last + tick, tick);
    if (opts.bidSize !== undefined) this.quote.bidSize = opts.bidSize;
    if (opts.askSize !== undefined) this.quote.askSize = opts.askSize;
    this.traded(1, nowMs);
  }
}
