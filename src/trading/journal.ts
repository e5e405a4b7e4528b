// The trade journal: round trips built from executions by FIFO lot matching, persisted in SQLite.
// Executions are de-duplicated by id (snapshots after a reconnect repeat them).
import { resolveInstrument } from '../ninjatrader/instruments.ts';
import type { Execution } from '../ninjatrader/protocol.ts';
import type { DB } from '../store/db.ts';

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
}

interface Lot {
  qty: number; // signed: + long, - short
  price: number;
  time: number;
  commissionPerContract: number;
}

const BUYS = new Set(['Buy', 'BuyToCover']);
const timeOf = (t: unknown) => (typeof t === 'number' ? t : Date.parse(String(t)));
const round2 = (n: number) => Math.round(n * 100) / 100;

export class Journal {
  private readonly lots = new Map<string, Lot[]>();
  private readonly s;

  constructor(private readonly db: DB) {
    this.s = {
      insertExec: db.prepare('INSERT OR IGNORE INTO executions (execution_id, account, instrument, data, ts) VALUES (?, ?, ?, ?, ?)'),
      insertTrade: db.prepare(
        `INSERT INTO journal (account, instrument, side, quantity, entry_time, entry_price, exit_time, exit_price, pnl, commission, exit_execution_id, simulated)
         VALUES (@account, @instrument, @side, @quantity, @entry_time, @entry_price, @exit_time, @exit_price, @pnl, @commission, @exit_execution_id, @simulated)`,
      ),
    };
    // Rebuild open lots from the executions already recorded (no new journal rows).
    const rows = db.prepare('SELECT data FROM executions ORDER BY ts, rowid').all() as { data: string }[];
    for (const r of rows) this.apply(JSON.parse(r.data) as Execution, false, false);
  }

  /** Records executions not seen before and books the round trips they close. */
  ingest(executions: readonly Execution[], simulated: boolean): void {
    if (executions.length === 0) return;
    const sorted = [...executions].sort((a, b) => timeOf(a.time) - timeOf(b.time));
    this.db.transaction(() => {
      for (const e of sorted) {
        const fresh = this.s.insertExec.run(e.executionId, e.account, e.instrument, JSON.stringify(e), timeOf(e.time)).changes === 1;
        if (fresh) this.apply(e, true, simulated);
      }
    })();
  }

  private apply(e: Execution, book: boolean, simulated: boolean): void {
    const key = `${e.account}\u0000${e.instrument}`;
    const lots = this.lots.get(key) ?? [];
    this.lots.set(key, lots);
    // A fill whose action NinjaTrader reported as something unknown: its side comes from its
    // marketPosition (Long = a buy fill), else it cannot be booked honestly and is left out.
    const side = e.action !== 'Unknown' ? e.action : e.marketPosition === 'Long' ? 'Buy' : e.marketPosition === 'Short' ? 'Sell' : null;
    if (side === null) return;
    const sign = BUYS.has(side) ? 1 : -1;
    let remaining = e.quantity;
    const perContract = e.quantity > 0 ? (e.commission ?? 0) / e.quantity : 0;
    const pointValue = resolveInstrument(e.instrument, new Date(timeOf(e.time)))?.spec.pointValue ?? 1;
    while (remaining > 0 && lots.length > 0 && Math.sign(lots[0]!.qty) === -sign) {
      const lot = lots[0]!;
      const matched = Math.min(remaining, Math.abs(lot.qty));
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
        });
      }
      lot.qty += sign * matched;
      remaining -= matched;
      if (lot.qty === 0) lots.shift();
    }
    if (remaining > 0) lots.push({ qty: sign * remaining, price: e.price, time: timeOf(e.time), commissionPerContract: perContract });
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
    }[];
    return rows.map((r) => ({
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
    }));
  }
}
