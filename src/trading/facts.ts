// What an action would do, in numbers a trader checks before sending it: the quote, the position
// before and after, the notional, the risk to the stop. preview_order returns these, and the
// person's confirmation prompt shows the same ones (both built here, from the live mirror).
import { specOf, type InstrumentSpec } from '../ninjatrader/instruments.ts';
import type { AddonLink } from '../ninjatrader/link.ts';
import { actionSign, type Order, type Position } from '../ninjatrader/protocol.ts';
import { isBuy, signedQuantity, type TradeAction } from './types.ts';
import { bracketStop } from './brackets.ts';

export interface RiskToStop {
  /** The stop price the risk is measured to. */
  stopPrice: number;
  /** The price it is measured from (the position's average price for a protective stop). */
  fromPrice: number;
  /** Ticks from fromPrice to the stop against the position; negative = the stop locks in a profit. */
  ticks: number;
  /** ticks × tick value × contracts: dollars lost if the stop fills at its price (negative = profit kept). */
  dollars: number;
  contracts: number;
}

export interface TradeFacts {
  instrument: string | null;
  /** The side of the order(s) it sends: for a flatten, the side that closes the position. */
  side: string | null;
  /** Contracts it sends: for a flatten, the quantity of the position being closed. */
  quantity: number | null;
  bid: number | null;
  ask: number | null;
  /** When NinjaTrader sent that quote; null = no quote for this instrument. */
  quoteTime: string | null;
  /** Net position in this contract now: + long, − short (null when the action is not about one contract). */
  positionBefore: number | null;
  /** Net position once the action is done and fully filled. */
  positionAfter: number | null;
  /** quantity × price × point value, in dollars: the price is the limit (or stop) price, else the ask (buy) or bid (sell). */
  notional: number | null;
  /** The price notional uses, and why notional is null when it is. */
  notionalNote: string;
  /** Risk to a protective stop, or null (riskNote says why). */
  risk: RiskToStop | null;
  riskNote: string;
}

const cents = (n: number) => Math.round(n * 100) / 100;

/**
 * Ticks and dollars from `fromPrice` to `stopPrice` against a position on `positionSide` (+1 long,
 * −1 short) of `contracts`. Exported for brackets: a bracket's stopLoss is measured the same way
 * from the entry price.
 */
export function riskToStop(spec: InstrumentSpec, positionSide: number, fromPrice: number, stopPrice: number, contracts: number): RiskToStop {
  const ticks = Math.round((positionSide * (fromPrice - stopPrice)) / spec.tickSize);
  return { stopPrice, fromPrice, ticks, dollars: cents(ticks * spec.tickValue * contracts), contracts };
}

const NO_STOP = 'Not limited: no protective stop is attached to this order.';

/** The facts about `action` now. Never throws: missing data is null with a reason. */
export function tradeFacts(link: AddonLink, action: TradeAction): TradeFacts {
  const mirror = link.mirror;
  const empty: TradeFacts = { instrument: null, side: null, quantity: null, bid: null, ask: null, quoteTime: null, positionBefore: null, positionAfter: null, notional: null, notionalNote: 'Not one order in one instrument.', risk: null, riskNote: NO_STOP };
  const quoteOf = (instrument: string) => {
    const q = mirror.quote(instrument);
    return { bid: q?.bid ?? null, ask: q?.ask ?? null, quoteTime: q?.time ?? null };
  };
  /** One order of `qty` contracts on `sign` side (+1 buy) at `price` (null: at the market). */
  const order = (instrument: string, account: string, sign: number, qty: number, price: number | null, priceLabel: string | null, orderType: string | null, stop: number | null, before: number): TradeFacts => {
    const spec = specOf(instrument);
    const quote = quoteOf(instrument);
    const marketPx = sign > 0 ? quote.ask : quote.bid;
    const px = price ?? marketPx;
    let notionalNote: string;
    if (!spec) notionalNote = `The contract size of ${instrument} is not known to the companion.`;
    else if (px === null) notionalNote = `No quote for ${instrument} yet, so a market order's price is not known.`;
    else notionalNote = price !== null ? `At the ${priceLabel} price ${px}.` : `At the ${sign > 0 ? 'ask' : 'bid'} ${px} (a market order fills near it).`;
    const notional = spec && px !== null ? cents(qty * px * spec.pointValue) : null;
    let risk: RiskToStop | null = null;
    let riskNote = NO_STOP;
    if (stop !== null && (orderType === 'StopMarket' || orderType === 'StopLimit')) {
      const p = mirror.position(account, instrument);
      if (before !== 0 && Math.sign(before) === -sign && p && spec) {
        // A stop on the other side of a position protects it: its risk is measured from the entry.
        const contracts = Math.min(qty, Math.abs(before));
        risk = riskToStop(spec, Math.sign(before), p.averagePrice, stop, contracts);
        riskNote = `Protective stop for ${contracts} of the ${Math.abs(before)}-lot ${before > 0 ? 'long' : 'short'} (average ${p.averagePrice}).`;
      } else {
        riskNote = 'This stop order opens or adds to a position (an entry, not a protective stop): no stop limits its loss.';
      }
    }
    return { instrument, side: sign > 0 ? 'Buy' : 'Sell', quantity: qty, ...quote, positionBefore: before, positionAfter: before + sign * qty, notional, notionalNote, risk, riskNote };
  };
  /** Closing every position in `positions` (a flatten). */
  const closing = (positions: Position[]): TradeFacts => {
    const open = positions.filter((p) => p.marketPosition === 'Long' || p.marketPosition === 'Short');
    const sides = new Set(open.map((p) => (p.marketPosition === 'Long' ? 'Sell' : 'Buy')));
    const quantity = open.reduce((s, p) => s + p.quantity, 0);
    const one = open.length === 1 ? open[0]! : null;
    const quote = one ? quoteOf(one.instrument) : { bid: null, ask: null, quoteTime: null };
    let notional: number | null = 0;
    for (const p of open) {
      const spec = specOf(p.instrument);
      const q = mirror.quote(p.instrument);
      const px = p.marketPosition === 'Long' ? q?.bid : q?.ask;
      if (!spec || px === undefined) notional = null;
      else if (notional !== null) notional += p.quantity * px * spec.pointValue;
    }
    return {
      instrument: one ? one.instrument : null,
      side: sides.size === 1 ? [...sides][0]! : null,
      quantity,
      ...quote,
      positionBefore: one ? signedQuantity(one) : open.length === 0 ? 0 : null,
      positionAfter: one || open.length === 0 ? 0 : null,
      notional: notional === null ? null : cents(notional),
      notionalNote: open.length === 0 ? 'No open position to close.' : notional === null ? 'A position has no quote yet.' : `Closing ${open.map((p) => `${p.marketPosition === 'Long' ? 'long' : 'short'} ${p.quantity} ${p.instrument}`).join(', ')} at the market (bid to sell, ask to buy).`,
      risk: null,
      riskNote: 'Closes positions with market orders: it adds no risk.',
    };
  };
  const target = (account: string, orderId: string): Order | undefined => mirror.orderById(account, orderId);
  switch (action.kind) {
    case 'place': {
      const sign = isBuy(action.action) ? 1 : -1;
      const before = signedQuantity(mirror.position(action.account, action.instrument));
      const price = action.orderType === 'Limit' || action.orderType === 'StopLimit' ? (action.limitPrice ?? null) : action.orderType === 'StopMarket' ? (action.stopPrice ?? null) : null;
      const label = action.orderType === 'StopMarket' ? 'stop' : 'limit';
      const f = order(action.instrument, action.account, sign, action.quantity, price, label, action.orderType, action.stopPrice ?? null, before);
      // A bracket's stop loss limits the entry's loss: measured from the entry's expected price.
      const b = bracketStop(action);
      if (b) {
        const risk: RiskToStop = { stopPrice: b.price, fromPrice: b.from, ticks: b.ticks, dollars: cents(b.dollars), contracts: action.quantity };
        return { ...f, side: action.action, risk, riskNote: `Bracket stop loss ${b.ticks} ticks from the entry's expected price ${b.from}.` };
      }
      if (action.stopLoss) return { ...f, side: action.action, riskNote: 'Bracket stop loss: its price is set from the fill; the entry price is not known yet.' };
      return { ...f, side: action.action };
    }
    case 'modify': {
      const o = target(action.account, action.orderId);
      if (!o || o.action === 'Unknown') return { ...empty, notionalNote: `Order ${action.orderId} is not listed (or its side is unknown).` };
      const sign = actionSign(o.action);
      const qty = action.quantity ?? o.quantity;
      const limit = action.limitPrice ?? o.limitPrice;
      const stop = action.stopPrice ?? o.stopPrice;
      const price = o.orderType === 'Limit' || o.orderType === 'StopLimit' ? limit : o.orderType === 'StopMarket' ? stop : null;
      const before = signedQuantity(mirror.position(action.account, o.instrument));
      const f = order(o.instrument, action.account, sign, qty, price ?? null, o.orderType === 'StopMarket' ? 'stop' : 'limit', o.orderType, stop ?? null, before);
      // Only what is left to fill moves the position.
      return { ...f, side: o.action, positionAfter: before + sign * Math.max(0, qty - o.filled) };
    }
    case 'cancel': {
      const o = target(action.account, action.orderId);
      if (!o) return { ...empty, notionalNote: `Order ${action.orderId} is not listed.` };
      const before = signedQuantity(mirror.position(action.account, o.instrument));
      return { ...empty, instrument: o.instrument, side: o.action, quantity: Math.max(0, o.quantity - o.filled), ...quoteOf(o.instrument), positionBefore: before, positionAfter: before, notionalNote: 'A cancel sends no order.', riskNote: 'A cancel adds no risk.' };
    }
    case 'cancelAll':
      return { ...empty, notionalNote: 'A cancel sends no order.', riskNote: 'A cancel adds no risk.' };
    case 'flatten': {
      const all = mirror.positions(action.account);
      const names = action.instruments && action.instruments.length > 0 ? action.instruments : action.instrument ? [action.instrument] : null;
      return closing(names ? all.filter((p) => names.includes(p.instrument)) : all);
    }
    case 'flattenEverything':
      return closing(action.accounts.flatMap((a) => mirror.positions(a)));
    case 'reverse': {
      const p = mirror.position(action.account, action.instrument);
      const before = signedQuantity(p);
      if (before === 0) return { ...empty, instrument: action.instrument, ...quoteOf(action.instrument), positionBefore: 0, positionAfter: 0, notionalNote: 'No position to reverse.', riskNote: 'No position to reverse.' };
      const f = order(action.instrument, action.account, -Math.sign(before), 2 * Math.abs(before), null, null, 'Market', null, before);
      return { ...f, riskNote: 'A reversal is a market order of twice the position: no stop limits the new position\'s loss.' };
    }
  }
}
