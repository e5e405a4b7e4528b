// Every trade action passes through Trading.execute: the one place that re-checks scope, the
// account allowlist, the kill switch, the per-grant limits, idempotency and the human
// confirmation, writes the durable audit row, and only then sends the order to the add-on.
import type { AuditLog } from '../audit/audit.ts';
import { ActivityLog } from '../audit/activity.ts';
import type { ActivityRow, ConfirmationDecision, OrderConfirmation } from '../control/contract.ts';
import type { ResolveUnknownBody, ResolveUnknownResult, UnknownOrder, UnknownOrderCandidate } from '../control/contract.ts';
import type { TradingControl } from '../control/api.ts';
import type { EventBus } from '../events.ts';
import type { Activity, AddonLink } from '../ninjatrader/link.ts';
import { rootOfContract } from '../ninjatrader/instruments.ts';
import type { DomainEvent, Order } from '../ninjatrader/protocol.ts';
import { actionSign, exposureSides, isTerminal } from '../ninjatrader/protocol.ts';
import { scopeIncludes } from '../oauth/policy.ts';
import type { GrantRecord } from '../oauth/service.ts';
import type { DB } from '../store/db.ts';
import { randomId, sha256Hex } from '../util/crypto.ts';
import { displaySafe } from '../util/display-safe.ts';
import { Journal } from './journal.ts';
import { asSentence, Refusal } from './refusal.ts';
import { Watermarks } from './watermarks.ts';

/** Activity rows for the person only (they name clients and their clientOrderIds): never shown to a grant. */
const DASHBOARD_ONLY = '*';

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

export interface TradingDeps extends Partial<TradingOptions> {
  db: DB;
  audit: AuditLog;
  bus: EventBus;
  link: AddonLink;
  now: () => number;
}

export type Side = 'Buy' | 'Sell' | 'BuyToCover' | 'SellShort';

export type TradeAction =
  | {
      kind: 'place';
      account: string;
      instrument: string;
      action: Side;
      orderType: 'Market' | 'Limit' | 'StopMarket' | 'StopLimit';
      quantity: number;
      limitPrice?: number;
      stopPrice?: number;
      timeInForce: 'Day' | 'Gtc';
      ocoId?: string;
      clientOrderId: string;
    }
  | { kind: 'modify'; account: string; orderId: string; quantity?: number; limitPrice?: number; stopPrice?: number }
  | { kind: 'cancel'; account: string; orderId: string }
  | { kind: 'cancelAll'; account: string; instrument?: string }
  | { kind: 'flatten'; account: string; instrument?: string; /** A root flattens every month held: all of them, instrument first. */ instruments?: string[] }
  | { kind: 'flattenEverything'; accounts: string[] }
  | { kind: 'reverse'; account: string; instrument: string };

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

interface PendingConfirmation {
  confirmation: OrderConfirmation;
  kind: TradeAction['kind'];
  resolve: (d: ConfirmationDecision) => void;
}

/** How the caller of execute() waits: its cancellation, and who hears that it is still waiting. */
export interface ExecuteWait {
  /** Aborted when the client cancels: a pending confirmation closes at once, nothing is sent. */
  signal: AbortSignal;
  /** Called when a confirmation opens and every waitingNoticeMs while it stays open. */
  onWaiting?: (w: { message: string; elapsedMs: number; totalMs: number }) => void;
}

/** NT8 caps an order Name at 50 characters: "mcp:" + 12-character tag + ":" leaves 33; we allow 32. */
export const CLIENT_ORDER_ID_MAX = 32;
const WIRE_PREFIX = /^mcp:([0-9a-f]{12}):(.+)$/;

/** A short, stable tag per OAuth client: the first 48 bits of SHA-256 of its client id. */
export function clientTag(clientId: string): string {
  return sha256Hex(clientId).slice(0, 12);
}

/**
 * The order's name on the wire (the NT8 order Name): the client order id namespaced per client,
 * so two clients sharing an account can never collide, and reconciliation by name finds only the
 * caller's own orders (docs/security.md, "Order identity").
 */
export function wireName(clientId: string, clientOrderId: string): string {
  return `mcp:${clientTag(clientId)}:${clientOrderId}`;
}

/** What a client sees as an order's name: its own clientOrderId, another client's never. */
export function presentName(clientId: string, name: string): string {
  const m = WIRE_PREFIX.exec(name);
  if (!m) return name; // NT8's own names ("Close position", ATM "Entry", manual orders)
  return m[1] === clientTag(clientId) ? m[2]! : 'another MCP client';
}

export function presentOrder<T extends { name: string }>(clientId: string, o: T): T {
  const name = presentName(clientId, o.name);
  return name === o.name ? o : { ...o, name };
}

/**
 * Exposure reserved by an action the mirror cannot see yet: waiting for the person, or sent and not
 * answered. `qty` is signed (+ buys, − sells). A place carries its wire name: once NinjaTrader
 * reports a working order of that name, the order counts instead.
 */
interface Reservation {
  id: string;
  account: string;
  instrument: string;
  qty: number;
  name?: string;
  /** The add-on never answered: kept until NinjaTrader reports the named order (or the change). */
  unknown?: boolean;
  /** A modify's order and the quantity it asked for: its reservation ends when the mirror shows it. */
  change?: { orderId: string; quantity: number };
  /** A reversal's contract and the net position it reversed: its reservation ends when that changes. */
  reversal?: { instrument: string; from: number };
}

const RISK_INCREASING = new Set<TradeAction['kind']>(['place', 'modify', 'reverse']);
const isBuy = (s: Side) => s === 'Buy' || s === 'BuyToCover';

export class Trading {
  readonly opts: TradingOptions;
  readonly journal: Journal;
  readonly watermarks: Watermarks;
  private kill: { engaged: boolean; since: string | null };
  private readonly pending = new Map<string, PendingConfirmation>();
  /** Send times of risk-increasing actions per grant, for maxOrdersPerMinute. */
  private readonly sent = new Map<string, number[]>();
  /** In-memory reservations of exposure (see Reservation); checked and taken in one synchronous step. */
  private readonly reservations = new Map<string, Reservation>();
  private readonly s;
  private readonly activityLog: ActivityLog;
  private readonly offs: (() => void)[] = [];

  constructor(private readonly deps: TradingDeps) {
    this.opts = {
      confirmationTimeoutMs: deps.confirmationTimeoutMs ?? DEFAULT_TRADING_OPTIONS.confirmationTimeoutMs,
      addonTimeoutMs: deps.addonTimeoutMs ?? DEFAULT_TRADING_OPTIONS.addonTimeoutMs,
      waitingNoticeMs: deps.waitingNoticeMs ?? DEFAULT_TRADING_OPTIONS.waitingNoticeMs,
    };
    const db = deps.db;
    this.s = {
      getSetting: db.prepare('SELECT value FROM settings WHERE key = ?').pluck(),
      setSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      reserve: db.prepare(
        `INSERT INTO order_requests (client_id, client_order_id, grant_id, request, status, created_at, updated_at)
         VALUES (@client_id, @client_order_id, @grant_id, @request, 'pending', @now, @now) ON CONFLICT DO NOTHING`,
      ),
      getRequest: db.prepare('SELECT * FROM order_requests WHERE client_id = ? AND client_order_id = ?'),
      settle: db.prepare(
        'UPDATE order_requests SET status = @status, result = @result, updated_at = @now WHERE client_id = @client_id AND client_order_id = @client_order_id',
      ),
      reopen: db.prepare(
        `UPDATE order_requests SET status = 'pending', grant_id = @grant_id, request = @request, result = NULL, sent_at = NULL, updated_at = @now
         WHERE client_id = @client_id AND client_order_id = @client_order_id AND status IN ('cancelled', 'not_sent')`,
      ),
      markSent: db.prepare('UPDATE order_requests SET sent_at = @now WHERE client_id = @client_id AND client_order_id = @client_order_id'),
      interrupted: db.prepare("SELECT client_id, client_order_id, request, sent_at FROM order_requests WHERE status = 'pending'"),
      clientName: db.prepare('SELECT name FROM clients WHERE id = ?').pluck(),
    };
    // Activity rows are committed in batches, one transaction per turn of the event loop (an event flood).
    this.activityLog = new ActivityLog(db, deps.bus, deps.now);
    // The kill switch survives restarts: an engaged switch stays engaged until a person releases it.
    const saved = this.s.getSetting.get('kill_switch') as string | undefined;
    this.kill = saved ? (JSON.parse(saved) as { engaged: boolean; since: string | null }) : { engaged: false, since: null };
    this.journal = new Journal(db);
    this.watermarks = new Watermarks(db, deps.now);

    const link = deps.link;
    const onActivity = (a: Activity) => this.recordActivity(a.kind, a.message, a.account);
    const onEvent = () => this.watermarks.update(link.mirror);
    const onSnapshot = () => {
      this.journal.ingest(link.mirror.executions(), link.state().simulated);
      this.watermarks.update(link.mirror);
    };
    const onDomain = (ev: DomainEvent) => {
      // Quotes arrive by the thousand per second: keep them off this path.
      if (ev.kind === 'quote') return;
      if (ev.kind === 'execution') this.journal.ingest([ev.execution], link.state().simulated);
      onEvent();
    };
    this.recoverInterrupted();
    link.on('activity', onActivity);
    link.on('snapshot', onSnapshot);
    link.on('event', onDomain);
    this.offs.push(
      () => link.off('activity', onActivity),
      () => link.off('snapshot', onSnapshot),
      () => link.off('event', onDomain),
    );
  }

  /**
   * Start-up: order requests left `pending` were interrupted by a crash (the store's lock file
   * guarantees no other process owns them). Never sent → `not_sent` (a retry sends it, after the
   * person's confirmation again). Sent → `unknown` at once (never "in progress" for ever), then
   * reconciled by the namespaced name against the link's first snapshot: found → `placed` with its
   * state; not found → stays `unknown`, and the person is told in the activity log and the audit.
   */
  private recoverInterrupted(): void {
    const rows = this.s.interrupted.all() as { client_id: string; client_order_id: string; request: string; sent_at: number | null }[];
    if (rows.length === 0) return;
    const sent: { clientId: string; action: Extract<TradeAction, { kind: 'place' }> }[] = [];
    for (const r of rows) {
      const action = JSON.parse(r.request) as Extract<TradeAction, { kind: 'place' }>;
      const who = `${String(this.s.clientName.get(r.client_id) ?? r.client_id)}`;
      const key = { client_id: r.client_id, client_order_id: r.client_order_id, now: this.deps.now() };
      if (r.sent_at === null) {
        const message = `Not placed: the companion stopped before "${describe(action)}" was sent to NinjaTrader (it was waiting for the person's approval). A retry with the same clientOrderId asks again.`;
        this.s.settle.run({ ...key, status: 'not_sent', result: JSON.stringify({ error: 'not_sent', message }) });
        this.deps.audit.record({ kind: 'trade', event: 'trade.recovered', clientId: r.client_id, outcome: 'cancelled', detail: `not sent: ${describe(action)} (clientOrderId "${r.client_order_id}")` });
        this.recordActivity('order', `After a restart: "${describe(action)}" from ${who} (clientOrderId ${r.client_order_id}) was never sent; nothing was placed.`, DASHBOARD_ONLY);
      } else {
        const message = `Outcome unknown: the companion stopped after sending "${describe(action)}" to NinjaTrader and before its answer (a crash or restart). The action was NOT retried. Check get_order with clientOrderId "${r.client_order_id}" before trying again.`;
        this.s.settle.run({ ...key, status: 'unknown', result: JSON.stringify({ error: 'outcome_unknown', message }) });
        sent.push({ clientId: r.client_id, action: { ...action, clientOrderId: r.client_order_id } });
      }
    }
    if (sent.length === 0) return;
    const reconcile = () => {
      this.deps.link.off('snapshot', reconcile);
      for (const { clientId, action } of sent) {
        const who = `${String(this.s.clientName.get(clientId) ?? clientId)}`;
        const key = { client_id: clientId, client_order_id: action.clientOrderId, now: this.deps.now() };
        const raw = this.deps.link.mirror.orderByName(action.account, wireName(clientId, action.clientOrderId));
        if (raw) {
          const order = presentOrder(clientId, raw);
          const result: TradeResult = { status: 'placed', orders: [order], clientOrderId: action.clientOrderId, simulated: this.deps.link.state().simulated, message: `${describe(action)}: order ${order.orderId} is ${order.state} (found at NinjaTrader after a restart).` };
          this.s.settle.run({ ...key, status: 'placed', result: JSON.stringify(result) });
          this.deps.audit.record({ kind: 'trade', event: 'trade.recovered', clientId, outcome: 'ok', detail: `found after a restart: ${describe(action)} → ${order.orderId} ${order.state}` });
          this.recordActivity('order', `After a restart: "${describe(action)}" from ${who} (clientOrderId ${action.clientOrderId}) was found at NinjaTrader as ${order.orderId} (${order.state}).`, DASHBOARD_ONLY);
        } else {
          const message = `Outcome unknown: the companion stopped (crash or restart) after sending "${describe(action)}" to NinjaTrader, and NinjaTrader's order list does not have it. It was NOT resent: the person at the desktop has been asked to check NinjaTrader and resolve it. Once they have, a retry with the same clientOrderId returns the order if it was placed, or sends it if it never was.`;
          this.s.settle.run({ ...key, status: 'unknown', result: JSON.stringify({ error: 'outcome_unknown', message }) });
          this.deps.audit.record({ kind: 'trade', event: 'trade.recovered', clientId, outcome: 'unknown', detail: `outcome unknown after a restart: ${describe(action)} (clientOrderId "${action.clientOrderId}")` });
          this.recordActivity('order', `Needs you: outcome unknown after a restart for "${describe(action)}" from ${who} (clientOrderId ${action.clientOrderId}). It was sent to NinjaTrader before the companion stopped, but NinjaTrader does not list it. Check NinjaTrader's Orders tab (nothing was resent), then answer in the dashboard: it was placed (which order it is) or it was never placed.`, DASHBOARD_ONLY);
        }
      }
    };
    this.deps.link.on('snapshot', reconcile);
    this.offs.push(() => this.deps.link.off('snapshot', reconcile));
  }

  get link(): AddonLink {
    return this.deps.link;
  }

  now(): number {
    return this.deps.now();
  }

  close(): void {
    this.watermarks.flush();
    this.activityLog.flush();
    for (const off of this.offs) off();
    for (const p of this.pending.values()) p.resolve('expired');
    this.pending.clear();
  }

  // ───────────────────────── kill switch, activity, confirmations ─────────────────────────

  killSwitch(): { engaged: boolean; since: string | null } {
    return { ...this.kill };
  }

  setKillSwitch(engaged: boolean): void {
    if (engaged === this.kill.engaged) return;
    this.kill = { engaged, since: engaged ? new Date(this.deps.now()).toISOString() : null };
    this.s.setSetting.run('kill_switch', JSON.stringify(this.kill));
    this.deps.audit.record({
      kind: 'control',
      event: engaged ? 'killswitch.engaged' : 'killswitch.released',
      outcome: 'ok',
      detail: engaged ? 'new risk refused for every client; cancel and flatten still work' : 'trading re-enabled',
    });
    this.deps.bus.emit({ type: 'killswitch', engaged, since: this.kill.since });
    if (engaged) {
      // Orders waiting for a human decision are risk too: refuse the risk-increasing ones now.
      for (const [id, p] of this.pending) {
        if (RISK_INCREASING.has(p.kind)) {
          this.finishConfirmation(id, 'kill_switch');
        }
      }
    }
  }

  /** Queued and committed with the rest of this event-loop turn's rows (src/audit/activity.ts). */
  recordActivity(kind: string, message: string, account: string | null = null): void {
    this.activityLog.record(kind, message, account);
  }

  /**
   * Newest first. `accounts` given (an MCP grant): only rows about those accounts and rows about
   * the link itself (account NULL); rows about every account ('*') and other accounts' rows are
   * left out. Omitted (the person's dashboard): every row.
   */
  activity(q: { limit: number; before?: number; accounts?: readonly string[] }): { rows: ActivityRow[]; nextBefore: number | null } {
    return this.activityLog.page(q);
  }

  confirmations(): OrderConfirmation[] {
    return [...this.pending.values()].map((p) => p.confirmation);
  }

  control(): TradingControl {
    return {
      confirmations: () => this.confirmations(),
      decideConfirmation: (id, decision) => {
        if (!this.pending.has(id)) {
          throw new Refusal('confirmation_not_found', 'No such pending confirmation (already decided, expired or cancelled by the client).');
        }
        this.finishConfirmation(id, decision === 'approve' ? 'approved' : 'denied');
      },
      setKillSwitch: (engaged) => this.setKillSwitch(engaged),
      activity: (q) => this.activity(q),
      unknownOrders: () => this.unknownOrders(),
      resolveUnknown: (body, by) => this.resolveUnknown(body, by),
    };
  }

  private finishConfirmation(id: string, decision: ConfirmationDecision): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.deps.bus.emit({ type: 'confirmation.decided', id, decision });
    p.resolve(decision);
  }

  private async confirm(grant: GrantRecord, tool: string, action: TradeAction, wait: ExecuteWait): Promise<ConfirmationDecision> {
    const now = this.deps.now();
    const id = randomId('cnf');
    // A change is shown with the order it changes: instrument, side, and what it is now → what it becomes.
    const target = action.kind === 'modify' ? this.deps.link.mirror.orderById(action.account, action.orderId) : undefined;
    const confirmation: OrderConfirmation = {
      id,
      clientId: grant.clientId,
      clientName: grant.clientName,
      tool,
      summary: action.kind === 'modify' && target ? describeChange(action, target) : describe(action),
      account: 'account' in action ? action.account : action.accounts.join(', '),
      instrument: 'instrument' in action ? (action.instrument ?? null) : (target?.instrument ?? null),
      side: action.kind === 'place' ? action.action : (target?.action ?? null),
      quantity: action.kind === 'place' ? action.quantity : action.kind === 'modify' ? (action.quantity ?? target?.quantity ?? null) : null,
      orderType: action.kind === 'place' ? action.orderType : (target?.orderType ?? null),
      limitPrice: action.kind === 'place' || action.kind === 'modify' ? (action.limitPrice ?? target?.limitPrice ?? null) : null,
      stopPrice: action.kind === 'place' || action.kind === 'modify' ? (action.stopPrice ?? target?.stopPrice ?? null) : null,
      ...(target ? { current: { quantity: target.quantity, filled: target.filled, limitPrice: target.limitPrice, stopPrice: target.stopPrice } } : {}),
      // Dollars to a protective stop. No order carries one yet (brackets are still to come), so null:
      // a stop-limit's stop-to-limit gap was shown here before, and that is slippage room, not risk.
      estimatedRisk: null,
      simulated: this.deps.link.state().simulated,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.opts.confirmationTimeoutMs).toISOString(),
    };
    const { signal, onWaiting } = wait;
    const total = this.opts.confirmationTimeoutMs;
    // Hosts give up on a silent call after their own timeout (60 s by default in the MCP SDK);
    // saying "still waiting" lets those that reset their timeout on progress keep waiting.
    // Elapsed time is counted in notices, like the expiry timer it mirrors (both real time), so it
    // grows with every notice as MCP requires of progress, whatever the injected clock does.
    let notices = 0;
    const notice = () => {
      const elapsed = Math.min(total, notices++ * this.opts.waitingNoticeMs);
      onWaiting?.({ message: `Waiting for the person to approve "${confirmation.summary}" in NT MCP Companion (${clock(total - elapsed)} left).`, elapsedMs: elapsed, totalMs: total });
    };
    const decision = await new Promise<ConfirmationDecision>((resolve) => {
      const timer = setTimeout(() => this.finishConfirmation(id, 'expired'), total);
      const ticker = onWaiting ? setInterval(notice, this.opts.waitingNoticeMs) : undefined;
      // The client cancelled (or its own timeout fired): close the prompt now, place nothing.
      const onAbort = () => this.finishConfirmation(id, 'cancelled');
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        confirmation,
        kind: action.kind,
        resolve: (d) => {
          clearTimeout(timer);
          clearInterval(ticker);
          signal.removeEventListener('abort', onAbort);
          resolve(d);
        },
      });
      this.deps.bus.emit({ type: 'confirmation.created', confirmation });
      if (signal.aborted) onAbort();
      else if (onWaiting) notice();
    });
    this.deps.audit.record({
      kind: 'trade',
      event: 'trade.confirmation',
      clientId: grant.clientId,
      grantId: grant.id,
      tool,
      outcome: decision === 'approved' ? 'ok' : decision === 'cancelled' ? 'cancelled' : decision === 'kill_switch' ? 'refused' : 'denied',
      detail: `${decision === 'cancelled' ? 'cancelled by the client' : decision === 'kill_switch' ? 'closed by the kill switch' : decision}: ${confirmation.summary}`,
    });
    return decision;
  }

  // ───────────────────────── outcome unknown: the person resolves it (issue 9) ─────────────────────────
  // An order request left `unknown` (no answer from the add-on, a dropped link, a crash) that
  // NinjaTrader's order list does not settle stays unknown until the person at the desktop answers.
  // Only the control API reaches this (TradingControl): no MCP tool can resolve an unknown order.

  private unknownStmts?: ReturnType<Trading['prepareUnknown']>;
  private get us() {
    return (this.unknownStmts ??= this.prepareUnknown());
  }
  private prepareUnknown() {
    const db = this.deps.db;
    return {
      list: db.prepare("SELECT * FROM order_requests WHERE status = 'unknown' ORDER BY updated_at, rowid"),
      get: db.prepare("SELECT * FROM order_requests WHERE status = 'unknown' AND client_id = ? AND client_order_id = ?"),
      resolve: db.prepare(
        "UPDATE order_requests SET status = @status, result = @result, updated_at = @now WHERE client_id = @client_id AND client_order_id = @client_order_id AND status = 'unknown'",
      ),
      // NT8 orders other requests already settled as, per account (one order cannot be two requests).
      claimed: db
        .prepare(
          "SELECT json_extract(result, '$.orders[0].orderId') FROM order_requests WHERE status = 'placed' AND json_extract(request, '$.account') = ? AND NOT (client_id = ? AND client_order_id = ?)",
        )
        .pluck(),
    };
  }

  /** NT8 order ids other requests of the account are settled as. */
  private claimedIds(clientId: string, action: PlaceAction): Set<string> {
    return new Set(this.us.claimed.all(action.account, clientId, action.clientOrderId) as string[]);
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
    const rows = this.us.list.all() as OrderRequestRow[];
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
        clientName: displaySafe(String(this.s.clientName.get(r.client_id) ?? r.client_id)),
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
        found: found ? candidate(found) : null,
        candidates: candidates.map(candidate),
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
    const row = this.us.get.get(body.clientId, body.clientOrderId) as OrderRequestRow | undefined;
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
    const who = displaySafe(String(this.s.clientName.get(row.client_id) ?? row.client_id));
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
      const n = this.us.resolve.run({ ...key, status, result: JSON.stringify(result) }).changes;
      if (n === 1) {
        this.deps.audit.record({ kind: 'control', event: 'order.resolved', clientId: row.client_id, args: body, outcome: 'ok', detail });
      }
      return n;
    })();
    if (changed !== 1) throw new Refusal('resolution_not_found', `The order with clientOrderId "${row.client_order_id}" was resolved meanwhile.`);
    // Its exposure now counts as the order NinjaTrader lists (or as nothing): drop what was held for it.
    for (const [id, r] of this.reservations) {
      if (r.unknown && r.account === action.account && r.name === wire) this.reservations.delete(id);
    }
    this.recordActivity(
      'order',
      status === 'placed'
        ? `Resolved at the desktop: "${describe(action)}" from ${who} (clientOrderId ${row.client_order_id}) was placed: it is NT8 order ${order!.orderId} (${order!.state}).`
        : `Resolved at the desktop: "${describe(action)}" from ${who} (clientOrderId ${row.client_order_id}) was never placed; a retry may send it.`,
      DASHBOARD_ONLY,
    );
    return { resolved: true, status, orderId: order?.orderId ?? null };
  }

  // ───────────────────────── account allowlist ─────────────────────────

  /** The accounts a grant may see, or throws naming the allowed ones. */
  assertAccount(grant: GrantRecord, account: string): void {
    if (!grant.accounts.includes(account)) {
      throw new Refusal(
        'account_not_allowed',
        `Account "${account}" is not available to this client. Allowed account${grant.accounts.length > 1 ? 's' : ''}: ${grant.accounts.join(', ')}.`,
        { allowedAccounts: grant.accounts },
      );
    }
  }

  /** Resolves an optional account argument: explicit → checked; omitted → every allowed account. */
  accountsFor(grant: GrantRecord, account: string | undefined): string[] {
    if (account !== undefined) {
      this.assertAccount(grant, account);
      return [account];
    }
    return grant.accounts;
  }

  // ───────────────────────── the guarded path ─────────────────────────

  /**
   * Runs one trade action through every guard. A "no" is thrown as a Refusal; the caller's tool
   * call is the one audit row that records it (src/mcp/endpoint.ts), so it is not written here.
   */
  async execute(grant: GrantRecord, tool: string, action: TradeAction, wait: ExecuteWait): Promise<TradeResult> {
    const refuse = (code: string, message: string): never => {
      throw new Refusal(code, message);
    };
    // 1. Scope, again: the HTTP layer checked it; money paths check it once more here.
    if (!scopeIncludes(grant.scope, 'mcp:trade')) refuse('insufficient_scope', `${tool} needs the mcp:trade scope.`);
    // 2. Account allowlist.
    for (const a of 'account' in action ? [action.account] : action.accounts) this.assertAccount(grant, a);
    // 2b. A clientOrderId already settled (placed, refused, unknown, resolved by the person) answers
    //     by its first result before any limit is counted: a retry sends nothing, so no limit applies
    //     (a placed order's own working quantity must not refuse its retry). Reopenable rows go on.
    if (action.kind === 'place') {
      const seen = this.s.getRequest.get(grant.clientId, action.clientOrderId) as { status: string } | undefined;
      if (seen && seen.status !== 'cancelled' && seen.status !== 'not_sent') return this.duplicate(grant, action);
    }
    // 3. Kill switch: new risk is refused; cancel and flatten still work.
    const checkKill = () => {
      if (this.kill.engaged && RISK_INCREASING.has(action.kind)) {
        refuse('kill_switch_engaged', `Refused: the kill switch is engaged (since ${this.kill.since}). New orders, changes and reversals are blocked for every client; cancel and flatten still work. Only the person at the desktop can release it.`);
      }
    };
    checkKill();
    // 4. The link must be up; otherwise say so at once (the seed product's 408 addon_disconnected).
    this.assertConnected();
    // 5. Per-grant limits, on the account's exposure, checked and reserved in one synchronous step
    //    (no await in between: that is the per-account lock; concurrent calls see each other).
    let held: Reservation | null = this.checkLimits(grant, action, refuse);
    const release = () => {
      if (held && !held.unknown) this.reservations.delete(held.id);
    };

    try {
      // 6. Idempotency: the client order id is recorded before the order can leave.
      if (action.kind === 'place') {
        const reserved = this.s.reserve.run({
          client_id: grant.clientId,
          client_order_id: action.clientOrderId,
          grant_id: grant.id,
          request: JSON.stringify(action),
          now: this.deps.now(),
        }).changes;
        if (reserved !== 1 && !this.reopenCancelled(grant, action)) return this.duplicate(grant, action);
      }
      return await this.guarded(grant, tool, action, wait, refuse, checkKill, () => held, (r) => (held = r));
    } finally {
      // Answered, refused, denied, cancelled or failed: the mirror (or nothing) carries it now.
      release();
    }
  }

  private async guarded(
    grant: GrantRecord,
    tool: string,
    action: TradeAction,
    wait: ExecuteWait,
    refuse: (code: string, message: string) => never,
    checkKill: () => void,
    held: () => Reservation | null,
    hold: (r: Reservation | null) => void,
  ): Promise<TradeResult> {
    const settle = (status: string, result: unknown) => {
      if (action.kind !== 'place') return;
      this.s.settle.run({ client_id: grant.clientId, client_order_id: action.clientOrderId, status, result: JSON.stringify(result), now: this.deps.now() });
    };

    // 7. Human confirmation at the desktop.
    if (grant.confirmPolicy === 'always') {
      const decision = await this.confirm(grant, tool, action, wait);
      if (decision !== 'approved') {
        let err: Refusal;
        if (decision === 'cancelled') {
          err = new Refusal('cancelled_by_client', `Not placed: the client stopped waiting (it cancelled, timed out or disconnected) while "${describe(action)}" waited for the person's approval.`);
        } else if (decision === 'kill_switch') {
          // Engaging the kill switch closes the risk-increasing prompts (setKillSwitch): say so.
          err = new Refusal('kill_switch_engaged', `Not placed: the kill switch was engaged while "${describe(action)}" waited for approval. Only the person at the desktop can release it.`);
        } else if (decision === 'denied') {
          err = new Refusal('confirmation_denied', `Not placed: the person at the desktop denied "${describe(action)}".`);
        } else {
          err = new Refusal('confirmation_timeout', `Not placed: nobody confirmed "${describe(action)}" within ${Math.round(this.opts.confirmationTimeoutMs / 1000)} s.`);
        }
        // A cancelled request never reached a decision: its clientOrderId may be used again.
        settle(decision === 'cancelled' ? 'cancelled' : decision === 'kill_switch' ? 'rejected' : 'denied', { error: err.code, message: err.message });
        throw err;
      }
      // The world may have changed while the person decided: the guard runs again at the moment of
      // approval, against everything else reserved or working now (its own reservation excepted).
      try {
        checkKill();
        this.assertConnected();
        const mine = held();
        if (mine) this.reservations.delete(mine.id);
        hold(this.checkLimits(grant, action, refuse));
      } catch (e) {
        settle('rejected', { error: (e as Refusal).code, message: (e as Error).message });
        throw e;
      }
    }

    // 8. Durable audit row, then the order leaves.
    this.deps.audit.record(
      { kind: 'trade', event: 'trade.submit', clientId: grant.clientId, grantId: grant.id, tool, args: action, outcome: 'ok', detail: describe(action) },
      {
        durable: true,
        // Recorded with the submit row: after a crash, "sent" and "never sent" are told apart by it.
        also: action.kind === 'place' ? () => this.s.markSent.run({ client_id: grant.clientId, client_order_id: action.clientOrderId, now: this.deps.now() }) : undefined,
      },
    );
    if (RISK_INCREASING.has(action.kind)) this.noteSent(grant.id);
    // 9. The add-on's answer: the idempotency record and the audit row are written together.
    const record = (outcome: 'ok' | 'error' | 'unknown', status: string, payload: unknown, detail: string) =>
      this.deps.audit.record(
        { kind: 'trade', event: 'trade.result', clientId: grant.clientId, grantId: grant.id, tool, outcome, detail },
        { also: () => settle(status, payload) },
      );
    try {
      const result = await this.send(grant, action);
      record('ok', result.status, result, result.message);
      return result;
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'internal';
      let err: Refusal;
      let status: string;
      const mine = held();
      // The order may exist: keep counting it until NinjaTrader reports it by its name.
      if (code === 'addon_timeout' && (mine?.name || mine?.change || mine?.reversal)) mine.unknown = true;
      if (code === 'addon_timeout') {
        // Also a link that dropped after the request left: the order may exist (link.ts).
        // Say what happened: no answer in time, a link that dropped, or an answer that could not be read.
        const reason = (e as { reason?: string }).reason;
        const what =
          reason === 'disconnected'
            ? 'the link to NinjaTrader dropped before the add-on answered'
            : reason === 'malformed_result'
              ? "the add-on's answer could not be read"
              : `the NinjaTrader add-on did not answer within ${this.opts.addonTimeoutMs / 1000} s`;
        const message =
          `Outcome unknown: ${what}. ` +
          `The action was NOT retried. Check ${action.kind === 'place' ? `get_order with clientOrderId "${action.clientOrderId}"` : 'list_orders and list_positions'} before trying again.`;
        status = 'unknown';
        err = new Refusal('outcome_unknown', message, action.kind === 'place' ? { clientOrderId: action.clientOrderId } : {});
      } else if (code === 'addon_disconnected') {
        status = 'failed';
        err = new Refusal('addon_disconnected', 'NinjaTrader is not connected: the add-on link is down, so nothing was sent. Start NinjaTrader 8 with the NT MCP Companion add-on, then retry.');
      } else {
        status = 'rejected';
        // Add-ons often start their own text with "Order rejected:"; say it once.
        const why = asSentence((e as Error).message.replace(/^\s*order rejected\s*[:.-]\s*/i, ''));
        err = new Refusal(code === 'internal' ? 'rejected' : code, `NinjaTrader rejected it: ${why}`, {}, 'error');
      }
      record(err.outcome === 'unknown' ? 'unknown' : 'error', status, { error: err.code, message: err.message }, `${err.code}: ${err.message}`);
      throw err;
    }
  }

  /**
   * The person's Flatten buttons (the dashboard's Trading view, src/control/desk.ts): the flatten
   * path without a grant and without a confirmation prompt — the person at the desktop is the one
   * asking — audited as `by` (durable before it leaves, then the answer). Never past a link that is
   * down; the caller has already checked the market calendar, and NinjaTrader's own refusal (a
   * closed market) comes back as a Refusal with its sentence.
   */
  async flattenAsPerson(target: { account: string; instruments?: string[] } | { accounts: string[] }, by: string): Promise<TradeResult> {
    this.assertConnected();
    const action: TradeAction =
      'accounts' in target
        ? { kind: 'flattenEverything', accounts: target.accounts }
        : { kind: 'flatten', account: target.account, ...(target.instruments?.length ? { instrument: target.instruments[0], instruments: target.instruments } : {}) };
    this.deps.audit.record({ kind: 'trade', event: 'trade.submit', args: action, outcome: 'ok', detail: `${by}: ${describe(action)}` }, { durable: true });
    try {
      const result = await this.send(null, action);
      this.deps.audit.record({ kind: 'trade', event: 'trade.result', outcome: 'ok', detail: `${by}: ${result.message}` });
      return result;
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'rejected';
      const err =
        code === 'addon_timeout'
          ? new Refusal('outcome_unknown', `Outcome unknown: NinjaTrader did not answer "${describe(action)}" in time. It was NOT retried: check the positions before trying again.`)
          : code === 'addon_disconnected'
            ? new Refusal('addon_disconnected', 'Not flattened: NinjaTrader is not connected, so nothing was sent.')
            : new Refusal(code, `NinjaTrader refused it: ${asSentence((e as Error).message)}`, {}, 'error');
      this.deps.audit.record({ kind: 'trade', event: 'trade.result', outcome: err.outcome === 'unknown' ? 'unknown' : 'error', detail: `${by}: ${err.code}: ${err.message}` });
      throw err;
    }
  }

  assertConnected(): void {
    if (this.deps.link.state().status !== 'connected') {
      throw new Refusal(
        'addon_disconnected',
        'NinjaTrader is not connected: the add-on link is down, so nothing can be sent. Start NinjaTrader 8 with the NT MCP Companion add-on (or the companion with its simulator), then retry.',
      );
    }
  }

  private noteSent(grantId: string): void {
    const list = this.sent.get(grantId) ?? [];
    list.push(this.deps.now());
    this.sent.set(grantId, list);
  }

  private recentSends(grantId: string): number {
    const cutoff = this.deps.now() - 60_000;
    const list = (this.sent.get(grantId) ?? []).filter((t) => t > cutoff);
    this.sent.set(grantId, list);
    return list.length;
  }

  /**
   * The account's exposure in the contract's root across every month held (in roll week "ES 12-26"
   * and "ES 03-27" are one exposure): the net position, and separately the buys and the sells that
   * could still add to it — working orders' unfilled quantity, orders in flight and orders waiting
   * for the person (every client's: the limit is on the account's real exposure).
   */
  private exposure(account: string, contract: string): { position: number; buys: number; sells: number } {
    const root = rootOfContract(contract);
    const same = (i: string) => (root ? rootOfContract(i) === root : i === contract);
    const mirror = this.deps.link.mirror;
    let position = 0;
    let buys = 0;
    let sells = 0;
    for (const p of mirror.positions(account)) {
      if (!same(p.instrument)) continue;
      // A position whose side NinjaTrader reported as something unknown: worst case either way.
      if (p.marketPosition === 'Unknown') {
        buys += p.quantity;
        sells += p.quantity;
      } else position += signedQuantity(p);
    }
    const live = new Set<string>();
    for (const o of mirror.orders(account, { working: true })) {
      if (!same(o.instrument)) continue;
      if (o.name) live.add(o.name);
      const left = Math.max(0, o.quantity - o.filled);
      // An order whose action NinjaTrader reported as something unknown counts both ways (worst case).
      const sides = exposureSides(o.action);
      if (sides.buys) buys += left;
      if (sides.sells) sells += left;
    }
    for (const r of this.reservations.values()) {
      if (r.account !== account || !same(r.instrument)) continue;
      if (r.name && live.has(r.name)) continue; // the working order counts instead
      if (r.unknown && r.name && mirror.orderByName(account, r.name)) {
        this.reservations.delete(r.id); // NinjaTrader reported it (working or done): it counts as such
        continue;
      }
      if (r.unknown && r.reversal) {
        if (signedQuantity(mirror.position(account, r.reversal.instrument)) !== r.reversal.from) {
          this.reservations.delete(r.id); // the position moved: the mirror counts the reversal
          continue;
        }
      }
      if (r.unknown && r.change) {
        const o = mirror.orderById(account, r.change.orderId);
        if (!o || isTerminal(o.state) || o.quantity >= r.change.quantity) {
          this.reservations.delete(r.id); // the change is reported (or the order is gone): the mirror counts it
          continue;
        }
      }
      if (r.qty > 0) buys += r.qty;
      else sells -= r.qty;
    }
    return { position, buys, sells };
  }

  /**
   * Checks a risk-increasing action against the grant's limits and returns the exposure it reserves
   * (already recorded), or throws. Synchronous on purpose: check and reservation cannot interleave.
   */
  private checkLimits(grant: GrantRecord, action: TradeAction, refuse: (code: string, message: string) => never): Reservation | null {
    const L = grant.limits;
    if (!RISK_INCREASING.has(action.kind) || !('account' in action)) return null;
    // NinjaTrader sent an order or position of this account the companion could not read: its
    // exposure is not known, so no limit can be checked honestly.
    const incomplete = this.deps.link.mirror.incomplete(action.account);
    if (incomplete) {
      refuse('account_data_incomplete', `Refused: ${incomplete}, so the exposure of ${action.account} is not fully known and this client's limits cannot be checked. Cancel and flatten still work; new risk is accepted again once NinjaTrader's next full snapshot reads cleanly (reconnect the add-on).`);
    }
    // What the action adds: an instrument and a signed quantity in its direction.
    let instrument: string | null = null;
    let qty = 0;
    let orderQty: number | undefined;
    let reduceOnly = false;
    let name: string | undefined;
    /** The side a modified order works on (its direction even when its quantity does not grow). */
    let side = 1;
    if (action.kind === 'place') {
      instrument = action.instrument;
      qty = isBuy(action.action) ? action.quantity : -action.quantity;
      orderQty = action.quantity;
      name = wireName(grant.clientId, action.clientOrderId);
    } else if (action.kind === 'modify') {
      orderQty = action.quantity;
      const o = this.deps.link.mirror.orderById(action.account, action.orderId);
      if (o) {
        if (o.action === 'Unknown') {
          refuse('unknown_side', `Refused: NinjaTrader reported order ${o.orderId}'s action as ${JSON.stringify(o.unknownValues?.action ?? 'Unknown')}, which this companion does not know, so it cannot check a change against this client's limits. Change the order in NinjaTrader, or cancel it.`);
        }
        instrument = o.instrument;
        side = actionSign(o.action);
        const delta = action.quantity === undefined ? 0 : action.quantity - o.quantity;
        qty = side * Math.max(0, delta);
        // Only lowering the quantity, no price change: always allowed (it removes risk).
        reduceOnly = delta < 0 && action.limitPrice === undefined && action.stopPrice === undefined;
      }
    } else if (action.kind === 'reverse') {
      // One market order of twice the position: the per-order limit applies to it.
      const p = this.deps.link.mirror.position(action.account, action.instrument);
      if (p && p.marketPosition === 'Unknown') {
        refuse('unknown_side', `Refused: NinjaTrader reported the ${action.instrument} position on ${action.account} as ${JSON.stringify(p.unknownValues?.marketPosition ?? 'Unknown')}, which this companion does not know, so it cannot tell which way to reverse it. Flatten it instead, or reverse it in NinjaTrader.`);
      }
      if (p && p.marketPosition !== 'Flat') {
        instrument = action.instrument;
        orderQty = 2 * p.quantity;
        qty = p.marketPosition === 'Long' ? -orderQty : orderQty;
        if (orderQty > L.maxOrderQuantity) {
          refuse('limit_max_order_quantity', `Refused by limit: reversing the ${p.quantity}-lot ${action.instrument} position is one order of ${orderQty}, over this client's maximum of ${L.maxOrderQuantity} per order. Flatten, then place a new order within the limit.`);
        }
        orderQty = undefined;
      }
    }
    if (orderQty !== undefined && orderQty > L.maxOrderQuantity) {
      refuse('limit_max_order_quantity', `Refused by limit: quantity ${orderQty} exceeds this client's maximum of ${L.maxOrderQuantity} per order.`);
    }
    if (instrument !== null && !reduceOnly) {
      const e = this.exposure(action.account, instrument);
      const dir = qty > 0 || (qty === 0 && action.kind === 'modify' && side > 0) ? 1 : -1;
      const before = e.position + (dir > 0 ? e.buys : -e.sells);
      const after = before + qty;
      // A modify that changes a price can make a resting order fill: its worst case must be within the
      // limit, even if nothing new is added. A new order may always reduce.
      const over = action.kind === 'modify' ? Math.abs(after) > L.maxPositionPerInstrument : Math.abs(after) > L.maxPositionPerInstrument && Math.abs(after) > Math.abs(before);
      if (over) {
        const root = rootOfContract(instrument) ?? instrument;
        refuse(
          'limit_max_position',
          `Refused by limit: this ${action.kind === 'place' ? 'order' : action.kind === 'modify' ? 'change' : 'reversal'} could take the ${root} position on ${action.account} (all contract months) from ${before} to ${after} ` +
            `(position ${e.position}, plus working, in-flight and pending ${dir > 0 ? 'buys' : 'sells'} of ${dir > 0 ? e.buys : e.sells}); this client's maximum is ${L.maxPositionPerInstrument} contracts.`,
        );
      }
    }
    if (this.recentSends(grant.id) >= L.maxOrdersPerMinute) {
      refuse('limit_orders_per_minute', `Refused by limit: this client already sent ${L.maxOrdersPerMinute} orders in the last minute (its maximum). Wait and retry.`);
    }
    if (instrument === null || qty === 0) return null;
    const r: Reservation = {
      id: randomId('rsv'),
      account: action.account,
      instrument,
      qty,
      ...(name ? { name } : {}),
      ...(action.kind === 'modify' && action.quantity !== undefined ? { change: { orderId: action.orderId, quantity: action.quantity } } : {}),
      ...(action.kind === 'reverse' ? { reversal: { instrument, from: -qty / 2 } } : {}),
    };
    this.reservations.set(r.id, r);
    return r;
  }

  /** A request the client cancelled before anyone decided sent nothing: a retry may use its id again. */
  private reopenCancelled(grant: GrantRecord, action: Extract<TradeAction, { kind: 'place' }>): boolean {
    return (
      this.s.reopen.run({ client_id: grant.clientId, client_order_id: action.clientOrderId, grant_id: grant.id, request: JSON.stringify(action), now: this.deps.now() }).changes === 1
    );
  }

  /** A retry with a client order id already seen: return the first result, never place again. */
  private duplicate(grant: GrantRecord, action: Extract<TradeAction, { kind: 'place' }>): TradeResult {
    const row = this.s.getRequest.get(grant.clientId, action.clientOrderId) as { status: string; result: string | null; request: string } | undefined;
    const simulated = this.deps.link.state().simulated;
    // No audit row of its own: the tool call's row says "duplicate" (one row per call).
    if (!row || row.status === 'pending') {
      throw new Refusal('duplicate_in_progress', `An order with clientOrderId "${action.clientOrderId}" is still in progress (awaiting confirmation or NinjaTrader's answer). Nothing new was placed.`);
    }
    if (row.status === 'unknown') {
      // Reconcile by the client order id (carried as the NT8 order name), never resubmit.
      // Only this client's own namespaced name: never an NT8 order id, never another client's order.
      const raw = this.deps.link.mirror.orderByName(action.account, wireName(grant.clientId, action.clientOrderId));
      const found = raw ? presentOrder(grant.clientId, raw) : undefined;
      if (found) {
        const result: TradeResult = { status: 'placed', orders: [found], clientOrderId: action.clientOrderId, duplicate: true, simulated, message: `Found order ${found.orderId} for clientOrderId "${action.clientOrderId}" (${found.state}); nothing new was placed.` };
        this.s.settle.run({ client_id: grant.clientId, client_order_id: action.clientOrderId, status: 'placed', result: JSON.stringify(result), now: this.deps.now() });
        return result;
      }
    }
    const first = row.result ? (JSON.parse(row.result) as Record<string, unknown>) : {};
    if (typeof first.error === 'string') {
      // The first answer, replayed by the idempotency guard: this call itself was refused.
      throw new Refusal(first.error, `${String(first.message)} (This clientOrderId was already used; nothing new was placed.)`, { duplicate: true }, 'refused');
    }
    return { ...(first as unknown as TradeResult), duplicate: true, message: `Already placed earlier with clientOrderId "${action.clientOrderId}"; nothing new was placed. ${String(first.message ?? '')}` };
  }

  private async send(grant: GrantRecord | null, action: TradeAction): Promise<TradeResult> {
    const link = this.deps.link;
    const o = { timeoutMs: this.opts.addonTimeoutMs };
    const simulated = link.state().simulated;
    switch (action.kind) {
      case 'place': {
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
            name: wireName(grant!.clientId, action.clientOrderId),
          },
          o,
        );
        return { status: 'placed', orders: [presentOrder(grant!.clientId, r.order)], clientOrderId: action.clientOrderId, simulated, message: `${describe(action)}: order ${r.order.orderId} is ${r.order.state}.` };
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
}

export function describe(a: TradeAction): string {
  const px = (n: number | undefined) => (n === undefined ? '' : n.toFixed(2));
  switch (a.kind) {
    case 'place': {
      const price =
        a.orderType === 'Limit' ? ` @ ${px(a.limitPrice)}` : a.orderType === 'StopMarket' ? ` stop ${px(a.stopPrice)}` : a.orderType === 'StopLimit' ? ` stop ${px(a.stopPrice)} limit ${px(a.limitPrice)}` : '';
      return `${a.action} ${a.quantity} ${a.instrument} ${a.orderType.toUpperCase()}${price} ${a.timeInForce.toUpperCase()} on ${a.account}`;
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

/** "Change order ORD-3 (Buy 2 ES 12-26 LIMIT) on Sim101: qty 2 → 3, limit 5900.00 → 5905.00". */
export function describeChange(a: Extract<TradeAction, { kind: 'modify' }>, o: Order): string {
  const px = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toFixed(2));
  const parts: string[] = [];
  if (a.quantity !== undefined) parts.push(`qty ${o.quantity} → ${a.quantity}${o.filled ? ` (${o.filled} filled)` : ''}`);
  if (a.limitPrice !== undefined) parts.push(`limit ${px(o.limitPrice)} → ${px(a.limitPrice)}`);
  if (a.stopPrice !== undefined) parts.push(`stop ${px(o.stopPrice)} → ${px(a.stopPrice)}`);
  return `Change order ${o.orderId} (${o.action} ${o.quantity} ${o.instrument} ${o.orderType.toUpperCase()}) on ${a.account}: ${parts.join(', ')}`;
}

/** 95_000 ms → "1:35". */
function clock(ms: number): string {
  const secs = Math.ceil(ms / 1000);
  return `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, '0')}`;
}

/** A position as one signed number: + long, − short, 0 flat or absent. */
function signedQuantity(p: { marketPosition: string; quantity: number } | undefined): number {
  if (!p || p.marketPosition === 'Flat') return 0;
  return p.marketPosition === 'Long' ? p.quantity : -p.quantity;
}

type PlaceAction = Extract<TradeAction, { kind: 'place' }>;

interface OrderRequestRow {
  client_id: string;
  client_order_id: string;
  request: string;
  status: string;
  result: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

/** An NT8 order as the person sees it when resolving an unknown outcome. */
function candidate(o: Order): UnknownOrderCandidate {
  return { orderId: o.orderId, name: o.name, instrument: o.instrument, action: o.action, orderType: o.orderType, quantity: o.quantity, filled: o.filled, limitPrice: o.limitPrice, stopPrice: o.stopPrice, state: o.state, time: o.time };
}
