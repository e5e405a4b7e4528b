// What one grant may read. Every MCP read tool (and get_status) reads through this view, never the
// mirror, journal, watermarks or activity log directly: the grant's accounts filter every answer in
// this one place (issue 9 item 8, docs/security.md "Dashboard and grants"). The dashboard, which
// is the person, reads the unfiltered sources through the control API.
import type { ActivityRow, LinkState } from '../control/contract.ts';
import type { Account, Execution, Order, Position } from '../ninjatrader/protocol.ts';
import type { GrantRecord } from '../oauth/service.ts';
import type { JournalTrade } from './journal.ts';
import type { Trading } from './trading.ts';
import type { Watermark } from './watermarks.ts';

export class GrantView {
  constructor(
    private readonly trading: Trading,
    readonly grant: GrantRecord,
  ) {}

  private get mirror() {
    return this.trading.link.mirror;
  }

  /** An account argument: given → must be granted (else the account_not_allowed refusal); omitted → every granted account. */
  accounts(account?: string): string[] {
    return this.trading.accountsFor(this.grant, account);
  }

  account(name: string): Account | undefined {
    this.trading.assertAccount(this.grant, name);
    return this.mirror.account(name);
  }

  /** Granted accounts the link reports right now, in the grant's order. */
  reportedAccounts(): Account[] {
    return this.accounts().flatMap((n) => this.mirror.account(n) ?? []);
  }

  positions(account?: string): Position[] {
    return this.accounts(account).flatMap((n) => this.mirror.positions(n));
  }

  orders(account?: string, opts: { working?: boolean } = {}): Order[] {
    return this.accounts(account).flatMap((n) => this.mirror.orders(n, opts));
  }

  order(account: string, idOrName: string): Order | undefined {
    this.trading.assertAccount(this.grant, account);
    const o = this.mirror.order(account, idOrName);
    return o && o.account === account ? o : undefined;
  }

  executions(account?: string, opts: { orderId?: string } = {}): Execution[] {
    return this.accounts(account).flatMap((n) => this.mirror.executions(n, opts));
  }

  journal(account: string | undefined, q: { limit: number; instrument?: string }): JournalTrade[] {
    return this.trading.journal.list(this.accounts(account), q);
  }

  watermarks(account?: string): Watermark[] {
    return this.trading.watermarks.get(this.mirror, this.accounts(account));
  }

  /** The link's own rows and this grant's accounts' rows; never rows about other or all accounts. */
  activity(q: { limit: number; before?: number }): { rows: ActivityRow[]; nextBefore: number | null } {
    return this.trading.activity({ ...q, accounts: this.grant.accounts });
  }

  /** The link's state with only the granted accounts it reports. */
  linkState(): LinkState {
    const state = this.trading.link.state();
    const reported = new Set(state.accounts);
    return { ...state, accounts: this.grant.accounts.filter((a) => reported.has(a)) };
  }
}
