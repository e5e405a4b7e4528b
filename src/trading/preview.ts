// A dry run of the guarded path: the same guard pipeline place_order runs (guard.ts), in mode
// 'preview' — nothing reserved, nobody prompted, nothing recorded or sent — and what the action
// would do (facts.ts). preview_order returns it.
import type { GrantRecord } from '../oauth/service.ts';
import { GUARD_STEPS, guardStepOf, runGuard, type GuardEnv } from './guard.ts';
import { tradeFacts, type TradeFacts } from './facts.ts';
import { Refusal } from './refusal.ts';
import { describe, type TradeAction } from './types.ts';

export interface TradePreview {
  /** The guard would let it through (then the person is asked, if confirmation is on). */
  allowed: boolean;
  /** What place_order would refuse with, word for word, and the guard step that refuses; null when allowed. */
  refusal: { code: string; message: string; check: string } | null;
  /** This clientOrderId was already used: place_order would return its first result and place nothing new. */
  duplicate: boolean;
  /** "Buy 1 ES 12-26 MARKET DAY on Sim101". */
  summary: string;
  account: string;
  facts: TradeFacts;
  /** Whether the desktop would ask the person to approve it (the grant's confirmation policy). */
  confirmation: { required: boolean; reason: string };
  /** The per-client position limit's view of the account's exposure in this root (working and pending orders included). */
  exposure: { root: string; before: number; after: number; max: number } | null;
}

export function previewTrade(env: GuardEnv, grant: GrantRecord, tool: string, action: TradeAction): TradePreview {
  let refusal: TradePreview['refusal'] = null;
  let duplicate = false;
  let exposure: TradePreview['exposure'] = null;
  try {
    const v = runGuard(env, grant, tool, action, 'preview', GUARD_STEPS);
    duplicate = v.stoppedBy === 'idempotency';
    const lv = v.ctx.limitView;
    if (lv) exposure = { root: lv.root, before: lv.before, after: lv.after, max: lv.max };
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    refusal = { code: e.code, message: e.message, check: guardStepOf(e) ?? 'arguments' };
  }
  const allowed = refusal === null && !duplicate;
  const required = grant.confirmPolicy === 'always';
  return {
    allowed,
    refusal,
    duplicate,
    summary: describe(action),
    account: 'account' in action ? action.account : action.accounts.join(', '),
    facts: tradeFacts(env.link, action),
    confirmation: {
      required: allowed && required,
      reason: !allowed
        ? 'Not asked: the order would not get that far.'
        : required
          ? 'This client\'s grant asks the person at the desktop to approve every trade.'
          : 'This client\'s grant trades without asking the person (confirmation turned off at the desktop).',
    },
    exposure,
  };
}
