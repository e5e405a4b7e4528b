// The trade actions the guarded path knows, what they return, and the small facts about them that
// every part of src/trading shares (which actions add risk, a position as one signed number).
import type { BracketLeg, Order } from '../ninjatrader/protocol.ts';
import { bracketWords } from './brackets.ts';

export type Side = 'Buy' | 'Sell' | 'BuyToCover' | 'SellShort';

export type TradeAction =
  | {
      kind: 'place';
      account: string;
      instrument: string;
      action: Side;
      orderType: 'Market' | 'Limit' | 'StopMarket' | 'StopLimit' | 'MIT';
      quantity: number;
      limitPrice?: number;
      stopPrice?: number;
      timeInForce: 'Day' | 'Gtc';
      ocoId?: string;
      clientOrderId: string;
      /** A bracket submitted when the entry fills (src/trading/brackets.ts). */
      stopLoss?: BracketLeg;
      takeProfit?: BracketLeg;
      /** An NT8 ATM strategy template that manages the entry's exits. */
      atmTemplate?: string;
      /** Refused unless the account's position in the instrument is as stated. */
      requireMarketPosition?: 'Flat' | 'Long' | 'Short';
      /** The entry's expected price when checked (limit/stop, else the ask or bid then): for the prompt's bracket words. */
      reference?: number;
      /**
       * cancel_replace: this order is the replacement of the client's own working order `orderId`,
       * which is cancelled first; this one is sent only once NinjaTrader reports that Cancelled.
       * `was` describes the old order as it was when asked ("Buy 1 ES 12-26 LIMIT @ 5990.00").
       */
      replace?: { orderId: string; was: string };
    }
  | { kind: 'modify'; account: string; orderId: string; quantity?: number; limitPrice?: number; stopPrice?: number }
  | { kind: 'cancel'; account: string; orderId: string }
  | { kind: 'cancelAll'; account: string; instrument?: string }
  | { kind: 'flatten'; account: string; instrument?: string; /** A root flattens every month held: all of them, instrument first. */ instruments?: string[] }
  | { kind: 'flattenEverything'; accounts: string[] }
  | { kind: 'reverse'; account: string; instrument: string };

export type PlaceAction = Extract<TradeAction, { kind: 'place' }>;

export interface TradeResult {
  /** placed | cancelled | submitted | duplicate … human-readable status */
  status: string;
  orders: Order[];
  cancelled?: string[];
  clientOrderId?: string;
  duplicate?: boolean;
  simulated: boolean;
  message: string;
}

export interface TradingOptions {
  /** No decision within this time = not placed. */
  confirmationTimeoutMs: number;
  /** How long the add-on has to answer a trade request before the outcome is unknown. */
  addonTimeoutMs: number;
  /** While an action waits for the person, how often the caller hears that it is still waiting. */
  waitingNoticeMs: number;
}

export const DEFAULT_TRADING_OPTIONS: TradingOptions = {
  confirmationTimeoutMs: 120_000,
  addonTimeoutMs: 5_000,
  waitingNoticeMs: 5_000,
};

/** How the caller of execute() waits: its cancellation, and who hears that it is still waiting. */
export interface ExecuteWait {
  /** Aborted when the client cancels: a pending confirmation closes at once, nothing is sent. */
  signal: AbortSignal;
  /** Called when a confirmation opens and every waitingNoticeMs while it stays open. */
  onWaiting?: (w: { message: string; elapsedMs: number; totalMs: number }) => void;
}

/** Actions that can add risk: refused by the kill switch, counted against the limits and the rate. */
export const RISK_INCREASING: ReadonlySet<TradeAction['kind']> = new Set<TradeAction['kind']>(['place', 'modify', 'reverse']);

export const isBuy = (s: Side): boolean => s === 'Buy' || s === 'BuyToCover';

/** A position as one signed number: + long, − short, 0 flat or absent. */
export function signedQuantity(p: { marketPosition: string; quantity: number } | undefined): number {
  if (!p || p.marketPosition === 'Flat') return 0;
  return p.marketPosition === 'Long' ? p.quantity : -p.quantity;
}

/** Activity rows for the person only (they name clients and their clientOrderIds): never shown to a grant. */
export const DASHBOARD_ONLY = '*';

/** "Buy 2 ES 12-26 LIMIT @ 5000.00 DAY on Sim101". */
export function describe(a: TradeAction): string {
  const px = (n: number | undefined) => (n === undefined ? '' : n.toFixed(2));
  switch (a.kind) {
    case 'place': {
      const price =
        a.orderType === 'Limit' ? ` @ ${px(a.limitPrice)}` : a.orderType === 'StopMarket' ? ` stop ${px(a.stopPrice)}` : a.orderType === 'StopLimit' ? ` stop ${px(a.stopPrice)} limit ${px(a.limitPrice)}` : a.orderType === 'MIT' ? ` if touched ${px(a.stopPrice)}` : '';
      const order = `${a.action} ${a.quantity} ${a.instrument} ${a.orderType.toUpperCase()}${price} ${a.timeInForce.toUpperCase()}`;
      if (a.replace) return `Cancel order ${a.replace.orderId} (${a.replace.was}) on ${a.account} and replace it with ${order}${bracketWords(a)}`;
      return `${order} on ${a.account}${bracketWords(a)}`;
    }
    case 'modify':
      return `Change order ${a.orderId} on ${a.account}${a.quantity !== undefined ? ` qty ${a.quantity}` : ''}${a.limitPrice !== undefined ? ` limit ${px(a.limitPrice)}` : ''}${a.stopPrice !== undefined ? ` stop ${px(a.stopPrice)}` : ''}`;
    case 'cancel':
      return `Cancel order ${a.orderId} on ${a.account}`;
    case 'cancelAll':
      return `Cancel all working orders on ${a.account}${a.instrument ? ` for ${a.instrument}` : ''}`;
    case 'flatten':
      return `Flatten ${a.instruments && a.instruments.length > 1 ? a.instruments.join(' and ') : a.instrument ?? 'every position'} on ${a.account}`;
    case 'flattenEverything':
      return `Flatten everything on ${a.accounts.join(', ')}`;
    case 'reverse':
      return `Reverse the ${a.instrument} position on ${a.account}`;
  }
}

/** "Buy 1 ES 12-26 LIMIT @ 5990.00 (0 of 1 filled)": a working order as the replace prompt names it. */
export function describeOrder(o: Order): string {
  const px = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toFixed(2));
  const price =
    o.orderType === 'Limit' ? ` @ ${px(o.limitPrice)}` : o.orderType === 'StopMarket' ? ` stop ${px(o.stopPrice)}` : o.orderType === 'StopLimit' ? ` stop ${px(o.stopPrice)} limit ${px(o.limitPrice)}` : o.orderType === 'MIT' ? ` if touched ${px(o.stopPrice)}` : '';
  return `${o.action} ${o.quantity} ${o.instrument} ${o.orderType.toUpperCase()}${price}${o.filled ? `, ${o.filled} filled` : ''}`;
}

/** "Change order ORD-3 (Buy 2 ES 12-26 LIMIT) on Sim101: qty 2 → 3, limit 5900.00 → 5905.00". */
export function describeChange(a: Extract<TradeAction, { kind: 'modify' }>, o: Order): string {
  const px = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toFixed(2));
  const parts: string[] = [];
  if (a.quantity !== undefined) parts.push(`qty ${o.quantity} → ${a.quantity}${o.filled ? ` (${o.filled} filled)` : ''}`);
  if (a.limitPrice !== undefined) parts.push(`limit ${px(o.limitPrice)} → ${px(a.limitPrice)}`);
  if (a.stopPrice !== undefined) parts.push(`stop ${px(o.stopPrice)} → ${px(a.stopPrice)}`);
  return `Change order ${o.orderId} (${o.action} ${o.quantity} ${o.instrument} ${o.orderType.toUpperCase()}) on ${a.account}: ${parts.join(', ')}`;
}

/** An NT8 order as the person's dashboard shows it (the Trading view, the unknown-orders card). */
export interface OrderSummary {
  orderId: string;
  /** The order's NT8 name as NinjaTrader reports it ("" for many manual orders). */
  name: string;
  instrument: string;
  action: string;
  orderType: string;
  quantity: number;
  filled: number;
  limitPrice: number | null;
  stopPrice: number | null;
  state: string;
  time: string;
}

export function orderSummary(o: Order): OrderSummary {
  return { orderId: o.orderId, name: o.name, instrument: o.instrument, action: o.action, orderType: o.orderType, quantity: o.quantity, filled: o.filled, limitPrice: o.limitPrice, stopPrice: o.stopPrice, state: o.state, time: o.time };
}
