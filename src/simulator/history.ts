// Historical bars for the simulator, as NT8's BarsRequest returns them (protocol 1.1 getBars):
// periods tick, second, minute, range and day, `value` units per bar, the last `count` bars or the
// bars between `from` and `to`, cut by a trading-hours template.
//
// Where the prices come from: one deterministic price path per root, a function of time alone
// (a sum of seeded value-noise octaves from 1 s to about two years, scaled like a random walk:
// the move over h seconds has a standard deviation of about VOLATILITY × √h), anchored so that
// the path meets the live quote's last price at the last instant the market traded. So the same
// seed gives the same bars at any period, bars at different periods agree (a day bar's open and
// close are its first and last minute bars' open and close), and any time in the past costs the
// same to compute. Bars exist only where the market traded: inside a template session AND while
// the simulator's market was open (the CME calendar, or around the clock with --sim-hours 24x7),
// never after now. No bars while closed.
//
// How NT8 draws them, and what the simulator does:
// - Time bars (second, minute; value units each) are aligned to the template session's start and
//   the last bar of a session is cut at the session end. A bar is stamped with its END time, as NT8
//   stamps bars (the developing bar too). A bar that spans the daily break only holds the traded
//   part; one with no traded instant does not exist.
// - Day bars: one per template session (value must be 1), stamped with the session's trade date
//   at 00:00 UTC.
// - Tick bars: the simulated feed trades every TRADE_MS during open hours, so `value` ticks span
//   value × TRADE_MS; a tick bar is stamped with the time of its last trade. Volume: each trade is
//   1..4 contracts.
// - Range bars: walk the path at RANGE_STEP_MS from each session's start; a bar closes when the price
//   leaves its `value`-tick range (high − low = value ticks exactly) and the next opens one tick
//   beyond, as NT8 does; a gap makes the bars in between. One request walks at most RANGE_SESSIONS
//   sessions (a count request then returns fewer bars; a longer from/to span is refused).
// - `count`: the last `count` bars (fewer when history runs out). `from`/`to`: every bar whose
//   stamp lies in [from, to] (to defaults to now, the developing bar included); more than
//   MAX_BARS is refused with a sentence saying to narrow the range, not cut silently.
// Trading-hours templates (NT8's names; matched ignoring case and spacing): TEMPLATES below. The
// RTH times are the simulator's reading of NT8's templates (index futures 08:30–15:15 CT, NYMEX
// 08:00–13:30 CT), shortened by the calendar's early closes.
import type { Bar, BarPeriod } from '../ninjatrader/protocol.ts';
import type { InstrumentSpec, Root } from '../ninjatrader/instruments.ts';
import { roundToTick } from '../ninjatrader/instruments.ts';
import { dayOf, etInstant, etParts, GROUP_OF, isOpen, isoDay, sessionOf, type MarketHours } from '../market/calendar.ts';
import { mixSeed } from './market.ts';

/** A request the simulator cannot serve as asked: the engine answers invalid_request with the message. */
export class BarsError extends Error {}

export const MAX_BARS = 5000;
/** The simulated feed's trade rhythm: one trade every 250 ms while the market is open. */
export const TRADE_MS = 250;
export const RANGE_STEP_MS = 1000;
export const RANGE_SESSIONS = 30;
/** Sessions walked back at most for a count request (5000 day bars need about 7000 calendar days). */
const MAX_SESSIONS = 8000;

/** Relative volatility per √second, per root (ES ≈ 0.9 % a day). */
const VOLATILITY: Readonly<Record<Root, number>> = { ES: 3e-5, MES: 3e-5, NQ: 4e-5, MNQ: 4e-5, CL: 6e-5, GC: 3.5e-5 };
/** Contracts per second while open, for bar volumes. */
const VOLUME_RATE: Readonly<Record<Root, number>> = { ES: 18, MES: 12, NQ: 6, MNQ: 10, CL: 4, GC: 2 };

// ---------------------------------------------------------------- trading-hours templates

export interface TemplateSession {
  start: number;
  end: number;
  /** Trade date, "2026-11-02". */
  date: string;
  /** New York civil day number of `date`. */
  day: number;
}

export interface HoursTemplate {
  name: string;
  /** The latest session that starts at or before `t`. */
  onOrBefore(t: number): TemplateSession;
  prev(s: TemplateSession): TemplateSession;
}

/** Extended hours: the CME Globex sessions of the calendar (src/market/calendar.ts). */
function eth(name: string, calendarRoot: Root): HoursTemplate {
  const at = (t: number): TemplateSession => {
    const s = sessionOf(t, calendarRoot);
    return { start: s.start, end: s.end, date: s.date, day: dayOf(s.date) };
  };
  return { name, onOrBefore: at, prev: (s) => at(s.start - 1) };
}

/** Regular hours: `open`–`close` ET on each date that has a Globex session, cut by its early close. */
function rth(name: string, calendarRoot: Root, open: string, close: string): HoursTemplate {
  const on = (d: number): TemplateSession | null => {
    const start = etInstant(d, open);
    const globex = sessionOf(start, calendarRoot);
    if (globex.date !== isoDay(d)) return null; // no session that date (weekend, holiday)
    const end = Math.min(etInstant(d, close), globex.end);
    return end > start ? { start, end, date: isoDay(d), day: d } : null;
  };
  const back = (from: number, t: number): TemplateSession => {
    for (let d = from; d > from - 40; d--) {
      const s = on(d);
      if (s && s.start <= t) return s;
    }
    throw new BarsError(`The ${name} template has no session in the 40 days before ${isoDay(from)}.`);
  };
  return { name, onOrBefore: (t) => back(etParts(t).day, t), prev: (s) => back(s.day - 1, Infinity) };
}

/** NT8's "Default 24 x 7": one session per New York calendar day, midnight to midnight. */
function allWeek(name: string): HoursTemplate {
  const on = (d: number): TemplateSession => ({ start: etInstant(d, '00:00'), end: etInstant(d + 1, '00:00'), date: isoDay(d), day: d });
  return { name, onOrBefore: (t) => on(etParts(t).day), prev: (s) => on(s.day - 1) };
}

const TEMPLATES: readonly HoursTemplate[] = [
  eth('CME US Index Futures ETH', 'ES'),
  rth('CME US Index Futures RTH', 'ES', '09:30', '16:15'),
  eth('Nymex Metals - Energy ETH', 'CL'),
  rth('Nymex Metals - Energy RTH', 'CL', '09:00', '14:30'),
  allWeek('Default 24 x 7'),
];
export const TRADING_HOURS_TEMPLATES: readonly string[] = TEMPLATES.map((t) => t.name);

const norm = (s: string) => s.trim().toLowerCase().replace(/\s*[/-]\s*/g, ' - ').replace(/\s+/g, ' ');

/** The instrument's own template, as NT8's instrument settings assign it. */
export function defaultTemplate(root: Root): string {
  return GROUP_OF[root] === 'equity' ? 'CME US Index Futures ETH' : 'Nymex Metals - Energy ETH';
}

/** A template by NT8 name (or "ETH"/"RTH": the instrument's own), else BarsError naming the known ones. */
export function findTemplate(name: string | undefined, root: Root): HoursTemplate {
  let wanted = name ?? defaultTemplate(root);
  if (/^\s*(eth|rth)\s*$/i.test(wanted)) wanted = defaultTemplate(root).replace(/ETH$/, wanted.trim().toUpperCase());
  const t = TEMPLATES.find((x) => norm(x.name) === norm(wanted));
  if (!t) {
    throw new BarsError(`Unknown trading hours template '${name}'. The simulator knows: ${TRADING_HOURS_TEMPLATES.join(', ')} (or ETH / RTH for the instrument's own).`);
  }
  return t;
}

// ---------------------------------------------------------------- the price path

const OCTAVES = 14; // 1 s × 4^k, k = 0..13: up to about two years
const SCALES = Array.from({ length: OCTAVES }, (_, k) => 4 ** k);
const AMPLITUDES = SCALES.map((s) => Math.sqrt(s));

/** A seeded value in [-√3, √3] (unit variance) for lattice point `i` of octave `k`. */
function lattice(seed: number, k: number, i: number): number {
  let h = (seed ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (i >>> 0), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h ^ Math.floor(i / 4294967296), 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x27d4eb2d);
  h ^= h >>> 15;
  return ((h >>> 0) / 4294967295 * 2 - 1) * Math.SQRT2 * 1.2247448713915890; // × √3
}

/** A uniform [0, 1) value for a (label, instant) pair: bar volumes. */
function unit(seed: number, label: number, t: number): number {
  return (lattice(seed ^ label, 31, Math.floor(t)) / (Math.SQRT2 * 1.2247448713915890) + 1) / 2 * 0.999999;
}

/**
 * Deterministic random-walk-like path in units of √seconds. Keeps each octave's last lattice pair:
 * walking forward (range bars) mostly re-reads the slow octaves, so most calls hash two or three.
 */
class Walk {
  private readonly cacheI = new Float64Array(OCTAVES).fill(NaN);
  private readonly cacheA = new Float64Array(OCTAVES);
  private readonly cacheB = new Float64Array(OCTAVES);

  constructor(private readonly seed: number) {}

  at(tMs: number): number {
    const x = tMs / 1000;
    let sum = 0;
    for (let k = 0; k < OCTAVES; k++) {
      const u = x / SCALES[k]!;
      const i = Math.floor(u);
      if (this.cacheI[k] !== i) {
        this.cacheI[k] = i;
        this.cacheA[k] = lattice(this.seed, k, i);
        this.cacheB[k] = lattice(this.seed, k, i + 1);
      }
      const a = this.cacheA[k]!;
      sum += AMPLITUDES[k]! * (a + (this.cacheB[k]! - a) * (u - i));
    }
    return sum / 1.6; // the octaves' sum moves about 1.6 √h over h seconds; normalise to √h
  }
}

export interface HistoryContext {
  seed: number;
  spec: InstrumentSpec;
  /** The simulator's market hours: bars exist only where it traded. */
  hours: MarketHours;
  now: number;
  /** The live last price: the path meets it at the last instant the market traded. */
  last: number;
}

export interface BarsQuery {
  period: BarPeriod;
  value: number;
  count?: number;
  from?: number;
  to?: number;
}

class Path {
  readonly seed: number;
  private readonly sigma: number;
  private readonly walk: Walk;
  private readonly w0: number;
  readonly tick: number;

  constructor(private readonly ctx: HistoryContext, anchor: number) {
    this.seed = mixSeed(ctx.seed, `history:${ctx.spec.root}`);
    this.walk = new Walk(this.seed);
    // Scaled by a fixed reference price (not the current one) so the path is the same at any level.
    this.sigma = VOLATILITY[ctx.spec.root] * (ctx.spec.root === 'CL' ? 70 : ctx.spec.root === 'GC' ? 2600 : ctx.spec.root.endsWith('NQ') ? 21000 : 6000);
    this.w0 = this.walk.at(anchor);
    this.tick = ctx.spec.tickSize;
  }

  price(t: number): number {
    const p = this.ctx.last + this.sigma * (this.walk.at(t) - this.w0);
    return roundToTick(Math.max(this.tick, p), this.tick);
  }

  /** OHLC of the path over [first, last]: open and close at the ends, high/low over 8 points. */
  ohlc(first: number, last: number): { open: number; high: number; low: number; close: number } {
    const open = this.price(first);
    const close = this.price(last);
    let high = Math.max(open, close);
    let low = Math.min(open, close);
    for (let i = 1; i < 7; i++) {
      const p = this.price(first + ((last - first) * i) / 7);
      if (p > high) high = p;
      if (p < low) low = p;
    }
    return { open, high, low, close };
  }
}

/** The instants the simulator's market traded within [a, b), as disjoint sorted spans. */
function tradedSpans(root: Root, hours: MarketHours, a: number, b: number): [number, number][] {
  if (b <= a) return [];
  if (hours === '24x7') return [[a, b]];
  const out: [number, number][] = [];
  let t = a;
  while (t < b) {
    const s = sessionOf(t, root);
    if (t < s.end) out.push([t, Math.min(b, s.end)]);
    t = s.nextStart;
  }
  return out;
}

/** The last instant at or before `now` at which the market traded: where the path meets the live last. */
function anchorOf(root: Root, hours: MarketHours, now: number): number {
  if (hours === '24x7' || isOpen(root, now)) return now;
  return Math.min(now, sessionOf(now, root).end);
}

/** One session's time/tick/day bars, newest first, stamped no later than `to`. */
function* slotBars(ctx: HistoryContext, path: Path, s: TemplateSession, q: BarsQuery, to: number): Generator<Bar> {
  const root = ctx.spec.root;
  const spans = tradedSpans(root, ctx.hours, s.start, Math.min(s.end, ctx.now));
  if (spans.length === 0) return;
  const P = q.period === 'day' ? s.end - s.start : q.period === 'tick' ? q.value * TRADE_MS : q.value * (q.period === 'second' ? 1000 : 60_000);
  const code = q.period.charCodeAt(0) * 7919 + q.value;
  let k = Math.ceil((spans[spans.length - 1]![1] - s.start) / P) - 1;
  k = Math.min(k, Math.floor((to - s.start) / P)); // later slots end after `to`
  const kMin = Math.floor((spans[0]![0] - s.start) / P);
  for (; k >= kMin; k--) {
    const a = s.start + k * P;
    const b = Math.min(a + P, s.end);
    let first = Infinity;
    let last = -Infinity;
    for (const [x, y] of spans) {
      if (y <= a || x >= b) continue;
      first = Math.min(first, Math.max(x, a));
      last = Math.max(last, Math.min(y, b));
    }
    if (first >= last) continue; // nothing traded in this slot
    let time: number;
    let volume: number;
    if (q.period === 'day') {
      time = Date.parse(`${s.date}T00:00:00.000Z`);
      volume = Math.max(1, Math.round(VOLUME_RATE[root] * ((last - first) / 1000) * (0.5 + unit(path.seed, code, a / 1000))));
    } else if (q.period === 'tick') {
      const trades = Math.max(1, Math.ceil((last - first) / TRADE_MS));
      time = first + (trades - 1) * TRADE_MS;
      volume = trades + Math.floor(unit(path.seed, code, a / TRADE_MS) * trades * 3);
    } else {
      time = b;
      const u = unit(path.seed, code, a / 1000);
      volume = Math.max(1, Math.round(VOLUME_RATE[root] * ((last - first) / 1000) * (0.5 + u)));
    }
    if (time > to) continue;
    yield { time: new Date(time).toISOString(), ...path.ohlc(first, last), volume };
  }
}

/** One session's range bars, oldest first (all of them: range bars build forward from the session start). */
function rangeBars(ctx: HistoryContext, path: Path, s: TemplateSession, value: number): { bar: Bar; t: number }[] {
  const spans = tradedSpans(ctx.spec.root, ctx.hours, s.start, Math.min(s.end, ctx.now));
  const tick = path.tick;
  const out: { bar: Bar; t: number }[] = [];
  type Open = { o: number; h: number; l: number; c: number; t: number; steps: number };
  let bar: Open | null = null;
  const close = (b: Open) => {
    const u = unit(path.seed, 0x52414e47 + value, b.t / 1000);
    const volume = Math.max(1, Math.round(VOLUME_RATE[ctx.spec.root] * b.steps * (RANGE_STEP_MS / 1000) * (0.5 + u)));
    const px = (n: number) => roundToTick(n * tick, tick);
    out.push({ bar: { time: new Date(b.t).toISOString(), open: px(b.o), high: px(b.h), low: px(b.l), close: px(b.c), volume }, t: b.t });
  };
  for (const [x, y] of spans) {
    for (let t = x; ; t = Math.min(t + RANGE_STEP_MS, y)) {
      const p = Math.round(path.price(t) / tick);
      if (!bar) bar = { o: p, h: p, l: p, c: p, t, steps: 1 };
      else {
        while (p > bar.l + value || p < bar.h - value) {
          // The price left the range: the bar closes at its edge, the next opens one tick beyond.
          const up = p > bar.l + value;
          if (up) bar.h = bar.c = bar.l + value;
          else bar.l = bar.c = bar.h - value;
          bar.t = t;
          close(bar);
          const o: number = up ? bar.c + 1 : bar.c - 1;
          bar = { o, h: o, l: o, c: o, t, steps: 0 };
        }
        bar.h = Math.max(bar.h, p);
        bar.l = Math.min(bar.l, p);
        bar.c = p;
        bar.t = t;
        bar.steps += 1;
      }
      if (t >= y) break;
    }
  }
  if (bar) close(bar); // the developing bar (or the session's last)
  return out;
}

/**
 * The bars a getBars request asks for, oldest first. Throws BarsError for requests that cannot be
 * served as asked (the engine answers invalid_request with its sentence).
 */
export function historicalBars(ctx: HistoryContext, template: HoursTemplate, q: BarsQuery): Bar[] {
  if (q.period === 'day' && q.value !== 1) {
    throw new BarsError(`Day bars come one per session in the simulator: value must be 1 (got ${q.value}).`);
  }
  const fromMode = q.from !== undefined;
  if (fromMode && q.to !== undefined && q.to < q.from!) {
    throw new BarsError(`from (${new Date(q.from!).toISOString()}) is after to (${new Date(q.to).toISOString()}).`);
  }
  const path = new Path(ctx, anchorOf(ctx.spec.root, ctx.hours, ctx.now));
  const to = q.to ?? Infinity;
  const from = q.from ?? -Infinity;
  const want = q.count ?? MAX_BARS + 1;
  const newestFirst: Bar[] = [];
  const label = q.period === 'range' ? `${q.value}-tick range` : q.period === 'tick' ? `${q.value}-tick` : q.value === 1 ? q.period : `${q.value}-${q.period}`;
  const tooMany = () =>
    new BarsError(`More than ${MAX_BARS} ${label} bars lie between ${new Date(from).toISOString()} and ${q.to === undefined ? 'now' : new Date(to).toISOString()}; narrow the range or use a longer period.`);
  if (from > ctx.now) return [];
  let s = template.onOrBefore(Math.min(to, ctx.now));
  const maxSessions = q.period === 'range' ? RANGE_SESSIONS : MAX_SESSIONS;
  let reachedFrom = !fromMode;
  for (let n = 0; n < maxSessions; n++, s = template.prev(s)) {
    // Every bar of a session is stamped at or before its end (a day bar: its date, 00:00 UTC).
    if (s.end < from) {
      reachedFrom = true;
      break;
    }
    if (q.period === 'range') {
      const bars = rangeBars(ctx, path, s, q.value);
      for (let i = bars.length - 1; i >= 0; i--) {
        const { bar, t } = bars[i]!;
        if (t > to) continue;
        if (t < from) break;
        newestFirst.push(bar);
        if (newestFirst.length >= want) break;
      }
    } else {
      for (const bar of slotBars(ctx, path, s, q, to)) {
        if (Date.parse(bar.time) < from) break;
        newestFirst.push(bar);
        if (newestFirst.length >= want) break;
      }
    }
    if (newestFirst.length >= want) {
      if (fromMode) throw tooMany();
      reachedFrom = true;
      break;
    }
  }
  if (!reachedFrom && q.period === 'range') {
    throw new BarsError(`A range-bar request covers at most ${RANGE_SESSIONS} sessions in the simulator; ${new Date(from).toISOString()} is further back than that from ${q.to === undefined ? 'now' : new Date(to).toISOString()}. Ask for a shorter span.`);
  }
  return newestFirst.reverse();
}
