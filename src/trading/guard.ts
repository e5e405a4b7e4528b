// The guard: every trade action (place, modify, cancel, flatten, reverse, …) and every preview runs
// this one pipeline of named steps, in this order. A step says no by throwing the domain Refusal
// (src/trading/refusal.ts; the MCP layer maps it to a tool error, the control API to an HTTP error).
//
// To add a rule, write a step `{ name, run(ctx) }` and put it in GUARD_STEPS (and in RECHECK_STEPS if
// it must hold again at the moment the person approves). Steps are synchronous on purpose: the
// checks and the exposure reservation that follows them cannot interleave with another call's
// (that is the per-account lock; concurrent calls see each other's reservations).
//
// Mode 'preview' runs the very same steps and reserves nothing, prompts nobody, records nothing.
import { rootOfContract } from '../ninjatrader/instruments.ts';
import type { AddonLink } from '../ninjatrader/link.ts';
import { actionSign, isTerminal } from '../ninjatrader/protocol.ts';
import { scopeIncludes } from '../oauth/policy.ts';
import type { GrantRecord } from '../oauth/service.ts';
import { randomId } from '../util/crypto.ts';
import type { Exposure, OrderRate, Reservation } from './exposure.ts';
import type { KillSwitch } from './kill-switch.ts';
import type { OrderRequests } from './order-requests.ts';
import type { AccountRiskRules } from './risk-rules.ts';
import { isOwnOrder, wireName } from './order-names.ts';
import { Refusal } from './refusal.ts';
import { isBuy, RISK_INCREASING, type TradeAction } from './types.ts';
import { checkRequiredPosition } from './brackets.ts';

/** What the guard reads: the services behind the trading layer. */
export interface GuardEnv {
  link: AddonLink;
  killSwitch: KillSwitch;
  exposure: Exposure;
  rate: OrderRate;
  requests: OrderRequests;
  /** The account risk rules the person set at the desktop (src/trading/risk-rules.ts). */
  risk: AccountRiskRules;
}

export type GuardMode = 'execute' | 'preview';

/** What a risk-increasing action adds to the account, worked out by the `measure` step. */
export interface Adds {
  /** The contract it adds to; null when unknown (a modify of an order the mirror does not list). */
  instrument: string | null;
  /** Signed quantity it may add (+ buys, − sells). */
  qty: number;
  /** The one order's quantity, for the per-order limit. */
  orderQty?: number;
  /** A reversal: the quantity of the position it reverses (one order of twice that). */
  reversing?: number;
  /** Only lowers a working order's quantity: removes risk, always allowed. */
  reduceOnly: boolean;
  /** A place's wire name (its reservation ends when NinjaTrader lists the order). */
  name?: string;
  /** The side a modified order works on (its direction even when its quantity does not grow). */
  side: number;
}

export interface GuardContext {
  readonly env: GuardEnv;
  readonly grant: GrantRecord;
  readonly tool: string;
  readonly action: TradeAction;
  readonly mode: GuardMode;
  adds: Adds | null;
  /** The per-instrument limit's view, left by the `position` step: exposure before and after. */
  limitView?: { instrument: string; root: string; before: number; after: number; max: number };
  /** Left by the `idempotency` step: this clientOrderId was already settled; its first result answers. */
  duplicate?: boolean;
}

export interface GuardStep {
  /** A short stable name (shown by preview_order as the check that refused). */
  readonly name: string;
  /** Throws a Refusal to say no; returns 'stop' when the action is answered without the rest. */
  run(ctx: GuardContext): void | 'stop';
}

function refuse(code: string, message: string): never {
  throw new Refusal(code, message);
}

const riskIncreasing = (ctx: GuardContext): ctx is GuardContext & { action: { account: string } } =>
  RISK_INCREASING.has(ctx.action.kind) && 'account' in ctx.action;

/** Scope, again: the HTTP layer checked it; money paths check it once more here. */
export const scopeStep: GuardStep = {
  name: 'scope',
  run({ grant, tool }) {
    if (!scopeIncludes(grant.scope, 'mcp:trade')) refuse('insufficient_scope', `${tool} needs the mcp:trade scope.`);
  },
};

/** Every account the action touches must be one the grant may use. */
export const accountsStep: GuardStep = {
  name: 'accounts',
  run({ grant, action }) {
    for (const a of 'account' in action ? [action.account] : action.accounts) assertAccount(grant, a);
  },
};

/**
 * A clientOrderId already settled (placed, refused, unknown, resolved by the person) answers by its
 * first result before any limit is counted: a retry sends nothing, so no limit applies (a placed
 * order's own working quantity must not refuse its retry). Reopenable rows (cancelled, not sent) go on.
 */
export const idempotencyStep: GuardStep = {
  name: 'idempotency',
  run(ctx) {
    const { action, grant, env } = ctx;
    if (action.kind !== 'place') return;
    const seen = env.requests.get.get(grant.clientId, action.clientOrderId) as { status: string } | undefined;
    if (seen && seen.status !== 'cancelled' && seen.status !== 'not_sent') {
      ctx.duplicate = true;
      return 'stop';
    }
  },
};

/**
 * cancel_replace: the order to cancel must be listed on the account, be this client's own (placed by
 * it through MCP: its namespaced name) and still working. Checked before any prompt and again when
 * the person approves (it may have filled meanwhile). After idempotency: a retry answers by its
 * first result even though the old order is long cancelled.
 */
export const replaceTargetStep: GuardStep = {
  name: 'replace_target',
  run({ action, env, grant }) {
    if (action.kind !== 'place' || !action.replace) return;
    const { orderId } = action.replace;
    const o = env.link.mirror.orderById(action.account, orderId);
    if (!o) refuse('unknown_order', `Order ${orderId} is not listed on ${action.account}: nothing was cancelled or placed. Check list_orders for its orderId.`);
    if (!isOwnOrder(grant.clientId, o.name)) {
      refuse('order_not_yours', `Refused: order ${orderId} on ${action.account} was not placed by this client (cancel_replace replaces only this client's own orders). Nothing was cancelled or placed. Use cancel_order and place_order if the person wants it replaced.`);
    }
    if (isTerminal(o.state)) {
      throw new Refusal('replace_not_done', `Not replaced: order ${orderId} is already ${o.state}${o.filled ? ` (${o.filled} of ${o.quantity} filled)` : ''}, so there is nothing to cancel; the new order was NOT placed. Check list_positions and list_orders before placing again.`, { orderId, state: o.state, filled: o.filled });
    }
  },
};

/** Kill switch: new risk is refused; cancel and flatten still work. */
export const killSwitchStep: GuardStep = {
  name: 'kill_switch',
  run({ env, action }) {
    const k = env.killSwitch.current();
    if (k.engaged && RISK_INCREASING.has(action.kind)) {
      refuse('kill_switch_engaged', `Refused: the kill switch is engaged (since ${k.since}). New orders, changes and reversals are blocked for every client; cancel and flatten still work. Only the person at the desktop can release it.`);
    }
  },
};

/** The link must be up; otherwise say so at once (the seed product's 408 addon_disconnected). */
export const connectedStep: GuardStep = {
  name: 'connected',
  run({ env, action }) {
    assertConnected(env.link);
    // What the connected add-on cannot carry is refused here, before any prompt: the person must
    // never approve an order the link would then refuse to send (and preview_order must say so).
    if (action.kind !== 'place') return;
    if ((action.stopLoss || action.takeProfit) && !env.link.hasCapability('brackets')) {
      throw new Refusal('addon_outdated', 'Refused: the connected NinjaTrader add-on does not place brackets (it did not advertise "brackets"), so a stopLoss/takeProfit cannot be attached. Place the entry without them and protect it with a separate stop order, or use an add-on that supports brackets. Nothing was sent.');
    }
    if (action.atmTemplate !== undefined && !env.link.hasCapability('atm')) {
      throw new Refusal('addon_outdated', 'Refused: the connected NinjaTrader add-on does not start ATM strategies (it did not advertise "atm"). Place the order without atmTemplate, or use an add-on that supports ATM templates. Nothing was sent.');
    }
  },
};

/**
 * NinjaTrader sent an order or position of this account the companion could not read: its exposure
 * is not known, so no limit can be checked honestly.
 */
export const accountDataStep: GuardStep = {
  name: 'account_data',
  run(ctx) {
    if (!riskIncreasing(ctx)) return;
    const incomplete = ctx.env.link.mirror.incomplete(ctx.action.account);
    if (incomplete) {
      refuse('account_data_incomplete', `Refused: ${incomplete}, so the exposure of ${ctx.action.account} is not fully known and this client's limits cannot be checked. Cancel and flatten still work; new risk is accepted again once NinjaTrader's next full snapshot reads cleanly (reconnect the add-on).`);
    }
  },
};

/** place_order's requireMarketPosition: refused unless the position is flat / long / short as stated. */
export const requiredPositionStep: GuardStep = {
  name: 'required_position',
  run({ action, env }) {
    if (action.kind !== 'place' || action.requireMarketPosition === undefined) return;
    checkRequiredPosition(action, env.link.mirror.positions(action.account));
  },
};

/** What the action adds: an instrument and a signed quantity in its direction (sides NinjaTrader did not name are refused). */
export const measureStep: GuardStep = {
  name: 'measure',
  run(ctx) {
    ctx.adds = null;
    if (!riskIncreasing(ctx)) return;
    const { action, grant } = ctx;
    const mirror = ctx.env.link.mirror;
    const adds: Adds = { instrument: null, qty: 0, reduceOnly: false, side: 1 };
    if (action.kind === 'place') {
      adds.instrument = action.instrument;
      adds.qty = isBuy(action.action) ? action.quantity : -action.quantity;
      adds.orderQty = action.quantity;
      adds.name = wireName(grant.clientId, action.clientOrderId);
    } else if (action.kind === 'modify') {
      adds.orderQty = action.quantity;
      const o = mirror.orderById(action.account, action.orderId);
      if (o) {
        if (o.action === 'Unknown') {
          refuse('unknown_side', `Refused: NinjaTrader reported order ${o.orderId}'s action as ${JSON.stringify(o.unknownValues?.action ?? 'Unknown')}, which this companion does not know, so it cannot check a change against this client's limits. Change the order in NinjaTrader, or cancel it.`);
        }
        adds.instrument = o.instrument;
        adds.side = actionSign(o.action);
        const delta = action.quantity === undefined ? 0 : action.quantity - o.quantity;
        adds.qty = adds.side * Math.max(0, delta);
        // Only lowering the quantity, no price change: always allowed (it removes risk).
        adds.reduceOnly = delta < 0 && action.limitPrice === undefined && action.stopPrice === undefined;
      }
    } else if (action.kind === 'reverse') {
      const p = mirror.position(action.account, action.instrument);
      if (p && p.marketPosition === 'Unknown') {
        refuse('unknown_side', `Refused: NinjaTrader reported the ${action.instrument} position on ${action.account} as ${JSON.stringify(p.unknownValues?.marketPosition ?? 'Unknown')}, which this companion does not know, so it cannot tell which way to reverse it. Flatten it instead, or reverse it in NinjaTrader.`);
      }
      if (p && p.marketPosition !== 'Flat') {
        // One market order of twice the position: the per-order limit applies to it.
        adds.instrument = action.instrument;
        adds.orderQty = 2 * p.quantity;
        adds.reversing = p.quantity;
        adds.qty = p.marketPosition === 'Long' ? -adds.orderQty : adds.orderQty;
      }
    }
    ctx.adds = adds;
  },
};

/** Per-grant limit: the quantity of one order. */
export const orderQuantityStep: GuardStep = {
  name: 'limit_order_quantity',
  run({ adds, grant, action }) {
    if (!adds || adds.orderQty === undefined) return;
    const max = grant.limits.maxOrderQuantity;
    if (adds.orderQty <= max) return;
    if (adds.reversing !== undefined && action.kind === 'reverse') {
      refuse('limit_max_order_quantity', `Refused by limit: reversing the ${adds.reversing}-lot ${action.instrument} position is one order of ${adds.orderQty}, over this client's maximum of ${max} per order. Flatten, then place a new order within the limit.`);
    }
    refuse('limit_max_order_quantity', `Refused by limit: quantity ${adds.orderQty} exceeds this client's maximum of ${max} per order.`);
  },
};

/** Per-grant limit: the account's position per instrument root, counting everything that could add to it. */
export const positionStep: GuardStep = {
  name: 'limit_position',
  run(ctx) {
    const { adds, action, grant } = ctx;
    if (!adds || adds.instrument === null || adds.reduceOnly || !('account' in action)) return;
    const max = grant.limits.maxPositionPerInstrument;
    const e = ctx.env.exposure.of(action.account, adds.instrument);
    const qty = adds.qty;
    const dir = qty > 0 || (qty === 0 && action.kind === 'modify' && adds.side > 0) ? 1 : -1;
    const before = e.position + (dir > 0 ? e.buys : -e.sells);
    const after = before + qty;
    const root = rootOfContract(adds.instrument) ?? adds.instrument;
    ctx.limitView = { instrument: adds.instrument, root, before, after, max };
    // A modify that changes a price can make a resting order fill: its worst case must be within the
    // limit, even if nothing new is added. A new order may always reduce.
    const over = action.kind === 'modify' ? Math.abs(after) > max : Math.abs(after) > max && Math.abs(after) > Math.abs(before);
    if (over) {
      refuse(
        'limit_max_position',
        `Refused by limit: this ${action.kind === 'place' ? 'order' : action.kind === 'modify' ? 'change' : 'reversal'} could take the ${root} position on ${action.account} (all contract months) from ${before} to ${after} ` +
          `(position ${e.position}, plus working, in-flight and pending ${dir > 0 ? 'buys' : 'sells'} of ${dir > 0 ? e.buys : e.sells}); this client's maximum is ${max} contracts.`,
      );
    }
  },
};

/** Per-grant limit: risk-increasing actions sent in the last minute. */
export const rateStep: GuardStep = {
  name: 'limit_rate',
  run(ctx) {
    if (!riskIncreasing(ctx)) return;
    const max = ctx.grant.limits.maxOrdersPerMinute;
    if (ctx.env.rate.recent(ctx.grant.id) >= max) {
      refuse('limit_orders_per_minute', `Refused by limit: this client already sent ${max} orders in the last minute (its maximum). Wait and retry.`);
    }
  },
};

/**
 * The account's risk rules (set only at the desktop; src/trading/risk-rules.ts): a lock, daily loss,
 * trailing drawdown, trading hours, max contracts per instrument and in total. New risk only:
 * closing or reducing orders, cancels and flatten pass. Runs before the reservation, in the same turn.
 */
export const riskRulesStep: GuardStep = {
  name: 'risk_rules',
  run(ctx) {
    const { adds, action } = ctx;
    if (!adds || !riskIncreasing(ctx)) return;
    const account = ctx.action.account;
    const dir = adds.qty > 0 || (adds.qty === 0 && action.kind === 'modify' && adds.side > 0) ? 1 : -1;
    // What the position moves by if the action fills whole: a modified order's unfilled quantity after the change.
    let fill = adds.qty;
    if (action.kind === 'modify') {
      const o = ctx.env.link.mirror.orderById(account, action.orderId);
      fill = o ? adds.side * Math.max(0, (action.quantity ?? o.quantity) - o.filled) : 0;
    }
    ctx.env.risk.checkRiskRules(account, { kind: action.kind, instrument: adds.instrument, qty: adds.qty, dir, fill, reduceOnly: adds.reduceOnly });
  },
};

/** Every step, in order, that a trade action and its preview run. */
export const GUARD_STEPS: readonly GuardStep[] = [
  scopeStep,
  accountsStep,
  idempotencyStep,
  replaceTargetStep,
  killSwitchStep,
  connectedStep,
  accountDataStep,
  requiredPositionStep,
  measureStep,
  orderQuantityStep,
  positionStep,
  riskRulesStep,
  rateStep,
];

/**
 * The steps that must hold again at the moment the person approves: the world may have changed
 * while they decided (the kill switch, the link, other orders' exposure).
 */
export const RECHECK_STEPS: readonly GuardStep[] = [replaceTargetStep, killSwitchStep, connectedStep, accountDataStep, requiredPositionStep, measureStep, orderQuantityStep, positionStep, riskRulesStep, rateStep];

export interface GuardVerdict {
  ctx: GuardContext;
  /** The step that answered without the rest (idempotency: a retry of a settled clientOrderId). */
  stoppedBy: string | null;
  /** The exposure reserved (mode 'execute' only; already held), or null. */
  reservation: Reservation | null;
}

/**
 * Runs `steps` in order and throws the first step's Refusal, unchanged (guardStepOf names the step
 * that threw it). In mode 'execute', reserves what the action adds in the same synchronous turn.
 */
export function runGuard(env: GuardEnv, grant: GrantRecord, tool: string, action: TradeAction, mode: GuardMode, steps: readonly GuardStep[] = GUARD_STEPS): GuardVerdict {
  const ctx: GuardContext = { env, grant, tool, action, mode, adds: null };
  const runSteps = (): string | null => {
    for (const step of steps) {
      try {
        if (step.run(ctx) === 'stop') return step.name;
      } catch (e) {
        if (e instanceof Refusal) refusedBy.set(e, step.name);
        throw e;
      }
    }
    return null;
  };
  // cancel_replace: the order it cancels is not counted (its remaining quantity is going away).
  const stoppedBy = action.kind === 'place' && action.replace ? env.exposure.excluding(action.account, action.replace.orderId, runSteps) : runSteps();
  if (stoppedBy !== null) return { ctx, stoppedBy, reservation: null };
  const adds = ctx.adds;
  if (mode !== 'execute' || !adds || adds.instrument === null || adds.qty === 0 || !('account' in action)) return { ctx, stoppedBy: null, reservation: null };
  const r: Reservation = {
    id: randomId('rsv'),
    account: action.account,
    instrument: adds.instrument,
    qty: adds.qty,
    ...(adds.name ? { name: adds.name } : {}),
    ...(action.kind === 'modify' && action.quantity !== undefined ? { change: { orderId: action.orderId, quantity: action.quantity } } : {}),
    ...(action.kind === 'reverse' ? { reversal: { instrument: adds.instrument, from: -adds.qty / 2 } } : {}),
  };
  env.exposure.hold(r);
  return { ctx, stoppedBy: null, reservation: r };
}

const refusedBy = new WeakMap<Refusal, string>();

/** The guard step that threw this refusal, if a guard step did. */
export function guardStepOf(e: unknown): string | null {
  return e instanceof Refusal ? (refusedBy.get(e) ?? null) : null;
}

/** The accounts a grant may see, or throws naming the allowed ones. */
export function assertAccount(grant: GrantRecord, account: string): void {
  if (!grant.accounts.includes(account)) {
    throw new Refusal(
      'account_not_allowed',
      `Account "${account}" is not available to this client. Allowed account${grant.accounts.length > 1 ? 's' : ''}: ${grant.accounts.join(', ')}.`,
      { allowedAccounts: grant.accounts },
    );
  }
}

export function assertConnected(link: AddonLink): void {
  if (link.state().status !== 'connected') {
    throw new Refusal(
      'addon_disconnected',
      'NinjaTrader is not connected: the add-on link is down, so nothing can be sent. Start NinjaTrader 8 with the NT MCP Companion add-on (or the companion with its simulator), then retry.',
    );
  }
}
