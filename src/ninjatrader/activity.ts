// Human one-liners for the activity log and the tools, from NinjaTrader's entities. Every received
// enum value is shown honestly: a value this companion does not know reads
// `Unknown (NinjaTrader said "…")`, never a guess.
import type { Execution, Order } from './protocol.ts';
import { honest } from './protocol.ts';
import { formatPrice, specOf } from './instruments.ts';

export function px(instrument: string, price: number): string {
  const spec = specOf(instrument);
  return spec ? formatPrice(price, spec) : String(price);
}

/**
 * Money in the account's currency: "$1,234.50", "€1,234.50", "-£12.00"; a currency that is not an
 * ISO 4217 code (NT8 names some currencies itself) reads "1,234.50 MexicanPeso".
 */
export function money(amount: number, currency: string | undefined): string {
  const code = currency ?? 'USD';
  if (/^[A-Z]{3}$/.test(code)) {
    try {
      return new Intl.NumberFormat('en-US', { style: 'currency', currency: code, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount);
    } catch {
      /* not a currency Intl knows: fall through */
    }
  }
  return `${new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount)} ${code}`;
}

/** " 5000.00", " stop 5000.00", " stop 5000.00 limit 4999.75", " trigger 5000.00" (MIT): the prices an order type carries. */
export function orderPrices(o: Pick<Order, 'orderType' | 'instrument' | 'limitPrice' | 'stopPrice'>): string {
  const p = (x: number | null) => (x === null ? '?' : px(o.instrument, x));
  switch (o.orderType) {
    case 'Limit': return o.limitPrice === null ? '' : ` ${p(o.limitPrice)}`;
    case 'StopMarket': return o.stopPrice === null ? '' : ` stop ${p(o.stopPrice)}`;
    case 'StopLimit': return ` stop ${p(o.stopPrice)} limit ${p(o.limitPrice)}`;
    // NT8 carries an MIT order's trigger in its stop price.
    case 'MIT': return o.stopPrice === null ? '' : ` trigger ${p(o.stopPrice)}`;
    default: {
      // Market, or a type this companion does not know: show whatever prices NinjaTrader gave.
      const parts = [o.stopPrice !== null ? `stop ${p(o.stopPrice)}` : '', o.limitPrice !== null ? `limit ${p(o.limitPrice)}` : ''].filter(Boolean);
      return parts.length ? ` ${parts.join(' ')}` : '';
    }
  }
}

/** "Gtc", "Gtd until 2026-12-01T00:00:00Z", "Unknown (NinjaTrader said "Fok")" */
export function timeInForceWords(o: Pick<Order, 'timeInForce' | 'gtdDate' | 'unknownValues'>): string {
  const tif = honest(o.timeInForce, o, 'timeInForce');
  return o.timeInForce === 'Gtd' ? `${tif} until ${o.gtdDate ?? '(no date reported)'}` : tif;
}

/** "Order ORD-3 Buy 1 ES 12-26 Limit 5000.00 Working (Sim101)" */
export function describeOrder(o: Order): string {
  const fill = o.state === 'Filled' ? ` @ ${px(o.instrument, o.averageFillPrice)}` : '';
  const err = o.error ? `: ${o.error}` : '';
  const tif = o.timeInForce === 'Day' || o.timeInForce === 'Gtc' ? '' : ` ${timeInForceWords(o)}`;
  return `Order ${o.orderId} ${honest(o.action, o, 'action')} ${o.quantity} ${o.instrument} ${honest(o.orderType, o, 'orderType')}${orderPrices(o)}${tif} ${honest(o.state, o, 'state')}${fill}${err} (${o.account})`;
}

/** "order ORD-1", or for a fill NinjaTrader reports without an order: "no order (ATM or manual fill)". */
export function executionOrder(e: Pick<Execution, 'orderId' | 'orderName'>): string {
  if (e.orderId === null) return e.orderName ? `no order id, order name "${e.orderName}"` : 'no order (ATM or manual fill)';
  return `order ${e.orderId}`;
}

/** "Execution EXE-1 Buy 1 ES 12-26 @ 6000.25, commission $2.50 (order ORD-1, Sim101)" */
export function describeExecution(e: Execution, currency?: string): string {
  return `Execution ${e.executionId} ${honest(e.action, e, 'action')} ${e.quantity} ${e.instrument} @ ${px(e.instrument, e.price)}, commission ${money(e.commission, currency)} (${executionOrder(e)}, ${e.account})`;
}
