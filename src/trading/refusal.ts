// A trading action that did not happen, or whose result is not known, said once by the domain:
// a stable machine-readable code, a sentence for the person and the model, and the audit outcome.
// The domain never speaks MCP or HTTP: src/mcp maps a Refusal to a tool error (isError + text +
// code), the control API maps it to an HTTP status. Codes and their outcomes are decided here.
import type { AuditEntry } from '../audit/audit.ts';

/** How the audit records an action that did not happen (every audit outcome but 'ok'). */
export type FailedOutcome = Exclude<AuditEntry['outcome'], 'ok'>;

/**
 * Every code a tool error can carry, with its audit outcome. docs/tools.md lists them (a test
 * keeps the two in step). Codes are stable: clients and models may act on them.
 */
export const REFUSAL_CODES = {
  invalid_arguments: 'error',
  account_not_allowed: 'refused',
  unknown_account: 'error',
  unknown_instrument: 'error',
  unknown_order: 'error',
  no_market_data: 'error',
  insufficient_scope: 'refused',
  kill_switch_engaged: 'refused',
  limit_max_order_quantity: 'refused',
  limit_max_position: 'refused',
  limit_orders_per_minute: 'refused',
  duplicate_in_progress: 'refused',
  confirmation_denied: 'denied',
  confirmation_timeout: 'denied',
  cancelled_by_client: 'cancelled',
  outcome_unknown: 'unknown',
  addon_disconnected: 'error',
  addon_timeout: 'error',
  addon_error: 'error',
  addon_outdated: 'error',
  unknown_side: 'refused',
  position_mismatch: 'refused',
  account_data_incomplete: 'refused',
  market_closed: 'error',
  rejected: 'error',
  internal_error: 'error',
  confirmation_not_found: 'error',
  // The account's risk rules (src/trading/risk-rules.ts), set only at the desktop.
  risk_daily_loss: 'refused',
  risk_trailing_drawdown: 'refused',
  risk_max_contracts: 'refused',
  risk_outside_hours: 'refused',
  account_locked: 'refused',
  // cancel_replace (src/trading/replace.ts): the order to replace is not this client's own, or the
  // old order was not cancelled (filled, rejected cancel, filled more meanwhile): nothing new placed.
  order_not_yours: 'refused',
  replace_not_done: 'error',
} as const satisfies Record<string, FailedOutcome>;

export type RefusalCode = keyof typeof REFUSAL_CODES;

export class Refusal extends Error {
  readonly outcome: FailedOutcome;
  /**
   * @param code a code of REFUSAL_CODES, or a code NinjaTrader gave for a rejection (outcome error)
   * @param data facts the client may act on (allowed accounts, the clientOrderId to reconcile, …)
   */
  constructor(
    readonly code: RefusalCode | (string & {}),
    message: string,
    readonly data: Record<string, unknown> = {},
    outcome?: FailedOutcome,
  ) {
    super(message);
    this.name = 'Refusal';
    this.outcome = outcome ?? (REFUSAL_CODES as Record<string, FailedOutcome>)[code] ?? 'error';
  }
}

/** Ends a message from elsewhere (NinjaTrader, the link) as a sentence: "… for a buy stop" → "… for a buy stop.". */
export function asSentence(text: string): string {
  const t = text.trim();
  return /[.!?)]$/.test(t) ? t : `${t}.`;
}
