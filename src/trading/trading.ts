// The trading service: wires the parts of src/trading together. Every trade action passes through
// Trading.execute, in this order:
//   guard.ts          — one pipeline of named steps: scope, accounts, idempotency, kill switch, link,
//                       account data, per-order quantity, position/exposure, rate (and the exposure reserved)
//   order-requests.ts — the clientOrderId recorded before anything can leave (idempotency, crash recovery)
//   confirmations.ts  — the person's approval at the desktop, then the guard again at that moment
//   submit.ts         — the durable audit row, then the order goes to the add-on (a cancel_replace
//                       first cancels its old order, replace.ts, and sends the new one only once it is Cancelled)
// and around it: kill-switch.ts, exposure.ts (reservations, rate), recovery.ts (crash recovery and
// orders of unknown outcome), account-history.ts (activity, journal, watermarks), order-names.ts,
// risk-rules.ts (the person's account risk rules: a guard step, and a watcher on every P&L change).
// src/trading imports nothing from src/mcp, src/control or src/http (test/trading/layering.test.ts).
import type { AuditLog } from '../audit/audit.ts';
import { ActivityLog } from '../audit/activity.ts';
import type { EventBus } from '../events.ts';
import type { AddonLink } from '../ninjatrader/link.ts';
import type { DomainEvent } from '../ninjatrader/protocol.ts';
import type { GrantRecord } from '../oauth/service.ts';
import type { DB } from '../store/db.ts';
import { feedAccountHistory, type ActivityRow } from './account-history.ts';
import { Confirmations, type OrderConfirmation } from './confirmations.ts';
import { Exposure, OrderRate, type Reservation } from './exposure.ts';
import { assertAccount, assertConnected, GUARD_STEPS, RECHECK_STEPS, runGuard, type GuardEnv } from './guard.ts';
import { Journal } from './journal.ts';
import { KillSwitch, type KillSwitchState } from './kill-switch.ts';
import { orderRequests, type OrderRequests } from './order-requests.ts';
import { presentOrder, wireName } from './order-names.ts';
import { previewTrade, type TradePreview } from './preview.ts';
import { Recovery, type ResolveUnknownBody, type ResolveUnknownResult, type UnknownOrder } from './recovery.ts';
import { asSentence, Refusal } from './refusal.ts';
import { submit } from './submit.ts';
import { cancelForReplace } from './replace.ts';
import { flattenAsPerson, type DesktopFlattenTarget } from './desktop-flatten.ts';
import { DEFAULT_TRADING_OPTIONS, describe, RISK_INCREASING, type ExecuteWait, type PlaceAction, type TradeAction, type TradeResult, type TradingOptions } from './types.ts';
import { Watermarks } from './watermarks.ts';
import { AccountRiskRules } from './risk-rules.ts';

// The names other modules have always imported from here.
export { CLIENT_ORDER_ID_MAX, clientTag, presentName, presentOrder, wireName } from './order-names.ts';
export { DEFAULT_TRADING_OPTIONS, describe, describeChange } from './types.ts';
export type { TradePreview } from './preview.ts';
export type { ExecuteWait, Side, TradeAction, TradeResult, TradingOptions } from './types.ts';

export interface TradingDeps extends Partial<TradingOptions> {
  db: DB;
  audit: AuditLog;
  bus: EventBus;
  link: AddonLink;
  now: () => number;
}

/** What the person's desktop (the control API) may do with the trading layer; no MCP tool reaches it. */
export interface TradingControl {
  confirmations(): OrderConfirmation[];
  /** Throws a Refusal (confirmation_not_found) when the confirmation is no longer pending. */
  decideConfirmation(id: string, decision: 'approve' | 'deny'): void;
  setKillSwitch(engaged: boolean): void;
  activity(q: { limit: number; before?: number }): { rows: ActivityRow[]; nextBefore: number | null };
  unknownOrders(): UnknownOrder[];
  resolveUnknown(body: ResolveUnknownBody, by: string): ResolveUnknownResult;
}

export class Trading {
  readonly opts: TradingOptions;
  readonly journal: Journal;
  readonly watermarks: Watermarks;
  readonly kill: KillSwitch;
  readonly exposure: Exposure;
  /** The account risk rules the person sets at the desktop (src/trading/risk-rules.ts). */
  readonly risk: AccountRiskRules;
  private readonly rate: OrderRate;
  private readonly requests: OrderRequests;
  private readonly pending: Confirmations;
  private readonly recovery: Recovery;
  private readonly activityLog: ActivityLog;
  private readonly offs: (() => void)[] = [];

  constructor(private readonly deps: TradingDeps) {
    this.opts = {
      confirmationTimeoutMs: deps.confirmationTimeoutMs ?? DEFAULT_TRADING_OPTIONS.confirmationTimeoutMs,
      addonTimeoutMs: deps.addonTimeoutMs ?? DEFAULT_TRADING_OPTIONS.addonTimeoutMs,
      waitingNoticeMs: deps.waitingNoticeMs ?? DEFAULT_TRADING_OPTIONS.waitingNoticeMs,
    };
    const { db, link, now } = deps;
    this.requests = orderRequests(db);
    // Activity rows are committed in batches, one transaction per turn of the event loop (an event flood).
    this.activityLog = new ActivityLog(db, deps.bus, now);
    this.kill = new KillSwitch(db, deps.audit, deps.bus, now);
    this.journal = new Journal(db);
    this.watermarks = new Watermarks(db, now);
    this.exposure = new Exposure(link);
    this.rate = new OrderRate(now);
    this.pending = new Confirmations({ audit: deps.audit, bus: deps.bus, link, now, timeoutMs: this.opts.confirmationTimeoutMs, waitingNoticeMs: this.opts.waitingNoticeMs });
    this.recovery = new Recovery({ db, audit: deps.audit, link, now, requests: this.requests, exposure: this.exposure, recordActivity: (k, m, a) => this.recordActivity(k, m, a) });
    const stopRecovery = this.recovery.recoverInterrupted();
    if (stopRecovery) this.offs.push(stopRecovery);
    this.offs.push(feedAccountHistory(link, this.journal, this.watermarks, this.activityLog));
    this.risk = new AccountRiskRules({
      db,
      audit: deps.audit,
      bus: deps.bus,
      mirror: () => link.mirror,
      watermarks: this.watermarks,
      now,
      exposure: (account, contract) => this.exposure.of(account, contract),
      contracts: (account) => this.exposure.contracts(account),
      flatten: (account, why) => this.flattenForRisk(account, why),
      activity: (kind, message, account) => this.recordActivity(kind, message, account),
    });
    this.offs.push(() => this.risk.close(), watchRiskRules(link, this.risk));
  }

  get link(): AddonLink {
    return this.deps.link;
  }

  now(): number {
    return this.deps.now();
  }

  /** What the guard pipeline reads. */
  get guardEnv(): GuardEnv {
    return { link: this.deps.link, killSwitch: this.kill, exposure: this.exposure, rate: this.rate, requests: this.requests, risk: this.risk };
  }

  close(): void {
    this.watermarks.flush();
    this.activityLog.flush();
    for (const off of this.offs) off();
    this.pending.close();
  }

  // ───────────────────────── the desktop's side ─────────────────────────

  killSwitch(): KillSwitchState {
    return this.kill.current();
  }

  setKillSwitch(engaged: boolean): void {
    // Orders waiting for a human decision are risk too: refuse the risk-increasing ones now.
    if (this.kill.set(engaged) && engaged) this.pending.closeRiskIncreasing();
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
    return this.pending.list();
  }

  unknownOrders(): UnknownOrder[] {
    return this.recovery.unknownOrders();
  }

  resolveUnknown(body: ResolveUnknownBody, by: string): ResolveUnknownResult {
    return this.recovery.resolveUnknown(body, by);
  }

  control(): TradingControl {
    return {
      confirmations: () => this.confirmations(),
      decideConfirmation: (id, decision) => {
        if (!this.pending.has(id)) {
          throw new Refusal('confirmation_not_found', 'No such pending confirmation (already decided, expired or cancelled by the client).');
        }
        this.pending.finish(id, decision === 'approve' ? 'approved' : 'denied');
      },
      setKillSwitch: (engaged) => this.setKillSwitch(engaged),
      activity: (q) => this.activity(q),
      unknownOrders: () => this.unknownOrders(),
      resolveUnknown: (body, by) => this.resolveUnknown(body, by),
    };
  }

  // ───────────────────────── account allowlist (read tools too) ─────────────────────────

  /** The accounts a grant may see, or throws naming the allowed ones. */
  assertAccount(grant: GrantRecord, account: string): void {
    assertAccount(grant, account);
  }

  /** Resolves an optional account argument: explicit → checked; omitted → every allowed account. */
  accountsFor(grant: GrantRecord, account: string | undefined): string[] {
    if (account !== undefined) {
      assertAccount(grant, account);
      return [account];
    }
    return grant.accounts;
  }

  assertConnected(): void {
    assertConnected(this.deps.link);
  }

  /** The person's Flatten buttons (desktop-flatten.ts): no grant, no prompt, audited as `by`. */
  flattenAsPerson(target: DesktopFlattenTarget, by: string, tool?: string): Promise<TradeResult> {
    return flattenAsPerson({ link: this.deps.link, audit: this.deps.audit, timeoutMs: this.opts.addonTimeoutMs }, target, by, tool);
  }

  // ───────────────────────── the guarded path ─────────────────────────

  /**
   * What execute() would do with this action now, without doing any of it: the same guard steps in
   * preview mode (no reservation, no prompt, no rate counted, no audit row of its own) and the facts.
   */
  preview(grant: GrantRecord, tool: string, action: TradeAction): TradePreview {
    return previewTrade(this.guardEnv, grant, tool, action);
  }

  /**
   * Runs one trade action through every guard. A "no" is thrown as a Refusal; the caller's tool
   * call is the one audit row that records it (src/mcp/endpoint.ts), so it is not written here.
   */
  async execute(grant: GrantRecord, tool: string, action: TradeAction, wait: ExecuteWait): Promise<TradeResult> {
    // 1-5. The guard: checked and reserved in one synchronous step (guard.ts).
    const verdict = runGuard(this.guardEnv, grant, tool, action, 'execute', GUARD_STEPS);
    if (verdict.stoppedBy === 'idempotency' && action.kind === 'place') return this.duplicate(grant, action);
    let held: Reservation | null = verdict.reservation;
    try {
      // 6. Idempotency: the client order id is recorded before the order can leave.
      if (action.kind === 'place') {
        const reserved = this.requests.reserve.run({
          client_id: grant.clientId,
          client_order_id: action.clientOrderId,
          grant_id: grant.id,
          request: JSON.stringify(action),
          now: this.deps.now(),
        }).changes;
        if (reserved !== 1 && !this.reopenCancelled(grant, action)) return this.duplicate(grant, action);
      }
      return await this.guarded(grant, tool, action, wait, () => held, (r) => (held = r));
    } finally {
      // Answered, refused, denied, cancelled or failed: the mirror (or nothing) carries it now.
      if (held && !held.unknown) this.exposure.release(held.id);
    }
  }

  private async guarded(grant: GrantRecord, tool: string, action: TradeAction, wait: ExecuteWait, held: () => Reservation | null, hold: (r: Reservation | null) => void): Promise<TradeResult> {
    const settle = (status: string, result: unknown) => {
      if (action.kind !== 'place') return;
      this.requests.settle.run({ client_id: grant.clientId, client_order_id: action.clientOrderId, status, result: JSON.stringify(result), now: this.deps.now() });
    };

    // 7. Human confirmation at the desktop.
    if (grant.confirmPolicy === 'always') {
      const decision = await this.pending.ask(grant, tool, action, wait);
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
        const mine = held();
        if (mine) this.exposure.release(mine.id);
        hold(null);
        hold(runGuard(this.guardEnv, grant, tool, action, 'execute', RECHECK_STEPS).reservation);
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
        also: action.kind === 'place' ? () => this.requests.markSent.run({ client_id: grant.clientId, client_order_id: action.clientOrderId, now: this.deps.now() }) : undefined,
      },
    );
    if (RISK_INCREASING.has(action.kind)) this.rate.note(grant.id);
    // 9. The add-on's answer: the idempotency record and the audit row are written together.
    const record = (outcome: 'ok' | 'error' | 'unknown', status: string, payload: unknown, detail: string) =>
      this.deps.audit.record(
        { kind: 'trade', event: 'trade.result', clientId: grant.clientId, grantId: grant.id, tool, outcome, detail },
        { also: () => settle(status, payload) },
      );
    // cancel_replace: the old order first; the new one leaves only once NinjaTrader reports it Cancelled.
    if (action.kind === 'place' && action.replace) {
      const notDone = await cancelForReplace(this.deps.link, this.kill, action, this.opts.addonTimeoutMs);
      if (notDone) {
        // Settled (not 'unknown': the new order was never sent): a retry replays this answer.
        record(notDone.outcome === 'unknown' ? 'unknown' : 'error', 'rejected', { error: notDone.code, message: notDone.message, ...notDone.data }, `${notDone.code}: ${notDone.message}`);
        throw notDone;
      }
    }
    try {
      let result = await submit(this.deps.link, grant, action, this.opts.addonTimeoutMs);
      if (action.kind === 'place' && action.replace) {
        result = { ...result, status: 'replaced', cancelled: [action.replace.orderId], message: `Order ${action.replace.orderId} is Cancelled; replaced with ${result.message}` };
      }
      // The request row says 'placed' for a replacement too (recovery and reconciliation read it so).
      record('ok', result.status === 'replaced' ? 'placed' : result.status, result, result.message);
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
        // addon_outdated is the companion's own refusal (the add-on cannot carry it): not NinjaTrader's words.
        err = new Refusal(code === 'internal' ? 'rejected' : code, code === 'addon_outdated' ? why : `NinjaTrader rejected it: ${why}`, {}, 'error');
      }
      record(err.outcome === 'unknown' ? 'unknown' : 'error', status, { error: err.code, message: err.message }, `${err.code}: ${err.message}`);
      throw err;
    }
  }

  /**
   * A risk rule broke with onBreach flatten_and_lock: the companion flattens the account on the
   * person's behalf. Audited like every trade (a durable submit row, then the result), with no client
   * and tool `risk.flatten`; the kill switch does not stop a flatten, the calendar may (market closed).
   */
  /** A broken risk rule with flatten_and_lock: the person's flatten path, done by the companion for them. */
  private async flattenForRisk(account: string, why: string): Promise<void> {
    try {
      const r = await this.flattenAsPerson({ account }, `the companion on the person's behalf, because a risk rule broke (${why})`, 'risk.flatten');
      this.recordActivity('risk', `Flattened ${account} (risk rule): ${r.message}`, account);
    } catch (e) {
      this.recordActivity('risk', `Flatten ${account} for a broken risk rule failed: ${asSentence((e as Error).message)} It is retried while the account is locked and holds a position; flatten it in NinjaTrader if this persists.`, account);
      throw e;
    }
  }

  /** A request the client cancelled before anyone decided sent nothing: a retry may use its id again. */
  private reopenCancelled(grant: GrantRecord, action: PlaceAction): boolean {
    return (
      this.requests.reopen.run({ client_id: grant.clientId, client_order_id: action.clientOrderId, grant_id: grant.id, request: JSON.stringify(action), now: this.deps.now() }).changes === 1
    );
  }

  /** A retry with a client order id already seen: return the first result, never place again. */
  private duplicate(grant: GrantRecord, action: PlaceAction): TradeResult {
    const row = this.requests.get.get(grant.clientId, action.clientOrderId) as { status: string; result: string | null; request: string } | undefined;
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
        this.requests.settle.run({ client_id: grant.clientId, client_order_id: action.clientOrderId, status: 'placed', result: JSON.stringify(result), now: this.deps.now() });
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
}

/** The risk watcher: every account or position change re-checks that account's rules; a snapshot re-checks them all. */
function watchRiskRules(link: AddonLink, risk: AccountRiskRules): () => void {
  const onEvent = (ev: DomainEvent) => {
    if (ev.kind === 'account') risk.onAccountChange(ev.account.name);
    else if (ev.kind === 'position') risk.onAccountChange(ev.position.account);
  };
  const onSnapshot = () => risk.sweep();
  link.on('event', onEvent);
  link.on('snapshot', onSnapshot);
  return () => {
    link.off('event', onEvent);
    link.off('snapshot', onSnapshot);
  };
}
