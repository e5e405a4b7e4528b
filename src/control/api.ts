// The control API (docs/control-api.md): the one door for the desktop UI, the CLI and automation.
// Authorized by `Authorization: Bearer <control token>` (scripts, the tray) or by the dashboard's
// session cookie plus the CSRF rule (src/control/session.ts) — never a cookie alone, never a
// query parameter — so no web page and no MCP client can decide a consent or an order.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit.ts';
import type { EventBus } from '../events.ts';
import { clientErrorOf } from '../http/doors.ts';
import { ConsentError, type OAuthService } from '../oauth/service.ts';
import { Refusal } from '../trading/refusal.ts';
import { AddonInstallError, type AddonInstallPlan, type AddonInstallResult } from '../addon/install.ts';
import { safeEqual, sha256Hex } from '../util/crypto.ts';
import { csrfRefusal, type DashboardSessions } from './session.ts';
import { AUDIT_OUTCOMES, type AuditOutcome, type ControlEvent, type Status } from './contract.ts';
import type { EditGrantBody, FlattenBody, ResolveUnknownBody, RiskAccountState, RiskRules } from './contract.ts';
import type { Desk } from './desk.ts';

/** What the trading layer exposes to the control API (defined with it: src/trading/trading.ts). */
export type { TradingControl } from '../trading/trading.ts';
import type { TradingControl } from '../trading/trading.ts';

export interface ControlDeps {
  controlToken: string;
  /** The dashboard's one-time codes and session cookies. */
  sessions: DashboardSessions;
  /** A fresh one-time dashboard link (GET /dashboard-link). */
  dashboardLink: () => { url: string; expiresAt: string };
  oauth: OAuthService;
  audit: AuditLog;
  bus: EventBus;
  status: () => Status;
  trading: TradingControl;
  /** SSE keep-alive period. */
  keepAliveMs?: number;
  /** Account risk rules (src/trading/risk-rules.ts); absent = the endpoints answer 404. */
  risk?: RiskControl;
  /** "Install NinjaTrader add-on" (src/addon/install.ts); absent = the endpoints answer 404. */
  addonInstall?: AddonInstallControl;
  /** The Trading view and the person's Flatten buttons (src/control/desk.ts); absent = 404. */
  desk?: Desk;
}

/** Account risk rules as the control API sees them: the desktop's door, the only one that writes them. */
export interface RiskControl {
  list(): RiskAccountState[];
  /** Throws a Refusal (invalid_arguments) for rules that contradict themselves. */
  set(account: string, rules: RiskRules, by: string): RiskAccountState;
}

/** The add-on installer as the control API sees it (src/addon/install.ts, bound to a Documents folder). */
export interface AddonInstallControl {
  plan(): AddonInstallPlan;
  install(): Promise<AddonInstallResult>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const ScopeString = z.enum(['mcp:read', 'mcp:read mcp:trade']);
const ApproveBody = z
  .object({
    scope: ScopeString.optional(),
    accounts: z.array(z.string().min(1).max(100)).max(100).optional(),
    confirmPolicy: z.enum(['always', 'never']).optional(),
    limits: z
      .object({
        maxOrderQuantity: z.number().int().min(1).max(10_000),
        maxPositionPerInstrument: z.number().int().min(1).max(100_000),
        maxOrdersPerMinute: z.number().int().min(1).max(1_000),
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();
const KillSwitchBody = z.object({ engaged: z.boolean() }).strict();
const Id = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/);
/** A registered client's id, or a metadata-document client's https URL (sent percent-encoded). */
const ClientId = z.union([Id, z.string().max(1000).regex(/^https:\/\/[^\s]+$/)]);
const DenyAllBody = z.object({ clientId: ClientId }).strict();
const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  before: z.coerce.number().int().min(1).optional(),
  client: z.string().max(100).optional(),
  tool: z.string().max(100).optional(),
  outcome: z.enum(Object.keys(AUDIT_OUTCOMES) as [AuditOutcome, ...AuditOutcome[]]).optional(),
});
const SessionBody = z.object({ code: z.string().min(1).max(200) }).strict();
/** A clientOrderId as place_order accepts it (rows from before the 32-character cap may be longer). */
const ClientOrderId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 letters, digits, _ . : -');
const ResolveUnknownSchema = z.discriminatedUnion('resolution', [
  z.object({ clientId: ClientId, clientOrderId: ClientOrderId, resolution: z.literal('placed'), orderId: z.string().min(1).max(128).optional() }).strict(),
  z.object({ clientId: ClientId, clientOrderId: ClientOrderId, resolution: z.literal('not_placed') }).strict(),
]) satisfies z.ZodType<ResolveUnknownBody>;
const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  before: z.coerce.number().int().min(1).optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new HttpError(400, 'invalid_request', `Invalid ${what}: ${i ? `${i.path.join('.') || 'value'} ${i.message}` : 'malformed'}.`);
  }
  return r.data;
}

export function controlRouter(deps: ControlDeps): Router {
  const router = express.Router();
  const tokenHash = sha256Hex(deps.controlToken);

  // The dashboard trades its link's one-time code for a session cookie. The code is the
  // credential; the CSRF rule applies as to every cookie request (no cross-site page can do this).
  router.post('/session', express.json({ limit: '1kb' }), (req: Request, res: Response) => {
    const csrf = csrfRefusal(req.headers);
    if (csrf) throw new HttpError(403, 'forbidden', csrf);
    if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'Send a JSON body with Content-Type: application/json.');
    const body = parse(SessionBody, req.body, 'session body');
    const session = deps.sessions.redeem(body.code);
    if (!session) {
      deps.audit.record({ kind: 'control', event: 'dashboard.session', outcome: 'refused', detail: 'a used, expired or unknown dashboard code' });
      throw new HttpError(401, 'invalid_code', 'This dashboard link was already used or has expired: each link works once, within 10 minutes. Get a fresh link.');
    }
    deps.audit.record({ kind: 'control', event: 'dashboard.session', outcome: 'ok', detail: 'dashboard signed in with a one-time link' });
    res.setHeader('Set-Cookie', deps.sessions.setCookie(session));
    res.setHeader('Cache-Control', 'no-store');
    res.json({ session: true });
  });

  // Authentication first: nothing — not even a 404 — is revealed without the control token or a
  // dashboard session. A session counts only with the CSRF rule: a cookie alone never authorizes.
  router.use((req: Request, res: Response, next: NextFunction) => {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (m) {
      if (!safeEqual(sha256Hex(m[1]!), tokenHash)) {
        next(new HttpError(401, 'unauthorized', 'The control token was not accepted.'));
        return;
      }
      res.locals.auth = 'token';
      next();
      return;
    }
    if (deps.sessions.check(req.headers.cookie)) {
      const csrf = csrfRefusal(req.headers);
      if (csrf) {
        next(new HttpError(403, 'forbidden', csrf));
        return;
      }
      res.locals.auth = 'session';
      next();
      return;
    }
    next(new HttpError(401, 'unauthorized', 'The control API needs the control token or a dashboard session (open a fresh dashboard link).'));
  });
  // JSON only (a cross-site form cannot send application/json without a preflight).
  router.use((req: Request, _res: Response, next: NextFunction) => {
    if (req.method === 'POST' && Number(req.headers['content-length'] ?? 0) > 0 && !req.is('application/json')) {
      next(new HttpError(415, 'unsupported_media_type', 'Send a JSON body with Content-Type: application/json.'));
      return;
    }
    next();
  });
  router.use(express.json({ limit: '16kb' }));
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  // A fresh one-time dashboard link, for the tray and scripts holding the control token.
  router.get('/dashboard-link', (_req, res) => {
    if (res.locals.auth !== 'token') throw new HttpError(403, 'forbidden', 'A dashboard link is given for the control token only.');
    res.json(deps.dashboardLink());
  });

  router.post('/session/end', (req, res) => {
    deps.sessions.end(req.headers.cookie);
    res.setHeader('Set-Cookie', deps.sessions.clearCookie());
    res.json({ ended: true });
  });

  router.get('/status', (_req, res) => {
    res.json(deps.status());
  });

  router.get('/consents', (_req, res) => {
    deps.oauth.sweepConsents();
    res.json({ consents: deps.oauth.pendingConsents() });
  });

  // "Deny all from this client" (issue 9, finding 6): one call denies every pending request of a
  // client that floods the desktop with prompts. Registered before `/consents/:id/…`.
  router.post('/consents/deny-all', (req, res) => {
    const body = parse(DenyAllBody, req.body ?? {}, 'deny-all body');
    res.json({ denied: deps.oauth.denyAllFrom(body.clientId) });
  });

  router.post('/consents/:id/approve', (req, res) => {
    const id = parse(Id, req.params.id, 'consent id');
    const body = parse(ApproveBody, req.body ?? {}, 'approval');
    try {
      const grant = deps.oauth.approveConsent(id, body);
      res.json({
        approved: true,
        clientId: grant.clientId,
        scope: grant.scope,
        accounts: grant.accounts,
        confirmPolicy: grant.confirmPolicy,
        limits: grant.limits,
      });
    } catch (e) {
      throw consentHttpError(e);
    }
  });

  router.post('/consents/:id/deny', (req, res) => {
    const id = parse(Id, req.params.id, 'consent id');
    try {
      deps.oauth.denyConsent(id);
      res.json({ denied: true });
    } catch (e) {
      throw consentHttpError(e);
    }
  });

  router.get('/clients', (_req, res) => {
    res.json({ clients: deps.oauth.authorizedClients() });
  });

  router.post('/clients/:id/revoke', (req, res) => {
    const id = parse(ClientId, req.params.id, 'client id');
    if (!deps.oauth.revokeClient(id)) throw new HttpError(404, 'not_found', 'No such client.');
    res.json({ revoked: true });
  });

  router.get('/audit', (req, res) => {
    const q = parse(AuditQuery, req.query, 'audit query');
    res.json(deps.audit.page(q));
  });

  router.get('/confirmations', (_req, res) => {
    res.json({ confirmations: deps.trading.confirmations() });
  });
  const decide = (decision: 'approve' | 'deny') => (req: Request, res: Response) => {
    const id = parse(Id, req.params.id, 'confirmation id');
    try {
      deps.trading.decideConfirmation(id, decision);
    } catch (e) {
      throw refusalHttpError(e);
    }
    res.json({ [decision === 'approve' ? 'approved' : 'denied']: true });
  };
  router.post('/confirmations/:id/approve', decide('approve'));
  router.post('/confirmations/:id/deny', decide('deny'));

  // Orders of unknown outcome, resolved by the person (issue 9): the desktop's answer, never a client's.
  router.get('/unknown-orders', (_req, res) => {
    res.json({ orders: deps.trading.unknownOrders() });
  });
  router.post('/unknown-orders/resolve', (req, res) => {
    const body = parse(ResolveUnknownSchema, req.body ?? {}, 'resolution');
    const by = res.locals.auth === 'session' ? 'the person at the desktop (dashboard)' : 'the desktop (control token)';
    try {
      res.json(deps.trading.resolveUnknown(body, by));
    } catch (e) {
      throw refusalHttpError(e);
    }
  });

  router.post('/kill-switch', (req, res) => {
    const body = parse(KillSwitchBody, req.body, 'kill-switch body');
    deps.trading.setKillSwitch(body.engaged);
    res.json({ engaged: body.engaged });
  });

  router.get('/activity', (req, res) => {
    const q = parse(PageQuery, req.query, 'activity query');
    res.json(deps.trading.activity({ limit: q.limit ?? 100, before: q.before }));
  });

  // ── Install the NinjaTrader add-on (docs/control-api.md "Add-on install") ──────────────────
  // What an install would write (the dashboard asks the person with this), then the install itself.
  // Control token or dashboard session, like every route after the authentication above.
  const InstallBody = z.object({}).strict();
  const addonInstallError = (e: unknown): HttpError => {
    if (e instanceof AddonInstallError) return new HttpError(e.code === 'no_sources' ? 500 : 409, e.code, e.message);
    return e instanceof HttpError ? e : new HttpError(500, 'internal_error', String(e));
  };
  router.get('/addon/install', (_req, res) => {
    if (!deps.addonInstall) throw new HttpError(404, 'not_found', 'No such control endpoint.');
    try {
      res.json(deps.addonInstall.plan());
    } catch (e) {
      throw addonInstallError(e);
    }
  });
  router.post('/addon/install', async (req, res, next) => {
    try {
      if (!deps.addonInstall) throw new HttpError(404, 'not_found', 'No such control endpoint.');
      parse(InstallBody, req.body ?? {}, 'install body');
      const result = await deps.addonInstall.install();
      deps.audit.record({ kind: 'control', event: 'addon.install', outcome: 'ok', detail: `${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed in ${result.target}` });
      res.json(result);
    } catch (e) {
      const err = addonInstallError(e);
      if (err.code !== 'invalid_request' && err.code !== 'not_found') deps.audit.record({ kind: 'control', event: 'addon.install', outcome: 'refused', detail: err.message });
      next(err);
    }
  });

  // ── Account risk rules (docs/control-api.md "Risk rules") ─────────────────────────────────
  // The desktop's door only: a control token or a dashboard session (an MCP bearer token is not the
  // control token and is refused above). Every change is audited (risk.rules) by the domain.
  const Dollars = z.number().finite().positive().max(100_000_000);
  const Contracts = z.number().int().min(1).max(100_000);
  const Hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour, America/New_York)');
  const RiskRulesBody = z
    .object({
      dailyLossLimit: Dollars.nullable(),
      trailingDrawdown: Dollars.nullable(),
      maxContractsPerInstrument: Contracts.nullable(),
      maxContractsTotal: Contracts.nullable(),
      tradingHours: z.object({ start: Hhmm, end: Hhmm }).strict().nullable(),
      onBreach: z.enum(['refuse', 'flatten_and_lock']),
    })
    .strict() satisfies z.ZodType<RiskRules>;
  /** An NT8 account name (sent percent-encoded): printable, no control characters. */
  const AccountName = z.string().min(1).max(100).regex(/^[^\u0000-\u001f\u007f/\\]+$/, 'is not an account name');
  router.get('/risk-rules', (_req, res) => {
    if (!deps.risk) throw new HttpError(404, 'not_found', 'No such control endpoint.');
    res.json({ accounts: deps.risk.list() });
  });
  router.post('/risk-rules/:account', (req, res) => {
    if (!deps.risk) throw new HttpError(404, 'not_found', 'No such control endpoint.');
    const account = parse(AccountName, req.params.account, 'account');
    const rules = parse(RiskRulesBody, req.body ?? {}, 'risk rules');
    const by = res.locals.auth === 'session' ? 'the person at the desktop (dashboard)' : 'the desktop (control token)';
    try {
      res.json(deps.risk.set(account, rules, by));
    } catch (e) {
      if (e instanceof Refusal && e.code === 'invalid_arguments') throw new HttpError(400, 'invalid_request', e.message);
      throw refusalHttpError(e);
    }
  });

  // ── Trading view: positions, orders, executions, P&L; the person's Flatten buttons ─────────
  // (docs/control-api.md "Trading"). Control token or dashboard session, like every route here.
  const Account = z.string().min(1).max(100);
  const FlattenSchema = z.discriminatedUnion('what', [
    z.object({ what: z.literal('position'), account: Account, instrument: z.string().min(1).max(100) }).strict(),
    z.object({ what: z.literal('account'), account: Account }).strict(),
    z.object({ what: z.literal('everything') }).strict(),
  ]) satisfies z.ZodType<FlattenBody>;
  const deskOf = (): Desk => {
    if (!deps.desk) throw new HttpError(404, 'not_found', 'No such control endpoint.');
    return deps.desk;
  };
  /** Who acted, for the audit row: the dashboard is the person; the control token is a script of theirs. */
  const actor = (res: Response) => (res.locals.auth === 'session' ? 'the person at the desktop (dashboard)' : 'the desktop (control token)');
  router.get('/trading', (_req, res) => {
    res.json(deskOf().snapshot());
  });
  router.post('/trading/flatten', async (req, res, next) => {
    try {
      const desk = deskOf();
      const body = parse(FlattenSchema, req.body ?? {}, 'flatten body');
      res.json(await desk.flatten(body, actor(res)));
    } catch (e) {
      next(refusalHttpError(e));
    }
  });

  // ── Clients: the person edits a grant's scope, accounts, confirmation policy and limits ─────
  const EditGrantSchema = z
    .object({
      scope: ScopeString.optional(),
      accounts: z.array(z.string().min(1).max(100)).min(1).max(100).optional(),
      confirmPolicy: z.enum(['always', 'never']).optional(),
      limits: ApproveBody.shape.limits,
    })
    .strict() satisfies z.ZodType<EditGrantBody>;
  router.post('/clients/:id/grant', (req, res) => {
    const id = parse(ClientId, req.params.id, 'client id');
    const body = parse(EditGrantSchema, req.body ?? {}, 'grant change');
    try {
      const client = deps.oauth.editGrant(id, body, actor(res));
      if (!client) throw new HttpError(404, 'not_found', 'No such client with live access (it was revoked, or never approved).');
      res.json({ client });
    } catch (e) {
      throw consentHttpError(e);
    }
  });

  // Server-sent events: a `hello` with the full status, then every ControlEvent as it happens.
  router.get('/events', (req, res) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // Events of one turn of the event loop leave in one write (an add-on flood brings thousands of
    // activity rows per turn; one write each cost more than the rows themselves).
    let queued: string[] = [];
    let flush: NodeJS.Immediate | null = null;
    const send = (ev: ControlEvent) => {
      queued.push(`event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`);
      flush ??= setImmediate(() => {
        flush = null;
        const text = queued.join('');
        queued = [];
        res.write(text);
      });
    };
    send({ type: 'hello', status: deps.status() });
    const off = deps.bus.subscribe(send);
    const ka = setInterval(() => res.write(': keep-alive\n\n'), deps.keepAliveMs ?? 15_000);
    ka.unref();
    req.on('close', () => {
      clearInterval(ka);
      if (flush) clearImmediate(flush);
      queued = [];
      off();
    });
  });

  router.use((_req, _res, next) => next(new HttpError(404, 'not_found', 'No such control endpoint.')));
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err instanceof HttpError ? err : bodyHttpError(err);
    if (e.status === 500) console.error('[control] error:', err);
    res.status(e.status).json({ error: e.code, message: e.message });
  });
  return router;
}

/**
 * A body-parser failure is the client's error (malformed JSON, unsupported charset, wrong length…),
 * answered 4xx in this API's shape; anything else is ours: 500 without detail.
 */
function bodyHttpError(err: unknown): HttpError {
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.parse.failed') return new HttpError(400, 'invalid_json', 'The body is not valid JSON.');
  if (type === 'entity.too.large') return new HttpError(413, 'too_large', 'The body is too large.');
  const { status, message } = clientErrorOf(err);
  if (status === 500) return new HttpError(500, 'internal_error', 'The companion failed to handle this request.');
  return new HttpError(status, status === 415 ? 'unsupported_media_type' : 'invalid_request', message);
}

/** A domain refusal as an HTTP status: gone from the pending list = 404, any other "no" = 409. */
function refusalHttpError(e: unknown): HttpError {
  if (e instanceof Refusal) {
    const gone = e.code === 'confirmation_not_found' || e.code === 'resolution_not_found';
    return new HttpError(gone ? 404 : 409, gone ? 'not_found' : e.code, e.message);
  }
  return e instanceof HttpError ? e : new HttpError(500, 'internal_error', String(e));
}

function consentHttpError(e: unknown): HttpError {
  if (e instanceof ConsentError) {
    const status = e.code === 'not_found' ? 404 : e.code === 'not_pending' ? 409 : 400;
    return new HttpError(status, e.code, e.message);
  }
  return e instanceof HttpError ? e : new HttpError(500, 'internal_error', String(e));
}
