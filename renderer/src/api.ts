// The one typed client of the control API (docs/control-api.md). The only module that calls
// fetch. Relative URLs only. Authenticated by the dashboard session cookie (HttpOnly: this code
// never sees it), sent same-origin only, plus the X-NTMCP-Dashboard header that the control API
// requires of every cookie request (a cross-site page cannot send it: CSRF rule).
import type {
  ActivityRow,
  ApproveConsentBody,
  AuditPage,
  AuditQuery,
  AuthorizedClient,
  ControlError,
  ControlEvent,
  OrderConfirmation,
  PendingConsent,
  ResolveUnknownBody,
  ResolveUnknownResult,
  RiskAccountState,
  RiskRules,
  Status,
  UnknownOrder,
} from '../../src/control/contract.ts';
import type { EditGrantBody, FlattenBody, FlattenResult, TradingDesk } from '../../src/control/contract.ts';
import type { AddonInstallPlan, AddonInstallResult } from '../../src/addon/install.ts';

const PREFIX = './control/v1';

/** The API answered with a non-2xx status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
/** No live dashboard session (401). */
export class UnauthorizedError extends ApiError {}
/** The link's one-time code was refused: already used, expired or never issued. */
export class InvalidCodeError extends ApiError {}
/** The companion could not be reached at all. */
export class UnreachableError extends Error {}

export interface ActivityPage {
  rows: ActivityRow[];
  nextBefore: number | null;
}

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'unauthorized';

function query(q: object): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;
const DASHBOARD_HEADER = { 'X-NTMCP-Dashboard': '1' } as const;

export class ControlApi {
  constructor(
    /** Called whenever the API refuses the session (401), from any request or the stream. */
    private readonly onUnauthorized: () => void = () => {},
  ) {}

  private async req<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let r: Response;
    try {
      r = await fetch(`${PREFIX}${path}`, {
        method,
        headers: {
          ...DASHBOARD_HEADER,
          Accept: 'application/json',
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        cache: 'no-store',
        credentials: 'same-origin',
        referrerPolicy: 'no-referrer',
      });
    } catch (e) {
      throw new UnreachableError(`The companion's control API is unreachable (${(e as Error).message}).`);
    }
    let data: unknown = null;
    try {
      data = await r.json();
    } catch {
      data = null;
    }
    if (!r.ok) {
      const err = (data ?? {}) as Partial<ControlError>;
      const message = err.message ?? `The control API answered ${r.status}.`;
      if (r.status === 401 && err.error === 'invalid_code') throw new InvalidCodeError(401, 'invalid_code', message);
      if (r.status === 401) {
        this.onUnauthorized();
        throw new UnauthorizedError(401, err.error ?? 'unauthorized', message);
      }
      throw new ApiError(r.status, err.error ?? 'error', message);
    }
    return data as T;
  }

  /** Trades the link's one-time code for the session cookie (set by the response; HttpOnly). */
  startSession(code: string): Promise<unknown> {
    return this.req('POST', '/session', { code });
  }
  status(): Promise<Status> {
    return this.req('GET', '/status');
  }
  async consents(): Promise<PendingConsent[]> {
    return (await this.req<{ consents: PendingConsent[] }>('GET', '/consents')).consents;
  }
  approveConsent(id: string, body: ApproveConsentBody): Promise<unknown> {
    return this.req('POST', `/consents/${enc(id)}/approve`, body);
  }
  denyConsent(id: string): Promise<unknown> {
    return this.req('POST', `/consents/${enc(id)}/deny`, {});
  }
  /** "Deny all from this client": every pending request of the client. */
  denyAllConsentsFrom(clientId: string): Promise<{ denied: number }> {
    return this.req('POST', '/consents/deny-all', { clientId });
  }
  async clients(): Promise<AuthorizedClient[]> {
    return (await this.req<{ clients: AuthorizedClient[] }>('GET', '/clients')).clients;
  }
  revokeClient(id: string): Promise<unknown> {
    return this.req('POST', `/clients/${enc(id)}/revoke`, {});
  }
  /** The person edits a client's access: scope, accounts, confirmation policy, limits (omitted = unchanged). */
  async editGrant(id: string, body: EditGrantBody): Promise<AuthorizedClient> {
    return (await this.req<{ client: AuthorizedClient }>('POST', `/clients/${enc(id)}/grant`, body)).client;
  }
  /** The Trading view: every account's positions, working orders, executions, P&L and its samples. */
  trading(): Promise<TradingDesk> {
    return this.req('GET', '/trading');
  }
  /** The person's Flatten button: a position, an account, or everything (no prompt; never while the market is closed). */
  flatten(body: FlattenBody): Promise<FlattenResult> {
    return this.req('POST', '/trading/flatten', body);
  }
  audit(q: AuditQuery = {}): Promise<AuditPage> {
    return this.req('GET', `/audit${query(q)}`);
  }
  async confirmations(): Promise<OrderConfirmation[]> {
    return (await this.req<{ confirmations: OrderConfirmation[] }>('GET', '/confirmations')).confirmations;
  }
  approveConfirmation(id: string): Promise<unknown> {
    return this.req('POST', `/confirmations/${enc(id)}/approve`, {});
  }
  denyConfirmation(id: string): Promise<unknown> {
    return this.req('POST', `/confirmations/${enc(id)}/deny`, {});
  }
  setKillSwitch(engaged: boolean): Promise<{ engaged: boolean }> {
    return this.req('POST', '/kill-switch', { engaged });
  }
  activity(q: { limit?: number; before?: number } = {}): Promise<ActivityPage> {
    return this.req('GET', `/activity${query(q)}`);
  }
  /** Orders of unknown outcome, for the person to resolve. */
  async unknownOrders(): Promise<UnknownOrder[]> {
    return (await this.req<{ orders: UnknownOrder[] }>('GET', '/unknown-orders')).orders;
  }
  /** The person's answer: it was placed (as which NT8 order), or it never was. */
  resolveUnknown(body: ResolveUnknownBody): Promise<ResolveUnknownResult> {
    return this.req('POST', '/unknown-orders/resolve', body);
  }
  /** What "Install NinjaTrader add-on" would write, and whether NT8's user folder exists. */
  addonInstallPlan(): Promise<AddonInstallPlan> {
    return this.req('GET', '/addon/install');
  }
  installAddon(): Promise<AddonInstallResult> {
    return this.req('POST', '/addon/install', {});
  }

  // ── Account risk rules (src/trading/risk-rules.ts): set only here, at the desktop ──
  /** Every account with its rules, lock and room left. */
  async riskRules(): Promise<RiskAccountState[]> {
    return (await this.req<{ accounts: RiskAccountState[] }>('GET', '/risk-rules')).accounts;
  }
  /** Saves an account's rules (every limit null = no rules). */
  setRiskRules(account: string, rules: RiskRules): Promise<RiskAccountState> {
    return this.req('POST', `/risk-rules/${enc(account)}`, rules);
  }

  /**
   * The live event stream (text/event-stream read with fetch, since EventSource cannot send the
   * dashboard header). Reconnects with backoff; every (re)connection starts with `hello`.
   * Returns a function that stops it.
   */
  events(onEvent: (ev: ControlEvent) => void, onState: (s: StreamState) => void): () => void {
    let stopped = false;
    let attempt = 0;
    let ctrl: AbortController | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const delays = [500, 1000, 2000, 4000, 8000, 10000];

    const arm = () => {
      clearTimeout(watchdog);
      // The server sends a keep-alive every 15 s: 45 s of silence means a dead connection.
      watchdog = setTimeout(() => ctrl?.abort(), 45_000);
    };

    const connect = async () => {
      if (stopped) return;
      onState(attempt === 0 ? 'connecting' : 'reconnecting');
      ctrl = new AbortController();
      try {
        const r = await fetch(`${PREFIX}/events`, {
          headers: { ...DASHBOARD_HEADER, Accept: 'text/event-stream' },
          signal: ctrl.signal,
          cache: 'no-store',
          credentials: 'same-origin',
          referrerPolicy: 'no-referrer',
        });
        if (r.status === 401) {
          stopped = true;
          onState('unauthorized');
          this.onUnauthorized();
          return;
        }
        if (!r.ok || !r.body) throw new Error(`events answered ${r.status}`);
        arm();
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          arm();
          buf += value;
          let cut: number;
          while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + (buf[cut] === '\r' ? 4 : 2));
            const data = block
              .split(/\r?\n/)
              .filter((l) => l.startsWith('data:'))
              .map((l) => l.slice(5).replace(/^ /, ''))
              .join('\n');
            if (!data) continue;
            let ev: ControlEvent;
            try {
              ev = JSON.parse(data) as ControlEvent;
            } catch {
              continue;
            }
            if (ev.type === 'hello') {
              attempt = 0;
              onState('live');
            }
            if (!stopped) onEvent(ev);
          }
        }
      } catch {
        /* dropped or aborted: fall through to reconnect */
      } finally {
        clearTimeout(watchdog);
      }
      if (stopped) return;
      attempt++;
      onState('reconnecting');
      retryTimer = setTimeout(connect, delays[Math.min(attempt - 1, delays.length - 1)]);
    };

    void connect();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(watchdog);
      ctrl?.abort();
    };
  }
}
