// The trade journal: round trips built from executions by FIFO lot matching, persisted in SQLite.
// Executions are de-duplicated by id (snapshots after a reconnect repeat them).
//
// Analytics (issue 11 item 5):
// - MFE/MAE: every open lot keeps the highest and lowest last price seen while it is open (its
//   entry price, every quote of its instrument, its exit price). quote() is on the hot path (tens
//   of thousands of quotes a second): one Map lookup, a loop over the few open lots of that
//   instrument, two comparisons each, no allocation. The high and low are stored with the round
//   trip when it closes.
// - Honesty about gaps: the companion knows a lot's whole price path only when it saw the lot open
//   live and has received every event since. Lots rebuilt from stored executions at start-up, lots
//   opened by a fill first seen in a snapshot, and every lot open when a snapshot arrives (a
//   reconnect or a sequence gap: quotes may have been lost) are marked unwatched, and their round
//   trips store no high/low: MFE/MAE are null, never a guess.
// - Attribution: a round trip belongs to the MCP client whose order opened it (order name
//   `mcp:<12-hex tag>:<clientOrderId>`), and to the ATM strategy its executions name (`atm`, when
//   an add-on sends it).
import { z } from 'zod';
import { resolveInstrument } from '../ninjatrader/instruments.ts';
import type { Execution, Quote } from '../ninjatrader/protocol.ts';
import type { DB } from '../store/db.ts';
import { etParts, weekday } from '../market/calendar.ts';

export interface JournalTrade {
  id: number;
  account: string;
  instrument: string;
  side: 'Long' | 'Short';
  quantity: number;
  entryTime: string;
  entryPrice: number;
  exitTime: string;
  exitPrice: number;
  /** Dollars after commissions. */
  pnl: number;
  commission: number;
  durationSeconds: number;
  simulated: boolean;
  /** Highest / lowest last price while open; null when the companion did not watch the whole trade. */
  high: number | null;
  low: number | null;
  /** Maximum favourable / adverse excursion (both ≥ 0), in ticks and in dollars for the round trip's quantity. */
  mfeTicks: number | null;
  maeTicks: number | null;
  mfe: number | null;
  mae: number | null;
  /** The 12-hex tag of the MCP client whose order opened it; '' = not placed through MCP; null = recorded before attribution. */
  clientTag: string | null;
  /** The ATM strategy that managed it, when the add-on says so. */
  atm: string | null;
}

interface Lot {
  qty: number; // signed: + long, - short
  price: number;
  time: number;
  commissionPerContract: number;
  /** Highest and lowest last price seen while open (the entry price included). */
  high: number;
  low: number;
  /** False when part of the lot's open span went unwatched (see the file comment). */
  watched: boolean;
  clientTag: string;
  atm: string | null;
}

const BUYS = new Set(['Buy', 'BuyToCover']);
const WIRE_TAG = /^mcp:([0-9a-f]{12}):/;
const timeOf = (t: unknown) => (typeof t === 'number' ? t : Date.parse(String(t)));
const round2 = (n: number) => Math.round(n * 100) / 100;
const atmOf = (e: Execution): string | null => {
  const atm = (e as Execution & { atm?: unknown }).atm;
  return typeof atm === 'string' && atm.length > 0 ? atm.slice(0, 128) : null;
};

export class Journal {
  private readonly lots = new Map<string, Lot[]>();
  /** Per instrument, the lot lists of every account that has traded it: what a quote updates. */
  private readonly byInstrument = new Map<string, Lot[][]>();
  private readonly s;

  constructor(private readonly db: DB) {
    this.s = {
      insertExec: db.prepare('INSERT OR IGNORE INTO executions (execution_id, account, instrument, data, ts) VALUES (?, ?, ?, ?, ?)'),
      insertTrade: db.prepare(
        `INSERT INTO journal (account, instrument, side, quantity, entry_time, entry_price, exit_time, exit_price, pnl, commission, exit_execution_id, simulated, high, low, client_tag, atm)
         VALUES (@account, @instrument, @side, @quantity, @entry_time, @entry_price, @exit_time, @exit_price, @pnl, @commission, @exit_execution_id, @simulated, @high, @low, @client_tag, @atm)`,
      ),
    };
    // Rebuild open lots from the executions already recorded (no new journal rows). Their price
    // path before this start is unknown: they are unwatched.
    const rows = db.prepare('SELECT data FROM executions ORDER BY ts, rowid').all() as { data: string }[];
    for (const r of rows) this.apply(JSON.parse(r.data) as Execution, false, false, false);
  }

  /** Live execution events: records executions not seen before and books the round trips they close. */
  ingest(executions: readonly Execution[], simulated: boolean): void {
    this.record(executions, simulated, true);
  }

  /**
   * A snapshot (the link connected again, or events were lost): quotes may have been missed, so
   * every open lot's price path is now incomplete; fills first seen here were not watched either.
   */
  snapshot(executions: readonly Execution[], simulated: boolean): void {
    for (const lots of this.lots.values()) for (const lot of lots) lot.watched = false;
    this.record(executions, simulated, false);
  }

  /** A quote: widens the high/low of every open lot of its instrument. O(open lots), no allocation. */
  quote(q: Pick<Quote, 'instrument' | 'last'>): void {
    const books = this.byInstrument.get(q.instrument);
    if (books === undefined) return;
    const p = q.last;
    if (p === 0) return; // NT8 reports 0 before the first trade of a session
    for (let i = 0; i < books.length; i++) {
      const lots = books[i]!;
      for (let j = 0; j < lots.length; j++) {
        const lot = lots[j]!;
        if (p > lot.high) lot.high = p;
        if (p < lot.low) lot.low = p;
      }
    }
  }

  private record(executions: readonly Execution[], simulated: boolean, live: boolean): void {
    if (executions.length === 0) return;
    const sorted = [...executions].sort((a, b) => timeOf(a.time) - timeOf(b.time));
    this.db.transaction(() => {
      for (const e of sorted) {
        const fresh = this.s.insertExec.run(e.executionId, e.account, e.instrument, JSON.stringify(e), timeOf(e.time)).changes === 1;
        if (fresh) this.apply(e, true, simulated, live);
      }
    })();
  }

  private lotsOf(account: string, instrument: string): Lot[] {
    const key = `${account}\u0000${instrument}`;
    let lots = this.lots.get(key);
    if (lots === undefined) {
      lots = [];
      this.lots.set(key, lots);
      const books = this.byInstrument.get(instrument);
      if (books) books.push(lots);
      else this.byInstrument.set(instrument, [lots]);
    }
    return lots;
  }

  private apply(e: Execution, book: boolean, simulated: boolean, live: boolean): void {
    // A fill whose action NinjaTrader reported as something unknown: its side comes from its
    // marketPosition (Long = a buy fill), else it cannot be booked honestly and is left out.
    const side = e.action !== 'Unknown' ? e.action : e.marketPosition === 'Long' ? 'Buy' : e.marketPosition === 'Short' ? 'Sell' : null;
    if (side === null) return;
    const lots = this.lotsOf(e.account, e.instrument);
    const sign = BUYS.has(side) ? 1 : -1;
    let remaining = e.quantity;
    const perContract = e.quantity > 0 ? (e.commission ?? 0) / e.quantity : 0;
    const pointValue = resolveInstrument(e.instrument, new Date(timeOf(e.time)))?.spec.pointValue ?? 1;
    while (remaining > 0 && lots.length > 0 && Math.sign(lots[0]!.qty) === -sign) {
      const lot = lots[0]!;
      const matched = Math.min(remaining, Math.abs(lot.qty));
      // The exit fill is on the price path too.
      if (e.price > lot.high) lot.high = e.price;
      if (e.price < lot.low) lot.low = e.price;
      if (book) {
        const long = lot.qty > 0;
        const gross = (e.price - lot.price) * matched * pointValue * (long ? 1 : -1);
        const commission = (lot.commissionPerContract + perContract) * matched;
        this.s.insertTrade.run({
          account: e.account,
          instrument: e.instrument,
          side: long ? 'Long' : 'Short',
          quantity: matched,
          entry_time: lot.time,
          entry_price: lot.price,
          exit_time: timeOf(e.time),
          exit_price: e.price,
          pnl: round2(gross - commission),
          commission: round2(commission),
          exit_execution_id: e.executionId,
          simulated: simulated ? 1 : 0,
          high: lot.watched ? lot.high : null,
          low: lot.watched ? lot.low : null,
          client_tag: lot.clientTag,
          atm: lot.atm ?? atmOf(e),
        });
      }
      lot.qty += sign * matched;
      remaining -= matched;
      if (lot.qty === 0) lots.shift();
    }
    if (remaining > 0) {
      lots.push({
        qty: sign * remaining,
        price: e.price,
        time: timeOf(e.time),
        commissionPerContract: perContract,
        high: e.price,
        low: e.price,
        watched: live,
        clientTag: WIRE_TAG.exec(e.orderName ?? '')?.[1] ?? '',
        atm: atmOf(e),
      });
    }
  }

  list(accounts: string[], q: { limit: number; instrument?: string }): JournalTrade[] {
    if (accounts.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT * FROM journal WHERE account IN (${accounts.map(() => '?').join(',')}) ${q.instrument ? 'AND instrument = ?' : ''} ORDER BY id DESC LIMIT ?`,
      )
      .all(...accounts, ...(q.instrument ? [q.instrument] : []), q.limit) as {
      id: number; account: string; instrument: string; side: 'Long' | 'Short'; quantity: number; entry_time: number; entry_price: number;
      exit_time: number; exit_price: number; pnl: number; commission: number; simulated: number;
      high: number | null; low: number | null; client_tag: string | null; atm: string | null;
    }[];
    return rows.map((r) => {
      const spec = resolveInstrument(r.instrument, r.entry_time)?.spec;
      const known = r.high !== null && r.low !== null;
      const long = r.side === 'Long';
      const favourable = known ? (long ? r.high! - r.entry_price : r.entry_price - r.low!) : null;
      const adverse = known ? (long ? r.entry_price - r.low! : r.high! - r.entry_price) : null;
      const ticks = (d: number | null) => (d === null || !spec ? null : round2(Math.max(0, d) / spec.tickSize));
      const dollars = (d: number | null) => (d === null || !spec ? null : round2(Math.max(0, d) * spec.pointValue * r.quantity));
      return {
        id: r.id,
        account: r.account,
        instrument: r.instrument,
        side: r.side,
        quantity: r.quantity,
        entryTime: new Date(r.entry_time).toISOString(),
        entryPrice: r.entry_price,
        exitTime: new Date(r.exit_time).toISOString(),
        exitPrice: r.exit_price,
        pnl: r.pnl,
        commission: r.commission,
        durationSeconds: Math.round((r.exit_time - r.entry_time) / 1000),
        simulated: r.simulated === 1,
        high: r.high,
        low: r.low,
        mfeTicks: ticks(favourable),
        maeTicks: ticks(adverse),
        mfe: dollars(favourable),
        mae: dollars(adverse),
        clientTag: r.client_tag,
        atm: r.atm,
      };
    });
  }
}

// ───────────── analytics over a list of round trips ─────────────

export const JOURNAL_TIME_ZONE = 'America/New_York';
export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** The output schema of BucketStats (get_journal's outputSchema). */
export const BUCKET_STATS_SHAPE = {
  count: z.number().int(),
  wins: z.number().int(),
  losses: z.number().int(),
  winRate: z.number().min(0).max(1).describe('share of round trips with P&L > 0'),
  netPnl: z.number(),
  avgPnl: z.number(),
};

export interface BucketStats {
  count: number;
  wins: number;
  losses: number;
  /** Share of round trips with pnl > 0, 0..1. */
  winRate: number;
  netPnl: number;
  avgPnl: number;
}

export interface JournalSummary extends BucketStats {
  avgHoldingSeconds: number;
  /** Averages over the round trips whose MFE/MAE are known (mfeMaeKnown of them). */
  avgMfeTicks: number | null;
  avgMaeTicks: number | null;
  mfeMaeKnown: number;
}

export interface JournalAnalytics {
  summary: JournalSummary;
  byClient: (BucketStats & { client: string })[];
  byAtm: (BucketStats & { atm: string })[];
  byHour: (BucketStats & { hour: number })[];
  byDayOfWeek: (BucketStats & { day: (typeof WEEKDAY_NAMES)[number] })[];
}

/** Who opened a round trip, as one client may see it: itself, another client (never named), or no client. */
export function clientLabel(tag: string | null, viewerTag: string): string {
  if (tag === null) return 'unknown (recorded before attribution)';
  if (tag === '') return 'not placed through MCP';
  return tag === viewerTag ? 'you' : 'another MCP client';
}

/** The hour (0..23) and weekday of an instant in New York time. */
export function etHourAndDay(ms: number): { hour: number; day: (typeof WEEKDAY_NAMES)[number] } {
  const { day, minutes } = etParts(ms);
  return { hour: Math.floor(minutes / 60), day: WEEKDAY_NAMES[weekday(day)]! };
}

function stats(trades: readonly { pnl: number }[]): BucketStats {
  const count = trades.length;
  const wins = trades.filter((t) => t.pnl > 0).length;
  const losses = trades.filter((t) => t.pnl < 0).length;
  const netPnl = round2(trades.reduce((s, t) => s + t.pnl, 0));
  return { count, wins, losses, winRate: count ? Math.round((wins / count) * 1000) / 1000 : 0, netPnl, avgPnl: count ? round2(netPnl / count) : 0 };
}

function groupBy<T, K extends string | number>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = m.get(k);
    if (list) list.push(t);
    else m.set(k, [t]);
  }
  return m;
}

/**
 * Summaries of round trips: overall, per client (as `viewerTag`'s client may see them), per ATM
 * strategy ("none" when no ATM managed it), and by the New York hour and weekday of the entry.
 */
export function analyzeJournal(trades: readonly JournalTrade[], viewerTag: string): JournalAnalytics {
  const known = trades.filter((t) => t.mfeTicks !== null && t.maeTicks !== null);
  const avg = (xs: number[]) => (xs.length ? round2(xs.reduce((s, x) => s + x, 0) / xs.length) : null);
  const summary: JournalSummary = {
    ...stats(trades),
    avgHoldingSeconds: trades.length ? Math.round(trades.reduce((s, t) => s + t.durationSeconds, 0) / trades.length) : 0,
    avgMfeTicks: avg(known.map((t) => t.mfeTicks!)),
    avgMaeTicks: avg(known.map((t) => t.maeTicks!)),
    mfeMaeKnown: known.length,
  };
  const at = new Map(trades.map((t) => [t, etHourAndDay(Date.parse(t.entryTime))]));
  const byClient = [...groupBy(trades, (t) => clientLabel(t.clientTag, viewerTag))].map(([client, ts]) => ({ client, ...stats(ts) }));
  const byAtm = [...groupBy(trades, (t) => t.atm ?? 'none')].map(([atm, ts]) => ({ atm, ...stats(ts) }));
  const byHour = [...groupBy(trades, (t) => at.get(t)!.hour)].sort((a, b) => a[0] - b[0]).map(([hour, ts]) => ({ hour, ...stats(ts) }));
  const byDayOfWeek = [...groupBy(trades, (t) => WEEKDAY_NAMES.indexOf(at.get(t)!.day))]
    .sort((a, b) => a[0] - b[0])
    .map(([d, ts]) => ({ day: WEEKDAY_NAMES[d]!, ...stats(ts) }));
  return { summary, byClient, byAtm, byHour, byDayOfWeek };
}
