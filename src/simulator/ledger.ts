// Simulator money: accounts, positions, realized and unrealized P&L, commissions. All in dollars,
// rounded to cents.
//   unrealized = (last − averagePrice) × signedQuantity × pointValue
//   realized (on the closing part of a fill) = (fillPrice − averagePrice) × closedQty × pointValue × sign(position)
//   grossRealizedPnL = Σ realized; realizedPnL = gross − commissions; commission = Σ commissions
//   sodCashValue = the cash at the session start; cashValue = sodCashValue + realizedPnL
//   totalCashBalance = cashValue (a futures account holds no other currency or cash movements)
//   netLiquidation = cashValue + unrealized
//   initial / maintenance / intraday margin = Σ |contracts held| × the root's rate (MARGINS)
//   excess…Margin = netLiquidation − that margin; buyingPower = excessIntradayMargin
//   (what is left for day trading; equal to netLiquidation while flat)
// Realized P&L and commissions are per session, as NT8 shows them: resetSession() (at each
// 18:00 ET session start) folds them into the cash carried forward and starts them from zero.
// Accounts are USD (every simulated contract is a USD CME contract) and are never converted.
import type { Account, Position } from '../ninjatrader/protocol.ts';
import type { Root } from '../ninjatrader/instruments.ts';

/** Commission per contract per fill (each side): $2.50 for full-size contracts, $0.62 for micros. */
export const COMMISSION_PER_CONTRACT: Readonly<Record<Root, number>> = {
  ES: 2.5, NQ: 2.5, CL: 2.5, GC: 2.5, MES: 0.62, MNQ: 0.62,
};

/** Round to cents; never returns -0 (it would survive JSON as 0 and confuse comparisons). */
export function cents(x: number): number {
  // Half away from zero, symmetric for losses and gains; the epsilon absorbs binary noise (x.xx5).
  const r = (Math.sign(x) * Math.round(Math.abs(x) * 100 + 1e-7)) / 100;
  return r === 0 ? 0 : r;
}

/**
 * Margin per contract held, in dollars: the simulator's own schedule, round figures of the order of
 * CME's 2026 exchange margins (initial 110 % of maintenance) and a typical broker's day-trade
 * (intraday) margin. Not live exchange margins; no margin is charged for working orders.
 */
export const MARGINS: Readonly<Record<Root, { initial: number; maintenance: number; intraday: number }>> = {
  ES: { initial: 24_200, maintenance: 22_000, intraday: 1_000 },
  MES: { initial: 2_420, maintenance: 2_200, intraday: 100 },
  NQ: { initial: 35_200, maintenance: 32_000, intraday: 1_000 },
  MNQ: { initial: 3_520, maintenance: 3_200, intraday: 100 },
  CL: { initial: 6_600, maintenance: 6_000, intraday: 1_000 },
  GC: { initial: 11_000, maintenance: 10_000, intraday: 1_000 },
};

export interface PositionState {
  account: string;
  instrument: string;
  root: Root;
  pointValue: number;
  /** Signed: > 0 long, < 0 short. */
  qty: number;
  avg: number;
}

export interface AccountState {
  account: Account;
  /** Cash at the start of the current session. */
  startingCash: number;
  grossRealized: number;
  commissions: number;
  /** instrument → position (flat positions are removed) */
  positions: Map<string, PositionState>;
}

/** The one connection every simulated account belongs to, as NT8 names its simulated feed. */
export const SIM_CONNECTION = 'Simulated Data Feed';

export function newAccount(name: string, startingCash: number, displayName = name): AccountState {
  const acct: AccountState = {
    account: {
      name,
      displayName,
      connection: SIM_CONNECTION,
      connectionStatus: 'Connected',
      priceStatus: 'Connected',
      provider: 'Simulator',
      simulated: true,
      currency: 'USD',
      items: { cashValue: startingCash, buyingPower: startingCash, netLiquidation: startingCash, realizedPnL: 0, unrealizedPnL: 0 },
    },
    startingCash,
    grossRealized: 0,
    commissions: 0,
    positions: new Map(),
  };
  revalue(acct, () => 0);
  return acct;
}

export interface FillOutcome {
  realized: number;
  isEntry: boolean;
  isExit: boolean;
  position: PositionState;
}

/** Apply a fill of `signedQty` at `price` to the account's position in `instrument`. */
export function applyFill(
  acct: AccountState,
  root: Root,
  instrument: string,
  pointValue: number,
  signedQty: number,
  price: number,
  commission: number,
): FillOutcome {
  let pos = acct.positions.get(instrument);
  if (!pos) {
    pos = { account: acct.account.name, instrument, root, pointValue, qty: 0, avg: 0 };
    acct.positions.set(instrument, pos);
  }
  let realized = 0;
  let isEntry = false;
  let isExit = false;
  const n = Math.abs(signedQty);
  if (pos.qty === 0 || Math.sign(pos.qty) === Math.sign(signedQty)) {
    const held = Math.abs(pos.qty);
    pos.avg = precise((pos.avg * held + price * n) / (held + n));
    pos.qty += signedQty;
    isEntry = true;
  } else {
    const closed = Math.min(Math.abs(pos.qty), n);
    realized = cents((price - pos.avg) * closed * pointValue * Math.sign(pos.qty));
    isExit = true;
    pos.qty += signedQty;
    if (pos.qty === 0) pos.avg = 0;
    else if (n > closed) {
      pos.avg = price; // flipped: the remainder opened a new position at the fill price
      isEntry = true;
    }
  }
  acct.grossRealized = cents(acct.grossRealized + realized);
  acct.commissions = cents(acct.commissions + commission);
  if (pos.qty === 0) acct.positions.delete(instrument);
  return { realized, isEntry, isExit, position: pos };
}

/** A new session: realized P&L restarts at zero; the cash value carries the running total. */
export function resetSession(acct: AccountState): void {
  acct.startingCash = cents(acct.startingCash + acct.grossRealized - acct.commissions);
  acct.grossRealized = 0;
  acct.commissions = 0;
}

export function unrealizedOf(pos: PositionState, last: number): number {
  return pos.qty === 0 ? 0 : cents((last - pos.avg) * pos.qty * pos.pointValue);
}

/** Recompute the account items from its positions and the last prices. */
export function revalue(acct: AccountState, lastOf: (instrument: string) => number): void {
  let unrealized = 0;
  let initial = 0;
  let maintenance = 0;
  let intraday = 0;
  for (const pos of acct.positions.values()) {
    unrealized += unrealizedOf(pos, lastOf(pos.instrument));
    const held = Math.abs(pos.qty);
    initial += held * MARGINS[pos.root].initial;
    maintenance += held * MARGINS[pos.root].maintenance;
    intraday += held * MARGINS[pos.root].intraday;
  }
  const items = acct.account.items;
  items.grossRealizedPnL = acct.grossRealized;
  items.commission = acct.commissions;
  items.realizedPnL = cents(acct.grossRealized - acct.commissions);
  items.sodCashValue = acct.startingCash;
  items.cashValue = cents(acct.startingCash + items.realizedPnL);
  items.totalCashBalance = items.cashValue;
  items.unrealizedPnL = cents(unrealized);
  items.netLiquidation = cents(items.cashValue + items.unrealizedPnL);
  items.initialMargin = initial;
  items.maintenanceMargin = maintenance;
  items.intradayMargin = intraday;
  items.excessInitialMargin = cents(items.netLiquidation - initial);
  items.excessMaintenanceMargin = cents(items.netLiquidation - maintenance);
  items.excessIntradayMargin = cents(items.netLiquidation - intraday);
  items.buyingPower = items.excessIntradayMargin;
}

export function positionEntity(pos: PositionState, last: number): Position {
  return {
    account: pos.account,
    instrument: pos.instrument,
    marketPosition: pos.qty > 0 ? 'Long' : pos.qty < 0 ? 'Short' : 'Flat',
    quantity: Math.abs(pos.qty),
    averagePrice: pos.qty === 0 ? 0 : pos.avg,
    unrealizedPnL: unrealizedOf(pos, last),
  };
}

export function accountEntity(acct: AccountState): Account {
  return { ...acct.account, items: { ...acct.account.items } };
}

function precise(x: number): number {
  return Number(x.toFixed(10));
}
