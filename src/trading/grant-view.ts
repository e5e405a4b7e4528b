// What one grant may read. Every MCP read tool (and get_status) reads through this view, never the
// mirror, journal, watermarks or activity log directly: the grant's accounts filter every answer in
// this one place (issue 9 item 8, docs/security.md "Dashboard and grants"). The dashboard, which
// is the person, reads the unfiltered sources through the control API.
import type { AddonLink } from '../ninjatrader/link.ts';
import type { ActivityRow } from './account-history.ts';
import type { Account, Execution, Order, Position } from '../ninjatrader/protocol.ts';
import type { GrantRecord } from '../oauth/service.ts';
import type { JournalTrade } from './journal.ts';
import { presentOrder, wireName, type Trading } from './trading.ts';
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

  // Orders and fills of every client on a granted account are shown (they are the account's real
  // exposure), but a name is shown only to the client that gave it: another client's reads
  // "another MCP client" (docs/security.md, "Order identity").
  orders(account?: string, opts: { working?: boolean } = {}): Order[] {
    return this.accounts(account).flatMap((n) => this.mirror.orders(n, opts)).map((o) => presentOrder(this.grant.clientId, o));
  }

  /** By NinjaTrader's order id only. */
  orderById(account: string, orderId: string): Order | undefined {
    this.trading.assertAccount(this.grant, account);
    const o = this.mirror.orderById(account, orderId);
    return o && o.account === account ? presentOrder(this.grant.clientId, o) : undefined;
  }

  /** By this client's own clientOrderId only (its namespaced wire name), never another client's. */
  ownOrder(account: string, clientOrderId: string): Order | undefined {
    this.trading.assertAccount(this.grant, account);
    const o = this.mirror.orderByName(account, wireName(this.grant.clientId, clientOrderId));
    return o && o.account === account ? presentOrder(this.grant.clientId, o) : undefined;
  }

  executions(account?: string, opts: { orderId?: string } = {}): Execution[] {
    return this.accounts(account)
      .flatMap((n) => this.mirror.executions(n, opts))
      .map((e) => {
        if (e.orderName === null) return e; // a fill with no order (ATM child, manual)
        const orderName = presentOrder(this.grant.clientId, { name: e.orderName }).name;
        return orderName === e.orderName ? e : { ...e, orderName };
      });
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

  /** The link's state with only the granted accounts it reports, and only the connections those accounts use. */
  linkState(): ReturnType<AddonLink['state']> {
    const state = this.trading.link.state();
    const reported = new Set(state.accounts);
    const granted = new Set(this.grant.accounts);
    const connections = state.connections
      .map((c) => ({ ...c, accounts: c.accounts.filter((a) => granted.has(a)) }))
      .filter((c) => c.accounts.length > 0);
    return { ...state, accounts: this.grant.accounts.filter((a) => reported.has(a)), connections };
  }
}
