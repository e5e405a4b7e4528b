// The person's Flatten buttons (the dashboard's Trading view, issue 11): the flatten path without
// a grant and without a confirmation prompt — the person at the desktop is the one asking —
// audited as `by` (durable before it leaves, then the answer). Never past a link that is down; the
// caller checks the market calendar first, and NinjaTrader's own refusal (a closed market) comes
// back as a Refusal with its sentence. No MCP tool reaches this.
import type { AuditLog } from '../audit/audit.ts';
import type { AddonLink } from '../ninjatrader/link.ts';
import { assertConnected } from './guard.ts';
import { asSentence, Refusal } from './refusal.ts';
import { submit } from './submit.ts';
import { describe, type TradeAction, type TradeResult } from './types.ts';

/** One position or every position of one account (`instruments` omitted), or every listed account. */
export type DesktopFlattenTarget = { account: string; instruments?: string[] } | { accounts: string[] };

/**
 * `by` names who acts (the person, or the companion on their behalf); `tool` is the audit rows' tool
 * (the risk rules' flatten is `risk.flatten`, the person's buttons have none).
 */
export async function flattenAsPerson(deps: { link: AddonLink; audit: AuditLog; timeoutMs: number }, target: DesktopFlattenTarget, by: string, tool?: string): Promise<TradeResult> {
  assertConnected(deps.link);
  const action: TradeAction =
    'accounts' in target
      ? { kind: 'flattenEverything', accounts: target.accounts }
      : { kind: 'flatten', account: target.account, ...(target.instruments?.length ? { instrument: target.instruments[0], instruments: target.instruments } : {}) };
  deps.audit.record({ kind: 'trade', event: 'trade.submit', tool, args: action, outcome: 'ok', detail: `${by}: ${describe(action)}` }, { durable: true });
  try {
    const result = await submit(deps.link, null, action, deps.timeoutMs);
    deps.audit.record({ kind: 'trade', event: 'trade.result', tool, outcome: 'ok', detail: `${by}: ${result.message}` });
    return result;
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'rejected';
    const err =
      code === 'addon_timeout'
        ? new Refusal('outcome_unknown', `Outcome unknown: NinjaTrader did not answer "${describe(action)}" in time. It was NOT retried: check the positions before trying again.`)
        : code === 'addon_disconnected'
          ? new Refusal('addon_disconnected', 'Not flattened: NinjaTrader is not connected, so nothing was sent.')
          : new Refusal(code, `NinjaTrader refused it: ${asSentence((e as Error).message)}`, {}, 'error');
    deps.audit.record({ kind: 'trade', event: 'trade.result', tool, outcome: err.outcome === 'unknown' ? 'unknown' : 'error', detail: `${by}: ${err.code}: ${err.message}` });
    throw err;
  }
}
