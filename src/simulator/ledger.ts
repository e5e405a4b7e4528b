// Simulator money: accounts, positions, realized and unrealized P&L, commissions. All in dollars,
// rounded to cents.
//   unrealized = (last − averagePrice) × signedQuantity × pointValue
//   realized (on the closing part of a fill) = (fillPrice − averagePrice) × closedQty × pointValue × sign(position)
//   grossRealizedPnL = Σ realized; realizedPnL = gross − commissions
//   cashValue = startingCash + realizedPnL; netLiquidation = cashValue + unrealized
//   buyingPower = netLiquidation (the simulator models no margin)
// Realized P&L and commissions are per session, as NT8 shows them: resetSession() (at each
// 18:00 ET session start) folds them into the cash carried forward and starts them from zero.
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

export interface PositionState {
  account: string;
  instrument: string;
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

export function newAccount(name: string, startingCash: number): AccountState {
  return {
    account: {
      name,
      connection: 'Simulated Data Feed',
      connectionStatus: 'Connected',
      provider: 'Simulator',
      simulated: true,
      currency: 'USD',
      items: {
        cashValue: startingCash,
        buyingPower: startingCash,
        netLiquidation: startingCash,
        realizedPnL: 0,
        unrealizedPnL: 0,
        grossRealizedPnL: 0,
      },
    },
    startingCash,
    grossRealized: 0,
    commissions: 0,
    positions: new Map(),
  };
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
  instrument: string,
  pointValue: number,
  signedQty: number,
  price: number,
  commission: number,
): FillOutcome {
  let pos = acct.positions.get(instrument);
  if (!pos) {
    pos = { account: acct.account.name, instrument, pointValue, qty: 0, avg: 0 };
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
  for (const pos of acct.positions.values()) unrealized += unrealizedOf(pos, lastOf(pos.instrument));
  const items = acct.account.items;
  items.grossRealizedPnL = acct.grossRealized;
  items.realizedPnL = cents(acct.grossRealized - acct.commissions);
  items.cashValue = cents(acct.startingCash + items.realizedPnL);
  items.unrealizedPnL = cents(unrealized);
  items.netLiquidation = cents(items.cashValue + items.unrealizedPnL);
  items.buyingPower = items.netLiquidation;
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
