// Per-account session high-water marks (P&L, net liquidation, unrealized P&L), reset at the
// session start (18:00 America/New_York of the previous trading day, src/market/calendar.ts: a
// weekend or holiday belongs to the last session); they feed trailing-drawdown and daily-loss rules.
import type { Mirror } from '../ninjatrader/mirror.ts';
import type { DB } from '../store/db.ts';
import { sessionOf } from '../market/calendar.ts';

const sessionStart = (ms: number) => sessionOf(ms).start;

export interface Watermark {
  account: string;
  sessionStart: string;
  pnl: number;
  pnlHigh: number;
  netLiquidation: number;
  netLiquidationHigh: number;
  unrealized: number;
  unrealizedHigh: number;
  positions: number;
  /** The account's risk rules and the room they leave (src/trading/risk-rules.ts), when any are set. */
  risk?: unknown;
}

/** One account's P&L against its session, as the risk rules read it (src/trading/risk-rules.ts). */
export interface SessionPnl {
  sessionStart: number;
  /** Realized since the session start plus unrealized, in the account's currency. */
  pnl: number;
  netLiquidation: number;
  /** The session's net-liquidation high so far (at least the current value). */
  netLiquidationHigh: number;
}

interface Row {
  sessionStart: number;
  realizedAtStart: number;
  pnlHigh: number;
  netliqHigh: number;
  unrealHigh: number;
  dirty: boolean;
}

export class Watermarks {
  private readonly rows = new Map<string, Row>();
  private readonly s;
  private lastFlush = 0;
  /** Adds the risk rules' view to each watermark (set by src/trading/risk-rules.ts). */
  private enrich: ((account: string) => unknown) | null = null;

  constructor(
    db: DB,
    private readonly now: () => number,
  ) {
    this.s = {
      get: db.prepare('SELECT * FROM watermarks WHERE account = ? AND session_start = ?'),
      upsert: db.prepare(
        `INSERT INTO watermarks (account, session_start, realized_at_start, pnl_high, netliq_high, unreal_high)
         VALUES (@account, @session_start, @realized_at_start, @pnl_high, @netliq_high, @unreal_high)
         ON CONFLICT(account, session_start) DO UPDATE SET pnl_high = excluded.pnl_high, netliq_high = excluded.netliq_high, unreal_high = excluded.unreal_high`,
      ),
    };
  }

  /** Folds the mirror's current account values into the highs. Cheap; persists at most once a second. */
  update(mirror: Mirror): void {
    const t = this.now();
    const session = sessionStart(t);
    for (const a of mirror.accounts()) this.observe(a.name, session, a.items.realizedPnL, a.items.unrealizedPnL, a.items.netLiquidation);
    if (t - this.lastFlush >= 1000) this.flush();
  }

  private observe(account: string, session: number, realized: number, unrealized: number, netliq: number): Row {
    let row = this.rows.get(account);
    if (!row || row.sessionStart !== session) {
      const saved = this.s.get.get(account, session) as
        | { realized_at_start: number; pnl_high: number; netliq_high: number; unreal_high: number }
        | undefined;
      row = saved
        ? { sessionStart: session, realizedAtStart: saved.realized_at_start, pnlHigh: saved.pnl_high, netliqHigh: saved.netliq_high, unrealHigh: saved.unreal_high, dirty: false }
        : { sessionStart: session, realizedAtStart: realized, pnlHigh: -Infinity, netliqHigh: -Infinity, unrealHigh: -Infinity, dirty: true };
      this.rows.set(account, row);
    }
    const pnl = realized - row.realizedAtStart + unrealized;
    if (pnl > row.pnlHigh) (row.pnlHigh = pnl), (row.dirty = true);
    if (netliq > row.netliqHigh) (row.netliqHigh = netliq), (row.dirty = true);
    if (unrealized > row.unrealHigh) (row.unrealHigh = unrealized), (row.dirty = true);
    return row;
  }

  /** Set by the risk rules: get() then carries each account's rules and room left. */
  describeRiskWith(fn: (account: string) => unknown): void {
    this.enrich = fn;
  }

  /** The account's session P&L and net-liquidation high now (folding the current values in), or null when the link does not report it. */
  current(mirror: Mirror, account: string): SessionPnl | null {
    const a = mirror.account(account);
    if (!a) return null;
    const session = sessionStart(this.now());
    const row = this.observe(account, session, a.items.realizedPnL, a.items.unrealizedPnL, a.items.netLiquidation);
    return {
      sessionStart: session,
      pnl: a.items.realizedPnL - row.realizedAtStart + a.items.unrealizedPnL,
      netLiquidation: a.items.netLiquidation,
      netLiquidationHigh: row.netliqHigh,
    };
  }

  flush(): void {
    this.lastFlush = this.now();
    for (const [account, r] of this.rows) {
      if (!r.dirty) continue;
      this.s.upsert.run({ account, session_start: r.sessionStart, realized_at_start: r.realizedAtStart, pnl_high: r.pnlHigh, netliq_high: r.netliqHigh, unreal_high: r.unrealHigh });
      r.dirty = false;
    }
  }

  get(mirror: Mirror, accounts: string[]): Watermark[] {
    const session = sessionStart(this.now());
    const out: Watermark[] = [];
    for (const name of accounts) {
      const a = mirror.account(name);
      if (!a) continue;
      const row = this.observe(name, session, a.items.realizedPnL, a.items.unrealizedPnL, a.items.netLiquidation);
      const r2 = (n: number) => Math.round(n * 100) / 100;
      out.push({
        account: name,
        sessionStart: new Date(session).toISOString(),
        pnl: r2(a.items.realizedPnL - row.realizedAtStart + a.items.unrealizedPnL),
        pnlHigh: r2(row.pnlHigh),
        netLiquidation: r2(a.items.netLiquidation),
        netLiquidationHigh: r2(row.netliqHigh),
        unrealized: r2(a.items.unrealizedPnL),
        unrealizedHigh: r2(row.unrealHigh),
        positions: mirror.positions(name).filter((p) => p.marketPosition !== 'Flat').length,
      });
      const risk = this.enrich?.(name);
      if (risk) out[out.length - 1]!.risk = risk;
    }
    this.flush();
    return out;
  }
}
