// Human one-liners for the activity log, from domain events.
import type { Execution, Order } from './protocol.ts';
import { formatPrice, specOf } from './instruments.ts';

function px(instrument: string, price: number): string {
  const spec = specOf(instrument);
  return spec ? formatPrice(price, spec) : String(price);
}

/** "Order ORD-3 Buy 1 ES 12-26 Limit 5000.00 Working (Sim101)" */
export function describeOrder(o: Order): string {
  let prices = '';
  if (o.orderType === 'Limit' && o.limitPrice !== null) prices = ` ${px(o.instrument, o.limitPrice)}`;
  else if (o.orderType === 'StopMarket' && o.stopPrice !== null) prices = ` ${px(o.instrument, o.stopPrice)}`;
  else if (o.orderType === 'StopLimit' && o.stopPrice !== null && o.limitPrice !== null) {
    prices = ` ${px(o.instrument, o.stopPrice)}/${px(o.instrument, o.limitPrice)}`;
  }
  const fill = o.state === 'Filled' ? ` @ ${px(o.instrument, o.averageFillPrice)}` : '';
  const err = o.error ? `: ${o.error}` : '';
  return `Order ${o.orderId} ${o.action} ${o.quantity} ${o.instrument} ${o.orderType}${prices} ${o.state}${fill}${err} (${o.account})`;
}

/** "Execution EXE-1 Buy 1 ES 12-26 @ 6000.25, commission $2.50 (ORD-1, Sim101)" */
export function describeExecution(e: Execution): string {
  return `Execution ${e.executionId} ${e.action} ${e.quantity} ${e.instrument} @ ${px(e.instrument, e.price)}, commission $${e.commission.toFixed(2)} (${e.orderId}, ${e.account})`;
}
