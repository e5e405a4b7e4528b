// cancel_replace, the cancel half: after the person approved and the submit row is written, the
// client's old order is cancelled, and the new order may leave only once NinjaTrader reports the old
// one Cancelled. Anything else — it filled, the cancel was rejected, more of it filled on the way,
// the cancel's outcome is unknown, the kill switch was engaged meanwhile — places nothing and says so.
import type { AddonLink } from '../ninjatrader/link.ts';
import { isTerminal, type DomainEvent, type Order } from '../ninjatrader/protocol.ts';
import type { KillSwitch } from './kill-switch.ts';
import { asSentence, Refusal } from './refusal.ts';
import type { PlaceAction } from './types.ts';

/** Cancels `action.replace.orderId`; null when it is Cancelled and the new order may be sent, else why not. */
export async function cancelForReplace(link: AddonLink, kill: KillSwitch, action: PlaceAction, timeoutMs: number): Promise<Refusal | null> {
  const { account } = action;
  const orderId = action.replace!.orderId;
  const filledBefore = link.mirror.orderById(account, orderId)?.filled ?? 0;
  const notDone = (o: Pick<Order, 'state' | 'filled' | 'quantity'> | undefined, why: string) =>
    new Refusal('replace_not_done', `Not replaced: ${why} The new order was NOT placed. Check list_orders and list_positions before placing again.`, { orderId, state: o?.state ?? null, filled: o?.filled ?? null });
  // Events reach the mirror before the answer; a cancel NT8 only acknowledged is watched from now on.
  const seen = watchOrder(link, account, orderId);
  try {
    let order: Order;
    try {
      order = (await link.request('cancelOrder', { account, orderId }, { timeoutMs })).order;
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'internal';
      if (code === 'addon_timeout') {
        const reason = (e as { reason?: string }).reason;
        const what = reason === 'disconnected' ? 'the link to NinjaTrader dropped before the add-on answered the cancel' : `the NinjaTrader add-on did not answer the cancel of order ${orderId} within ${timeoutMs / 1000} s`;
        return new Refusal('outcome_unknown', `Outcome unknown: ${what}. The new order was NOT placed and nothing was retried. Check list_orders for order ${orderId} before trying again.`, { orderId });
      }
      if (code === 'addon_disconnected') return new Refusal('addon_disconnected', 'NinjaTrader is not connected: the add-on link is down, so nothing was cancelled or placed. Start NinjaTrader 8 with the NT MCP Companion add-on, then retry.');
      const now = link.mirror.orderById(account, orderId);
      return notDone(now, `NinjaTrader did not cancel order ${orderId} (${asSentence((e as Error).message)})${now ? ` It is ${now.state}${now.filled ? `, ${now.filled} of ${now.quantity} filled` : ''}.` : ''}`);
    }
    if (!isTerminal(order.state)) order = (await seen.terminal(timeoutMs)) ?? order;
    if (!isTerminal(order.state)) {
      return new Refusal('outcome_unknown', `Outcome unknown: NinjaTrader accepted the cancel of order ${orderId} but did not report it Cancelled within ${timeoutMs / 1000} s (it is ${order.state}). The new order was NOT placed and nothing was retried. Check list_orders for order ${orderId} before trying again.`, { orderId, state: order.state });
    }
    if (order.state !== 'Cancelled') return notDone(order, `order ${orderId} ended ${order.state}${order.filled ? ` (${order.filled} of ${order.quantity} filled)` : ''} before the cancel took effect.`);
    if (order.filled > filledBefore) {
      return notDone(order, `order ${orderId} is cancelled, but ${order.filled - filledBefore} more contract(s) of it filled before the cancel took effect (${order.filled} of ${order.quantity} filled), and the new order was sized for the order as it was.`);
    }
    const k = kill.current();
    if (k.engaged) return notDone(order, `order ${orderId} is cancelled, but the kill switch was engaged (since ${k.since}) before the new order could leave.`);
    return null;
  } finally {
    seen.stop();
  }
}

/** The order's latest state from the link's events, from now on; terminal() waits for a final one. */
function watchOrder(link: AddonLink, account: string, orderId: string) {
  let last: Order | undefined;
  let wake: (() => void) | null = null;
  const onEvent = (ev: DomainEvent) => {
    if (ev.kind !== 'order' || ev.order.account !== account || ev.order.orderId !== orderId) return;
    last = ev.order;
    if (isTerminal(ev.order.state)) wake?.();
  };
  link.on('event', onEvent);
  return {
    async terminal(timeoutMs: number): Promise<Order | undefined> {
      const done = () => {
        const m = link.mirror.orderById(account, orderId);
        if (m && isTerminal(m.state)) return m;
        return last && isTerminal(last.state) ? last : undefined;
      };
      if (done()) return done();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => resolve(), timeoutMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      return done() ?? last ?? link.mirror.orderById(account, orderId);
    },
    stop: () => link.off('event', onEvent),
  };
}
