// Sends an action that passed the guard (and the person) to NinjaTrader through the add-on link,
// and says what happened in the domain's words. Errors are the link's; the caller maps them.
import type { AddonLink } from '../ninjatrader/link.ts';
import type { Order } from '../ninjatrader/protocol.ts';
import type { GrantRecord } from '../oauth/service.ts';
import { presentOrder, wireName } from './order-names.ts';
import { describe, type TradeAction, type TradeResult } from './types.ts';

/** `grant` is null only for the person's own flatten (desktop-flatten.ts): no order of theirs is named. */
export async function submit(link: AddonLink, grant: GrantRecord | null, action: TradeAction, timeoutMs: number): Promise<TradeResult> {
  const o = { timeoutMs };
  const simulated = link.state().simulated;
  switch (action.kind) {
    case 'place': {
      if (!grant) throw new Error('a new order needs the grant of the client placing it');
      const r = await link.request(
        'placeOrder',
        {
          account: action.account,
          instrument: action.instrument,
          action: action.action,
          orderType: action.orderType,
          quantity: action.quantity,
          limitPrice: action.limitPrice,
          stopPrice: action.stopPrice,
          timeInForce: action.timeInForce,
          ocoId: action.ocoId,
          name: wireName(grant.clientId, action.clientOrderId),
          stopLoss: action.stopLoss,
          takeProfit: action.takeProfit,
          atmTemplate: action.atmTemplate,
        },
        o,
      );
      return { status: 'placed', orders: [presentOrder(grant.clientId, r.order)], clientOrderId: action.clientOrderId, simulated, message: `${describe(action)}: order ${r.order.orderId} is ${r.order.state}.` };
    }
    case 'modify': {
      const r = await link.request('changeOrder', { account: action.account, orderId: action.orderId, quantity: action.quantity, limitPrice: action.limitPrice, stopPrice: action.stopPrice }, o);
      return { status: 'changed', orders: [r.order], simulated, message: `Order ${r.order.orderId} changed; now ${r.order.state}.` };
    }
    case 'cancel': {
      const r = await link.request('cancelOrder', { account: action.account, orderId: action.orderId }, o);
      return { status: 'cancel_requested', orders: [r.order], simulated, message: `Order ${r.order.orderId} is ${r.order.state}.` };
    }
    case 'cancelAll': {
      const r = await link.request('cancelAllOrders', { account: action.account, instrument: action.instrument }, o);
      return { status: 'cancel_requested', orders: [], cancelled: r.cancelled, simulated, message: `${r.cancelled.length} working order(s) cancelled on ${action.account}${action.instrument ? ` for ${action.instrument}` : ''}.` };
    }
    case 'flatten': {
      // One request per contract month (a root held in two months during roll week).
      const targets = action.instruments && action.instruments.length > 0 ? action.instruments : [action.instrument];
      const orders: Order[] = [];
      for (const instrument of targets) {
        const r = await link.request('flatten', { account: action.account, instrument }, o);
        orders.push(...r.orders);
      }
      const what = action.instruments && action.instruments.length > 1 ? ` ${action.instruments.join(' and ')}` : action.instrument ? ` ${action.instrument}` : '';
      return { status: 'flatten_submitted', orders, simulated, message: `Flatten ${action.account}${what}: ${orders.length} closing order(s) submitted; working orders cancelled.` };
    }
    case 'flattenEverything': {
      // NT8's FlattenEverything would touch every account; a grant may only touch its own.
      const orders: Order[] = [];
      for (const account of action.accounts) {
        const r = await link.request('flatten', { account }, o);
        orders.push(...r.orders);
      }
      return { status: 'flatten_submitted', orders, simulated, message: `Flattened ${action.accounts.join(', ')}: ${orders.length} closing order(s) submitted.` };
    }
    case 'reverse': {
      const r = await link.request('reversePosition', { account: action.account, instrument: action.instrument }, o);
      return { status: 'reverse_submitted', orders: r.orders, simulated, message: `Reverse ${action.instrument} on ${action.account}: ${r.orders.length} order(s) submitted.` };
    }
  }
}
