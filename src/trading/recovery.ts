// Orders whose outcome is not known, and how they get known:
// - at start-up, requests a crash left `pending` are settled (never sent → not_sent; sent → unknown,
//   then reconciled by their namespaced name against NinjaTrader's first snapshot);
// - a request left `unknown` that NinjaTrader's order list does not settle stays unknown until the
//   person at the desktop answers (issue 9). Only the control API reaches that: no MCP tool can.
import type { AuditLog } from '../audit/audit.ts';
import type { AddonLink } from '../ninjatrader/link.ts';
import type { Order } from '../ninjatrader/protocol.ts';
import { actionSign } from '../ninjatrader/protocol.ts';
import type { DB } from '../store/db.ts';
import { displaySafe } from '../util/display-safe.ts';
import type { Exposure } from './exposure.ts';
import type { OrderRequestRow, OrderRequests } from './order-requests.ts';
import { presentOrder, WIRE_PREFIX, wireName } from './order-names.ts';
import { Refusal } from './refusal.ts';
import { DASHBOARD_ONLY, describe, isBuy, orderSummary, type OrderSummary, type PlaceAction, type TradeResult } from './types.ts';

/** An NT8 order the person may identify as an order request of unknown outcome (GET /unknown-orders). */
export type UnknownOrderCandidate = OrderSummary;

/**
 * An order request whose outcome is unknown: it left for NinjaTrader and no answer came (a timeout,
 * a dropped link, a crash of the companion), and NinjaTrader's order list does not settle it. Only
 * the person at the desktop can resolve it (POST /unknown-orders/resolve); a retry of the client
 * with the same clientOrderId then behaves by that answer.
 */
export interface UnknownOrder {
  clientId: string;
  /** Self-declared by the client, display-safe. */
  clientName: string;
  clientOrderId: string;
  /** The order's name on the wire (the NT8 order Name): mcp:<client tag>:<clientOrderId>. */
  wireName: string;
  account: string;
  instrument: string;
  side: string;
  quantity: number;
  orderType: string;
  limitPrice: number | null;
  stopPrice: number | null;
  /** "Buy 1 ES LIMIT @ 5990.00 DAY on Sim101". */
  summary: string;
  /** The sentence the client was given about it. */
  reason: string;
  createdAt: string;
  /** When it left for NinjaTrader (null for rows from before the companion recorded it). */
  sentAt: string | null;
  /** When its outcome became unknown. */
  since: string;
  /** The order NinjaTrader lists now under this request's name, if any: the answer is then "placed". */
  found: UnknownOrderCandidate | null;
  /** Other orders on the account with the same instrument and side that no other MCP request claims. */
  candidates: UnknownOrderCandidate[];
  simulated: boolean;
}

/**
 * The person's answer (POST /unknown-orders/resolve). `placed`: it is at NinjaTrader — the order
 * listed under its name, or the NT8 order `orderId` the person identifies (same account, instrument
 * and side; not another request's). `not_placed`: it never reached NinjaTrader; the row becomes
 * `not_sent` and the client's retry sends it (after the person's confirmation, as always).
 */
export type ResolveUnknownBody =
  | { clientId: string; clientOrderId: string; resolution: 'placed'; orderId?: string }
  | { clientId: string; clientOrderId: string; resolution: 'not_placed' };

export interface ResolveUnknownResult {
  resolved: true;
  /** The request's status now: `placed` (a retry returns that order) or `not_sent` (a retry sends it). */
  status: 'placed' | 'not_sent';
  orderId: string | null;
}

export interface RecoveryDeps {
  db: DB;
  audit: AuditLog;
  link: AddonLink;
  now: () => number;
  requests: OrderRequests;
  exposure: Exposure;
  recordActivity: (kind: string, message: string, account: string | null) => void;
}

export class Recovery {
  constructor(private readonly deps: RecoveryDeps) {}

  private clientName(clientId: string): string {
    return String(this.deps.requests.clientName.get(clientId) ?? clientId);
  }

  /**
   * Start-up: order requests left `pending` were interrupted by a crash (the store's lock file
   * guarantees no other process owns them). Never sent → `not_sent` (a retry sends it, after the
   * person's confirmation again). Sent → `unknown` at once (never "in progress" for ever), then
   * reconciled by the namespaced name against the link's first snapshot: found → `placed` with its
   * state; not found → stays `unknown`, and the person is told in the activity log and the audit.
   * Returns what stops listening for that snapshot.
   */
  recoverInterrupted(): (() => void) | null {
    const { requests: s, audit, link } = this.deps;
    const rows = s.interrupted.all() as { client_id: string; client_order_id: string; request: string; sent_at: number | null }[];
    if (rows.length === 0) return null;
    const sent: { clientId: string; action: PlaceAction }[] = [];
    for (const r of rows) {
      const action = JSON.parse(r.request) as PlaceAction;
      const who = this.clientName(r.client_id);
      const key = { client_id: r.client_id, client_order_id: r.client_order_id, now: this.deps.now() };
      if (r.sent_at === null) {
        const message = `Not placed: the companion stopped before "${describe(action)}" was sent to NinjaTrader (it was waiting for the person's approval). A retry with the same clientOrderId asks again.`;
        s.settle.run({ ...key, status: 'not_sent', result: JSON.stringify({ error: 'not_sent', message }) });
        audit.record({ kind: 'trade', event: 'trade.recovered', clientId: r.client_id, outcome: 'cancelled', detail: `not sent: ${describe(action)} (clientOrderId "${r.client_order_id}")` });
        this.deps.recordActivity('order', `After a restart: "${describe(action)}" from ${who} (clientOrderId ${r.client_order_id}) was never sent; nothing was placed.`, DASHBOARD_ONLY);
      } else {
        const message = `Outcome unknown: the companion stopped after sending "${describe(action)}" to NinjaTrader and before its answer (a crash or restart). The action was NOT retried. Check get_order with clientOrderId "${r.client_order_id}" before trying again.`;
        s.settle.run({ ...key, status: 'unknown', result: JSON.stringify({ error: 'outcome_unknown', message }) });
        sent.push({ clientId: r.client_id, action: { ...action, clientOrderId: r.client_order_id } });
      }
    }
    if (sent.length === 0) return null;
    const reconcile = () => {
      link.off('snapshot', reconcile);
      for (const { clientId, action } of sent) {
        const who = this.clientName(clientId);
        const key = { client_id: clientId, client_order_id: action.clientOrderId, now: this.deps.now() };
        const raw = link.mirror.orderByName(action.account, wireName(clientId, action.clientOrderId));
        if (raw) {
          const order = presentOrder(clientId, raw);
          const result: TradeResult = { status: 'placed', orders: [order], clientOrderId: action.clientOrderId, simulated: link.state().simulated, message: `${describe(action)}: order ${order.orderId} is ${order.state} (found at NinjaTrader after a restart).` };
          s.settle.run({ ...key, status: 'placed', result: JSON.stringify(result) });
          audit.record({ kind: 'trade', event: 'trade.recovered', clientId, outcome: 'ok', detail: `found after a restart: ${describe(action)} → ${order.orderId} ${order.state}` });
          this.deps.recordActivity('order', `After a restart: "${describe(action)}" from ${who} (clientOrderId ${action.clientOrderId}) was found at NinjaTrader as ${order.orderId} (${order.state}).`, DASHBOARD_ONLY);
        } else {
          const message = `Outcome unknown: the companion stopped (crash or restart) after sending "${describe(action)}" to NinjaTrader, and NinjaTrader's order list does not have it. It was NOT resent: the person at the desktop has been asked to check NinjaTrader and resolve it. Once they have, a retry with the same clientOrderId returns the order if it was placed, or sends it if it never was.`;
          s.settle.run({ ...key, status: 'unknown', result: JSON.stringify({ error: 'outcome_unknown', message }) });
          audit.record({ kind: 'trade', event: 'trade.recovered', clientId, outcome: 'unknown', detail: `outcome unknown after a restart: ${describe(action)} (clientOrderId "${action.clientOrderId}")` });
          this.deps.recordActivity('order', `Needs you: outcome unknown after a restart for "${describe(action)}" from ${who} (clientOrderId ${action.clientOrderId}). It was sent to NinjaTrader before the companion stopped, but NinjaTrader does not list it. Check NinjaTrader's Orders tab (nothing was resent), then answer in the dashboard: it was placed (which order it is) or it was never placed.`, DASHBOARD_ONLY);
        }
      }
    };
    link.on('snapshot', reconcile);
    return () => link.off('snapshot', reconcile);
  }

  /** NT8 order ids other requests of the account are settled as. */
  private claimedIds(clientId: string, action: PlaceAction): Set<string> {
    return new Set(this.deps.requests.claimed.all(action.account, clientId, action.clientOrderId) as string[]);
  }

  /** Whether NT8 order `o` could be request `action` (named `wire`): same account, contract and side; not another request's. */
  private couldBe(action: PlaceAction, wire: string, claimed: Set<string>, o: Order): boolean {
    if (o.account !== action.account || o.instrument !== action.instrument) return false;
    // An order whose side NinjaTrader did not tell us (Unknown) cannot be shown to match.
    if (o.action === 'Unknown' || actionSign(o.action) !== (isBuy(action.action) ? 1 : -1)) return false;
    if (o.name !== wire && WIRE_PREFIX.test(o.name)) return false; // another MCP request's order
    return !claimed.has(o.orderId);
  }

  /** Every request of unknown outcome, oldest first, with what NinjaTrader lists now that it could be. */
  unknownOrders(): UnknownOrder[] {
    const rows = this.deps.requests.listUnknown.all() as OrderRequestRow[];
    const mirror = this.deps.link.mirror;
    const simulated = this.deps.link.state().simulated;
    return rows.map((r) => {
      const action = { ...(JSON.parse(r.request) as PlaceAction), clientOrderId: r.client_order_id };
      const wire = wireName(r.client_id, r.client_order_id);
      const found = mirror.orderByName(action.account, wire);
      const claimed = this.claimedIds(r.client_id, action);
      const candidates = mirror
        .orders(action.account)
        .filter((o) => o !== found && this.couldBe(action, wire, claimed, o))
        .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0))
        .slice(0, 20);
      const first = r.result ? (JSON.parse(r.result) as { message?: string }) : {};
      return {
        clientId: r.client_id,
        clientName: displaySafe(this.clientName(r.client_id)),
        clientOrderId: r.client_order_id,
        wireName: wire,
        account: action.account,
        instrument: action.instrument,
        side: action.action,
        quantity: action.quantity,
        orderType: action.orderType,
        limitPrice: action.limitPrice ?? null,
        stopPrice: action.stopPrice ?? null,
        summary: describe(action),
        reason: first.message ?? 'Outcome unknown: NinjaTrader did not answer.',
        createdAt: new Date(r.created_at).toISOString(),
        sentAt: r.sent_at === null ? null : new Date(r.sent_at).toISOString(),
        since: new Date(r.updated_at).toISOString(),
        found: found ? orderSummary(found) : null,
        candidates: candidates.map(orderSummary),
        simulated,
      };
    });
  }

  /**
   * The person's answer. `placed`: the order NinjaTrader lists under the request's name, or the NT8
   * order the person names (same account, contract and side, no other request's) — a retry returns it.
   * `not_placed`: refused while NinjaTrader lists an order under its name; else the request becomes
   * `not_sent` and a retry sends it once, through every guard and the confirmation again. Both need a
   * live link (the companion checks NinjaTrader's order list), and both are audited as the desktop's.
   */
  resolveUnknown(body: ResolveUnknownBody, by: string): ResolveUnknownResult {
    const s = this.deps.requests;
    const row = s.getUnknown.get(body.clientId, body.clientOrderId) as OrderRequestRow | undefined;
    if (!row) {
      throw new Refusal('resolution_not_found', `No order of unknown outcome with clientOrderId "${body.clientOrderId}" for this client: it was already resolved, or settled by itself when NinjaTrader reported it.`);
    }
    const link = this.deps.link;
    if (link.state().status !== 'connected' || link.mirror.stale) {
      throw new Refusal('addon_disconnected', "NinjaTrader is not connected, so the companion cannot check its order list. Connect NinjaTrader (the add-on), then resolve this order.");
    }
    const action = { ...(JSON.parse(row.request) as PlaceAction), clientOrderId: row.client_order_id };
    const wire = wireName(row.client_id, row.client_order_id);
    const named = link.mirror.orderByName(action.account, wire);
    const who = displaySafe(this.clientName(row.client_id));
    const key = { client_id: row.client_id, client_order_id: row.client_order_id, now: this.deps.now() };
    let status: 'placed' | 'not_sent';
    let order: Order | null = null;
    let detail: string;
    let result: unknown;
    if (body.resolution === 'placed') {
      if (body.orderId === undefined) {
        if (!named) {
          throw new Refusal('no_order_named', `NinjaTrader lists no order named for this request on ${action.account}. Choose the NT8 order it is (same instrument and side), or answer that it was never placed.`);
        }
        order = named;
      } else {
        const o = link.mirror.orderById(action.account, body.orderId);
        if (!o) throw new Refusal('unknown_order', `NinjaTrader lists no order ${body.orderId} on ${action.account}.`);
        if (!this.couldBe(action, wire, this.claimedIds(row.client_id, action), o)) {
          throw new Refusal(
            'order_mismatch',
            `Order ${o.orderId} (${o.action} ${o.quantity} ${o.instrument}) cannot be "${describe(action)}": it must be on ${action.account}, in ${action.instrument}, on the ${isBuy(action.action) ? 'buy' : 'sell'} side, and not another request's order.`,
          );
        }
        order = o;
      }
      status = 'placed';
      const shown = presentOrder(row.client_id, order);
      result = {
        status: 'placed',
        orders: [shown],
        clientOrderId: row.client_order_id,
        simulated: link.state().simulated,
        message: `${describe(action)}: order ${order.orderId} is ${order.state} (the outcome was unknown; the person at the desktop identified the order at NinjaTrader).`,
      } satisfies TradeResult;
      detail = `${by}: placed, it is NT8 order ${order.orderId} (${order.state}): ${describe(action)} (clientOrderId "${row.client_order_id}")`;
    } else {
      if (named) {
        throw new Refusal('listed_at_ninjatrader', `NinjaTrader lists order ${named.orderId} (${named.state}) under this request's name: it was placed. Answer "placed" instead.`);
      }
      status = 'not_sent';
      result = { error: 'not_sent', message: `Not placed: the person at the desktop confirmed that "${describe(action)}" never reached NinjaTrader. A retry with the same clientOrderId sends it.` };
      detail = `${by}: never placed: ${describe(action)} (clientOrderId "${row.client_order_id}"); a retry may send it`;
    }
    const changed = this.deps.db.transaction(() => {
      const n = s.resolveUnknown.run({ ...key, status, result: JSON.stringify(result) }).changes;
      if (n === 1) {
        this.deps.audit.record({ kind: 'control', event: 'order.resolved', clientId: row.client_id, args: body, outcome: 'ok', detail });
      }
      return n;
    })();
    if (changed !== 1) throw new Refusal('resolution_not_found', `The order with clientOrderId "${row.client_order_id}" was resolved meanwhile.`);
    // Its exposure now counts as the order NinjaTrader lists (or as nothing): drop what was held for it.
    this.deps.exposure.forgetUnknown(action.account, wire);
    this.deps.recordActivity(
      'order',
      status === 'placed'
        ? `Resolved at the desktop: "${describe(action)}" from ${who} (clientOrderId ${row.client_order_id}) was placed: it is NT8 order ${order!.orderId} (${order!.state}).`
        : `Resolved at the desktop: "${describe(action)}" from ${who} (clientOrderId ${row.client_order_id}) was never placed; a retry may send it.`,
      DASHBOARD_ONLY,
    );
    return { resolved: true, status, orderId: order?.orderId ?? null };
  }
}

