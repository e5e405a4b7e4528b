// The confirmation queue: an action waiting for the person at the desktop to approve or deny it.
// The person sees it in the dashboard (the control API lists and decides these); the client's call
// waits, hears "still waiting" notices, and may cancel (which closes the prompt, nothing sent).
import type { AuditLog } from '../audit/audit.ts';
import type { EventBus } from '../events.ts';
import type { AddonLink } from '../ninjatrader/link.ts';
import type { GrantRecord } from '../oauth/service.ts';
import { randomId } from '../util/crypto.ts';
import { describe, describeChange, RISK_INCREASING, type ExecuteWait, type TradeAction } from './types.ts';

export interface OrderConfirmation {
  id: string;
  clientId: string;
  clientName: string;
  tool: string;
  /** Human sentence: "Buy 2 ES 12-26 LIMIT @ 5000.00 on Sim101". */
  summary: string;
  account: string;
  instrument: string | null;
  side: string | null;
  quantity: number | null;
  orderType: string | null;
  limitPrice: number | null;
  stopPrice: number | null;
  /** Dollar risk estimate where computable (e.g. distance to stop × point value × qty), else null. */
  estimatedRisk: number | null;
  /** modify_order: the order as it is now (quantity, filled, prices), shown next to the new values. */
  current?: { quantity: number; filled: number; limitPrice: number | null; stopPrice: number | null } | null;
  simulated: boolean;
  createdAt: string;
  expiresAt: string;
}

/**
 * How a pending order confirmation ended: the person decided, nobody did in time, the client
 * cancelled, or engaging the kill switch closed it (not the person's "deny").
 */
export type ConfirmationDecision = 'approved' | 'denied' | 'expired' | 'cancelled' | 'kill_switch';

interface Pending {
  confirmation: OrderConfirmation;
  kind: TradeAction['kind'];
  resolve: (d: ConfirmationDecision) => void;
}

export interface ConfirmationsDeps {
  audit: AuditLog;
  bus: EventBus;
  link: AddonLink;
  now: () => number;
  timeoutMs: number;
  waitingNoticeMs: number;
}

export class Confirmations {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly deps: ConfirmationsDeps) {}

  list(): OrderConfirmation[] {
    return [...this.pending.values()].map((p) => p.confirmation);
  }

  has(id: string): boolean {
    return this.pending.has(id);
  }

  finish(id: string, decision: ConfirmationDecision): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.deps.bus.emit({ type: 'confirmation.decided', id, decision });
    p.resolve(decision);
  }

  /** The kill switch was engaged: actions waiting for a decision that add risk are closed now. */
  closeRiskIncreasing(): void {
    for (const [id, p] of this.pending) {
      if (RISK_INCREASING.has(p.kind)) this.finish(id, 'kill_switch');
    }
  }

  /** The companion is closing: every prompt expires. */
  close(): void {
    for (const p of this.pending.values()) p.resolve('expired');
    this.pending.clear();
  }

  /** What the person is shown for this action. */
  build(grant: GrantRecord, tool: string, action: TradeAction): OrderConfirmation {
    const now = this.deps.now();
    // A change is shown with the order it changes: instrument, side, and what it is now → what it becomes.
    const target = action.kind === 'modify' ? this.deps.link.mirror.orderById(action.account, action.orderId) : undefined;
    return {
      id: randomId('cnf'),
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
      expiresAt: new Date(now + this.deps.timeoutMs).toISOString(),
    };
  }

  /** Opens a prompt for the person and waits for its end; the decision is audited. */
  async ask(grant: GrantRecord, tool: string, action: TradeAction, wait: ExecuteWait): Promise<ConfirmationDecision> {
    const confirmation = this.build(grant, tool, action);
    const id = confirmation.id;
    const { signal, onWaiting } = wait;
    const total = this.deps.timeoutMs;
    // Hosts give up on a silent call after their own timeout (60 s by default in the MCP SDK);
    // saying "still waiting" lets those that reset their timeout on progress keep waiting.
    // Elapsed time is counted in notices, like the expiry timer it mirrors (both real time), so it
    // grows with every notice as MCP requires of progress, whatever the injected clock does.
    let notices = 0;
    const notice = () => {
      const elapsed = Math.min(total, notices++ * this.deps.waitingNoticeMs);
      onWaiting?.({ message: `Waiting for the person to approve "${confirmation.summary}" in NT MCP Companion (${clock(total - elapsed)} left).`, elapsedMs: elapsed, totalMs: total });
    };
    const decision = await new Promise<ConfirmationDecision>((resolve) => {
      const timer = setTimeout(() => this.finish(id, 'expired'), total);
      const ticker = onWaiting ? setInterval(notice, this.deps.waitingNoticeMs) : undefined;
      // The client cancelled (or its own timeout fired): close the prompt now, place nothing.
      const onAbort = () => this.finish(id, 'cancelled');
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
}

/** 95_000 ms → "1:35". */
function clock(ms: number): string {
  const secs = Math.ceil(ms / 1000);
  return `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, '0')}`;
}
