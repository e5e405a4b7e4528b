// The control API's one typed contract (docs/control-api.md). The core implements it in
// src/control/api.ts; the renderer and the CLI consume it. Types and plain constants only:
// importing this file pulls in no other module at run time, so the renderer may import it.

export const CONTROL_PREFIX = '/control/v1';

export type Scope = 'mcp:read' | 'mcp:trade';
/** Space-separated scope string as granted: "mcp:read" or "mcp:read mcp:trade". */
export type ScopeString = 'mcp:read' | 'mcp:read mcp:trade';
/** Whether each trade action waits for a human decision in the desktop app. */
export type ConfirmPolicy = 'always' | 'never';

export interface GrantLimits {
  /** Largest quantity one order may have. */
  maxOrderQuantity: number;
  /** Largest absolute net position per instrument and account after the order. */
  maxPositionPerInstrument: number;
  /** Most risk-increasing order actions per rolling 60 s. */
  maxOrdersPerMinute: number;
}

export type LinkStatus = 'connected' | 'waiting' | 'disconnected';

export interface LinkState {
  /** 'simulator' = the built-in NT8 simulator; 'addon' = a real NT8 add-on. */
  mode: 'simulator' | 'addon';
  status: LinkStatus;
  simulated: boolean;
  nt8Version: string | null;
  addonVersion: string | null;
  /** The protocol major (1) while connected, else null. */
  protocolVersion: number | null;
  /** The negotiated minor while connected (0 for a 1.0 add-on, 1 for 1.1), else null. */
  protocolMinor: number | null;
  /** "1.1" / "1.0" while connected, else null: the version to show. */
  protocol: string | null;
  accounts: string[];
  /**
   * The NT8 connections the link reports (several are common: a broker and a data feed), each with
   * its order-routing status, its price-feed status (null when the add-on does not report it) and
   * its accounts. A ConnectionStatus, or "Unknown" for a value this companion does not know.
   */
  connections: LinkConnection[];
  /** ISO time the status last changed. */
  since: string;
  /** Human sentence for the UI ("Connected to the built-in NT8 simulator", …). */
  detail: string;
}

export interface LinkConnection {
  name: string;
  /** Order routing: Connected, Connecting, ConnectionLost, Disconnected, Disconnecting or Unknown. */
  status: string;
  /** Price feed, same values; null when not reported. */
  priceStatus: string | null;
  accounts: string[];
}

export interface Status {
  version: string;
  mcpUrl: string;
  dashboardUrl: string;
  link: LinkState;
  killSwitch: { engaged: boolean; since: string | null };
  pending: { consents: number; confirmations: number };
}

export interface PendingConsent {
  id: string;
  clientId: string;
  /** Self-declared by the client at registration: show it as such. */
  clientName: string;
  redirectUri: string;
  /** The host of an http(s) redirect; for an app's private-use scheme only the scheme ("evil-app://"). */
  redirectHost: string;
  /**
   * How to name where the browser is sent back, ready to show: the host ("claude.ai",
   * "127.0.0.1:33418") or "an app registered as evil-app://" (the text after a custom scheme is
   * whatever the app chose, never a host to trust).
   */
  redirectLabel: string;
  requestedScope: ScopeString;
  /** Accounts the person can choose from (the NT8 link's accounts). */
  availableAccounts: string[];
  createdAt: string;
  expiresAt: string;
  /**
   * Set when this client already holds a live grant: the request would replace it (typically a
   * step-up from mcp:read to mcp:trade). Approving supersedes that grant and its tokens; denying
   * leaves it as it is. null for a client's first authorization.
   */
  upgradeOf: { scope: ScopeString; accounts: string[]; grantedAt: string } | null;
  /**
   * For a client identified by a Client ID Metadata Document (its client_id is an https URL):
   * the host that served the document, fetched and validated by the companion. null for a
   * dynamically registered client, whose name is only self-declared.
   */
  verifiedHost: string | null;
}

export interface ApproveConsentBody {
  scope?: ScopeString;
  /** Accounts the client may see and trade; default: every available account. */
  accounts?: string[];
  confirmPolicy?: ConfirmPolicy;
  limits?: Partial<GrantLimits>;
}

export interface AuthorizedClient {
  id: string;
  name: string;
  scope: ScopeString;
  accounts: string[];
  confirmPolicy: ConfirmPolicy;
  limits: GrantLimits;
  createdAt: string;
  lastUsedAt: string | null;
  callCount: number;
  /** The host that served the client's metadata document (https client_id), else null. */
  verifiedHost: string | null;
}

/**
 * The one audit outcome taxonomy, used by every path that writes an audit row (MCP tool calls,
 * trading, authorization, control actions) and by the control API's and the dashboard's filters.
 * Rows written before the taxonomy existed only used ok / error / denied; they display as written.
 */
export const AUDIT_OUTCOMES = {
  ok: 'It happened as asked (a read answered, an order sent and acknowledged, a token issued).',
  refused: "A rule of the companion said no before anything happened: scope, account allowlist, kill switch, a per-client limit, idempotency, an invalid or revoked credential.",
  denied: 'A person said no: they denied the consent or the order confirmation, or let it expire without approving it.',
  cancelled: 'The client cancelled (or stopped waiting) before a decision; nothing was sent.',
  error: 'It failed: bad arguments, unknown names, NinjaTrader not connected or rejecting the request, an internal failure.',
  unknown: 'The request left for NinjaTrader but no answer came in time: the outcome is not known and it was not retried.',
} as const satisfies Record<string, string>;

export type AuditOutcome = keyof typeof AUDIT_OUTCOMES;

export interface AuditRow {
  id: number;
  ts: string;
  /** 'tool' for MCP tool calls, 'auth' for authorization events, 'control' for control actions. */
  kind: 'tool' | 'auth' | 'control' | 'trade';
  event: string;
  clientId: string | null;
  clientName: string | null;
  grantId: string | null;
  tool: string | null;
  /** Arguments with secrets removed, capped in size; JSON text or null. */
  args: string | null;
  outcome: AuditOutcome;
  detail: string | null;
  latencyMs: number | null;
}

/** Query of GET /audit (newest first; `before` is the keyset cursor). */
export interface AuditQuery {
  limit?: number;
  before?: number;
  client?: string;
  tool?: string;
  outcome?: AuditOutcome;
}

export interface AuditPage {
  rows: AuditRow[];
  /** Pass as `before` to get the next (older) page; null when there is none. */
  nextBefore: number | null;
}

/**
 * How a pending consent ended: the person decided or let it expire; `superseded`: the same client
 * asked again (same redirect_uri and scope) and the newer request replaced it; `refused`: a cap on
 * pending requests evicted it; `withdrawn`: its browser page stopped waiting (the client went away).
 */
export type ConsentDecision = 'approved' | 'denied' | 'expired' | 'superseded' | 'refused' | 'withdrawn';

// Defined by the trading domain (src/trading), which must not import this file; the wire shape is theirs.
import type { OrderConfirmation, ConfirmationDecision } from '../trading/confirmations.ts';
export type { OrderConfirmation, ConfirmationDecision };
export type { UnknownOrderCandidate, UnknownOrder, ResolveUnknownBody, ResolveUnknownResult } from '../trading/recovery.ts';
import type { OrderSummary } from '../trading/types.ts';

export interface ActivityRow {
  id: number;
  ts: string;
  /** connect, disconnect, error, order, execution, refused, … */
  kind: string;
  message: string;
  /** The NT8 account the row is about; null = the link itself; '*' = every account (a snapshot). */
  account: string | null;
}

export type ControlEvent =
  | { type: 'hello'; status: Status }
  | { type: 'consent.created'; consent: PendingConsent }
  | { type: 'consent.decided'; id: string; decision: ConsentDecision }
  | { type: 'client.changed'; clientId: string }
  | { type: 'client.revoked'; clientId: string }
  | { type: 'audit'; row: AuditRow }
  | { type: 'link'; link: LinkState }
  | { type: 'confirmation.created'; confirmation: OrderConfirmation }
  | { type: 'confirmation.decided'; id: string; decision: ConfirmationDecision }
  | { type: 'killswitch'; engaged: boolean; /** When it was engaged (the companion's clock), null when released. */ since: string | null }
  | { type: 'activity'; row: ActivityRow }
  | RiskControlEvent
  | TradingAccountEvent;

/** Error body of every non-2xx control response. */
export interface ControlError {
  error: string;
  message: string;
}

// ── Account risk rules (docs/control-api.md "Risk rules"; src/trading/risk-rules.ts) ──────────────
// Set only here, at the desktop: no MCP tool changes them. The types live with the domain.
export type { OnBreach, RiskAccountState, RiskLock, RiskRules } from '../trading/risk-rules.ts';

/** A rule broke (the desktop notifies the person), or an account's rules or lock changed. */
export type RiskControlEvent =
  | {
      type: 'risk.breach';
      account: string;
      /** risk_daily_loss, risk_trailing_drawdown, risk_outside_hours */
      code: string;
      message: string;
      /** What the companion did: refused new risk only, or flattened and locked the account. */
      action: 'refuse' | 'flatten_and_lock';
      at: string;
    }
  | { type: 'risk.changed'; account: string };

// ── Trading view (issue 11, the dashboard's Trading view; docs/control-api.md "Trading") ──────────

/** Who placed a working order or an execution's order, as the person sees it. */
export interface DeskPlacedBy {
  /** `mcp`: an MCP client's order (its name is `mcp:<12-hex tag>:<clientOrderId>`); `ninjatrader`: any other (manual, NT8's own "Close position", an ATM's "Stop1"). */
  kind: 'mcp' | 'ninjatrader';
  /** The client's id when its tag matches a known client, else null. */
  clientId: string | null;
  /** Display-safe: the client's name, "an unknown MCP client" for a tag no client has, or "NinjaTrader" / the order's own name. */
  label: string;
  /** The client's own clientOrderId (kind `mcp`), else null. */
  clientOrderId: string | null;
}

export interface DeskPosition {
  instrument: string;
  /** Long, Short, or Unknown (NinjaTrader said something this companion does not know). */
  side: string;
  quantity: number;
  averagePrice: number;
  unrealizedPnL: number;
}

/** A working order in the Trading view: the order (its name display-safe) and who placed it. */
export interface DeskOrder extends OrderSummary {
  placedBy: DeskPlacedBy;
  /** The ATM template managing it, when the order says so (an `atm` field), else null. */
  atm: string | null;
  /** A bracket or ATM child: the entry order it belongs to (a `parentName` field), else null. */
  parentName: string | null;
  /** "ATM “2 targets” child of …", "Bracket child of …" — ready to show, null for a plain order. */
  role: string | null;
}

export interface DeskExecution {
  executionId: string;
  orderId: string | null;
  instrument: string;
  action: string;
  quantity: number;
  price: number;
  time: string;
  commission: number;
  placedBy: DeskPlacedBy;
}

/** One sample of the session's P&L (realized since the session start + unrealized) and its high-water mark. */
export interface PnlPoint {
  time: string;
  pnl: number;
  high: number;
}

export interface DeskAccount {
  name: string;
  displayName: string;
  /** ISO 4217 code (or NT8's own currency name): every amount of this account is in it. */
  currency: string;
  simulated: boolean;
  netLiquidation: number;
  realizedPnL: number;
  unrealizedPnL: number;
  /** Start of the trading session the P&L counts from (src/market/calendar.ts). */
  sessionStart: string;
  /** Session P&L now, its high-water mark, and the drawdown from it (high − pnl, ≥ 0). */
  pnl: number;
  pnlHigh: number;
  drawdown: number;
  positions: DeskPosition[];
  /** Working orders (not filled, cancelled or rejected), oldest first (at most 500). */
  orders: DeskOrder[];
  /** This session's executions, newest first (at most 500). */
  executions: DeskExecution[];
}

export interface TradingDesk {
  accounts: DeskAccount[];
  /** Per account: the session's P&L samples, oldest first (at most one a second while it changes). */
  series: Record<string, PnlPoint[]>;
  /** The NinjaTrader link is down: what is shown is the last known state. */
  stale: boolean;
  simulated: boolean;
}

/** The person's Flatten buttons (POST /trading/flatten): one position, one account, or everything. */
export type FlattenBody =
  | { what: 'position'; account: string; instrument: string }
  | { what: 'account'; account: string }
  | { what: 'everything' };

export interface FlattenResult {
  status: 'flatten_submitted' | 'nothing_to_flatten';
  message: string;
  /** The closing orders submitted (NT8 order ids). */
  orderIds: string[];
  simulated: boolean;
}

/** POST /clients/{id}/grant: the person edits a client's access; omitted fields stay as they are. */
export interface EditGrantBody {
  scope?: ScopeString;
  accounts?: string[];
  confirmPolicy?: ConfirmPolicy;
  limits?: Partial<GrantLimits>;
}

/** The trading desk's live event: one account changed (at most four a second per account). */
export interface TradingAccountEvent {
  type: 'trading.account';
  account: DeskAccount;
  /** The P&L sample to append to (or to replace the last one of, same second) the chart. */
  point: PnlPoint;
  stale: boolean;
}
