// HTTP doors of the authorization server: discovery (RFC 8414, RFC 9728), registration (RFC 7591),
// /authorize with a desktop consent, /token and /revoke (RFC 7009).
//
// Why not the SDK's mcpAuthRouter: it compares client secrets in clear (we store only hashes), takes
// one fixed issuer (we answer as 127.0.0.1 and localhost), has no client_secret_basic, no RFC 9207
// `iss`, and per-IP rate limits that every local client would share. We reuse its client-metadata
// schema and OAuthError classes, and keep each rule here next to its RFC.
import express, { type Request, type Response, type Router } from 'express';
import { OAuthClientMetadataSchema } from '@modelcontextprotocol/sdk/shared/auth.js';
import {
  InvalidClientError,
  InvalidClientMetadataError,
  InvalidRequestError,
  InvalidTargetError,
  OAuthError,
  ServerError,
  TooManyRequestsError,
  UnsupportedGrantTypeError,
  UnsupportedResponseTypeError,
} from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { z } from 'zod';
import type { EventBus } from '../events.ts';
import type { Urls } from '../http/urls.ts';
import { clientsDocPage, errorPage, messagePage, waitingPage } from './pages.ts';
import { displaySafe } from '../util/display-safe.ts';
import { normalizeScope, PKCE_VALUE, redirectUriMatches, redirectUriProblem, SUPPORTED_SCOPES } from './policy.ts';
import { InvalidRedirectUriError, type ClientRecord, type ConsentRow, type OAuthService } from './service.ts';
import { FixedWindowLimiter } from './limiter.ts';
import { CimdError, isMetadataDocumentClientId, type ClientMetadataFetcher } from './cimd.ts';

export interface OAuthRoutesDeps {
  oauth: OAuthService;
  urls: Urls;
  bus: EventBus;
  now: () => number;
  /** How long one wait-page request holds for a decision before re-rendering. */
  waitHoldMs?: number;
  registrationLimit?: { max: number; windowMs: number };
  /** Client ID Metadata Documents: fetches and validates https client_ids. */
  cimd: ClientMetadataFetcher;
}

function statusFor(e: OAuthError): number {
  if (e instanceof InvalidClientError) return 401;
  if (e instanceof TooManyRequestsError) return 429;
  if (e instanceof ServerError) return 500;
  return 400;
}

function sendOAuthError(res: Response, e: unknown): void {
  const err = e instanceof OAuthError ? e : new ServerError('internal error');
  if (!(e instanceof OAuthError)) console.error('[oauth] unexpected error:', e instanceof Error ? e.message : e);
  res.status(statusFor(err));
  if (err instanceof InvalidClientError) res.setHeader('WWW-Authenticate', 'Basic realm="nt-mcp-companion"');
  res.setHeader('Cache-Control', 'no-store');
  res.json(err.toResponseObject());
}

/** Anti-framing and no-store on every page a person sees during authorization (RFC 9700 §4.16). */
function pageHeaders(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'",
  );
  res.setHeader('Referrer-Policy', 'no-referrer');
}

const AuthorizeParams = z.object({
  client_id: z.string().min(1).max(1000),
  redirect_uri: z.string().max(2000).optional(),
  response_type: z.string().optional(),
  code_challenge: z.string().optional(),
  code_challenge_method: z.string().optional(),
  scope: z.string().max(1000).optional(),
  state: z.string().max(2000).optional(),
  resource: z.string().max(2000).optional(),
});

const TokenParams = z.object({
  grant_type: z.string({ error: 'grant_type is required' }),
  code: z.string().max(500).optional(),
  code_verifier: z.string().optional(),
  redirect_uri: z.string().max(2000).optional(),
  refresh_token: z.string().max(500).optional(),
  scope: z.string().max(1000).optional(),
  resource: z.string().max(2000).optional(),
  client_id: z.string().max(1000).optional(),
  client_secret: z.string().max(500).optional(),
});

const RevokeParams = z.object({
  token: z.string({ error: 'token is required' }).min(1).max(500),
  token_type_hint: z.string().optional(),
  client_id: z.string().max(1000).optional(),
  client_secret: z.string().max(500).optional(),
});

function firstIssue(e: z.ZodError): string {
  const i = e.issues[0];
  return i ? `${i.path.join('.') || 'request'}: ${i.message}` : 'invalid request';
}

/** Takes only single-valued string parameters: a repeated parameter is an error (RFC 6749 §3.1). */
function singleValued(src: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(src)) {
    if (typeof v !== 'string') throw new InvalidRequestError(`parameter ${k} must be given once`);
    out[k] = v;
  }
  return out;
}

/** RFC 6749 §2.3.1: client_secret_basic (form-urlencoded id and secret) or client_secret_post, not both. */
function clientCredentials(req: Request, body: { client_id?: string; client_secret?: string }) {
  const h = req.headers.authorization;
  if (h && /^basic /i.test(h)) {
    if (body.client_secret) throw new InvalidRequestError('use one client authentication method, not two');
    const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) throw new InvalidClientError('malformed Basic credentials');
    let id: string;
    let secret: string;
    try {
      id = decodeURIComponent(decoded.slice(0, i).replace(/\+/g, ' '));
      secret = decodeURIComponent(decoded.slice(i + 1).replace(/\+/g, ' '));
    } catch {
      throw new InvalidClientError('malformed Basic credentials');
    }
    if (body.client_id && body.client_id !== id) throw new InvalidRequestError('client_id differs from the Basic credentials');
    return { clientId: id, clientSecret: secret, via: 'basic' as const };
  }
  return { clientId: body.client_id, clientSecret: body.client_secret, via: body.client_secret ? ('post' as const) : ('none' as const) };
}

export function oauthRouter(deps: OAuthRoutesDeps): Router {
  const { oauth, urls, bus } = deps;
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 30 });
  const json = express.json({ limit: '64kb' });
  // All local clients share 127.0.0.1, so the limit is one budget for the machine, sized for
  // people connecting several AI tools in a row, and small enough to stop a runaway loop.
  const registrations = new FixedWindowLimiter(deps.registrationLimit ?? { max: 30, windowMs: 10 * 60_000 }, deps.now);

  // ── discovery ──
  router.get('/.well-known/oauth-authorization-server', (req, res) => {
    const o = urls.originOf(req);
    res.json({
      issuer: urls.issuer(o),
      authorization_endpoint: `${o}/authorize`,
      token_endpoint: `${o}/token`,
      registration_endpoint: `${o}/register`,
      revocation_endpoint: `${o}/revoke`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
      revocation_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
      scopes_supported: [...SUPPORTED_SCOPES],
      authorization_response_iss_parameter_supported: true,
      // draft-ietf-oauth-client-id-metadata-document-02 §6 / MCP 2025-11-25: https client_ids accepted.
      client_id_metadata_document_supported: true,
      service_documentation: `${o}/docs/clients`,
    });
  });
  const prm = (req: Request, res: Response) => {
    const o = urls.originOf(req);
    res.json({
      resource: urls.resource(o),
      authorization_servers: [urls.issuer(o)],
      // RFC 9728 §2 (order carries no meaning). Listed trade-first on purpose: mcp-remote 0.15
      // replaces an authorization scope that equals this list, joined, with its 401 scope
      // (mcp:read), which turned its step-up request "mcp:read mcp:trade" back into mcp:read.
      scopes_supported: [...SUPPORTED_SCOPES].reverse(),
      bearer_methods_supported: ['header'],
      resource_name: 'NT MCP Companion (NinjaTrader 8)',
    });
  };
  // RFC 9728 §3.1: the path-inserted form, plus the root form some clients try next.
  router.get('/.well-known/oauth-protected-resource/mcp', prm);
  router.get('/.well-known/oauth-protected-resource', prm);

  // RFC 8414 §2 `service_documentation`: a page that exists, served here (no docs site on a tray app).
  router.get('/docs/clients', (req, res) => {
    pageHeaders(res);
    const o = urls.originOf(req);
    res.status(200).type('html').send(clientsDocPage({ mcpUrl: urls.resource(o), dashboardUrl: `${o}/` }));
  });

  // ── registration (RFC 7591) ──
  router.post('/register', json, (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      const limited = registrations.take('register');
      if (limited) {
        res.setHeader('Retry-After', String(Math.ceil(limited / 1000)));
        throw new TooManyRequestsError('too many client registrations on this machine; try again later');
      }
      const parsed = OAuthClientMetadataSchema.safeParse(req.body);
      if (!parsed.success) throw new InvalidClientMetadataError(firstIssue(parsed.error as unknown as z.ZodError));
      const meta = parsed.data;
      if (meta.redirect_uris.length === 0) throw new InvalidRedirectUriError('at least one redirect_uri is required');
      if (meta.redirect_uris.length > 20) throw new InvalidRedirectUriError('at most 20 redirect_uris');
      for (const uri of meta.redirect_uris) {
        const problem = redirectUriProblem(uri);
        if (problem) throw new InvalidRedirectUriError(`redirect_uri ${uri} ${problem}`);
      }
      res.status(201).json(oauth.registerClient(meta));
    } catch (e) {
      sendOAuthError(res, e);
    }
  });

  // ── authorization endpoint ──
  const authorize = async (req: Request, res: Response) => {
    pageHeaders(res);
    // /authorize is a browser door: errors are a readable page unless the caller asks for JSON only.
    const accept = req.headers.accept ?? '';
    const wantsJson = accept.includes('application/json') && !accept.includes('text/html');
    const showError = (status: number, e: OAuthError) => {
      if (wantsJson) res.status(status).json(e.toResponseObject());
      else res.status(status).type('html').send(errorPage(e.errorCode, e.message));
    };
    // Step 1: until client and redirect_uri are validated, errors are shown, never redirected.
    let client: ClientRecord;
    let redirectUri: string;
    let raw: Record<string, string>;
    try {
      raw = singleValued((req.method === 'POST' ? req.body : req.query) as Record<string, unknown>);
      const parsed = AuthorizeParams.safeParse(raw);
      if (!parsed.success) throw new InvalidRequestError(firstIssue(parsed.error));
      let c: ClientRecord | null;
      if (isMetadataDocumentClientId(parsed.data.client_id)) {
        // A Client ID Metadata Document: fetched (or taken from the cache) and validated before
        // anything else; its redirect_uris are then enforced like a registered client's.
        try {
          c = oauth.upsertMetadataDocumentClient(await deps.cimd.resolve(parsed.data.client_id));
        } catch (e) {
          if (e instanceof CimdError) {
            oauth.recordAuthorizeRefusal(parsed.data.client_id, `client metadata document refused: ${e.message}`);
            throw new InvalidClientError(e.message);
          }
          throw e;
        }
      } else {
        c = oauth.getClient(parsed.data.client_id);
      }
      if (!c) throw new InvalidClientError('unknown client_id');
      client = c;
      if (parsed.data.redirect_uri !== undefined) {
        const asked = parsed.data.redirect_uri;
        if (!c.redirectUris.some((r) => redirectUriMatches(asked, r))) {
          throw new InvalidRequestError('redirect_uri is not registered for this client');
        }
        redirectUri = asked;
      } else if (c.redirectUris.length === 1) {
        redirectUri = c.redirectUris[0]!;
      } else {
        throw new InvalidRequestError('redirect_uri is required: this client registered several');
      }
    } catch (e) {
      const err = e instanceof OAuthError ? e : new InvalidRequestError('malformed request');
      showError(err instanceof InvalidClientError ? 400 : 400, err);
      return;
    }
    // Step 2: the redirect URI is trusted; errors now go back to the client (RFC 6749 §4.1.2.1).
    const origin = urls.originOf(req);
    const p = AuthorizeParams.parse(raw);
    const back = (params: Record<string, string | undefined>) => {
      const u = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
      u.searchParams.set('iss', urls.issuer(origin)); // RFC 9207
      res.redirect(303, u.href);
    };
    const fail = (error: string, description: string) => {
      oauth.recordAuthorizeRefusal(client.id, `${error}: ${description}`);
      back({ error, error_description: description, state: p.state });
    };
    if (p.response_type !== 'code') {
      fail(new UnsupportedResponseTypeError('').errorCode, 'only response_type=code is supported');
      return;
    }
    if (!p.code_challenge) return fail('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256');
    if (p.code_challenge_method !== 'S256') {
      return fail('invalid_request', 'code_challenge_method must be S256 (plain is not allowed)');
    }
    if (!PKCE_VALUE.test(p.code_challenge)) return fail('invalid_request', 'code_challenge is malformed');
    const resource = p.resource ?? urls.resource(origin);
    if (!urls.isOwnResource(resource)) {
      return fail(new InvalidTargetError('').errorCode, `resource ${resource} is not this server (expected ${urls.resource(origin)})`);
    }
    const { id, browserKey, expiresAt } = oauth.createConsent({
      client,
      redirectUri,
      state: p.state,
      codeChallenge: p.code_challenge,
      scope: normalizeScope(p.scope),
      resource,
    });
    res.redirect(303, `${origin}/authorize/wait/${id}?k=${encodeURIComponent(browserKey)}`);
    void expiresAt;
  };
  router.get('/authorize', authorize);
  router.post('/authorize', form, authorize);

  // The waiting page. It holds briefly for a decision, then re-renders with a 1 s refresh.
  router.get('/authorize/wait/:id', async (req, res) => {
    pageHeaders(res);
    const key = typeof req.query.k === 'string' ? req.query.k : '';
    let row = oauth.consentForBrowser(String(req.params.id), key);
    if (!row) {
      res.status(404).type('html').send(messagePage('Unknown request', 'This authorization request does not exist.'));
      return;
    }
    if (row.status === 'pending') {
      // This poll is the sign that the browser (and so the client) is still there: noted before
      // the sweep, which withdraws pending consents whose page stopped polling.
      oauth.noteBrowserSeen(row.id);
      oauth.sweepConsents();
      row = oauth.getConsentRow(row.id) ?? row;
      if (row.status === 'pending') row = await waitForDecision(row, deps.waitHoldMs ?? 1500);
      if (row.status === 'pending') oauth.noteBrowserSeen(row.id);
    }
    const origin = urls.originOf(req);
    const redirect = (params: Record<string, string | null>) => {
      const u = new URL(row!.redirect_uri);
      for (const [k, v] of Object.entries(params)) if (v !== null) u.searchParams.set(k, v);
      u.searchParams.set('iss', urls.issuer(origin));
      res.redirect(303, u.href);
    };
    switch (row.status) {
      case 'pending': {
        const client = oauth.getClient(row.client_id);
        res
          .status(200)
          .type('html')
          .send(
            waitingPage({
              clientName: displaySafe(client?.name),
              verifiedHost: oauth.verifiedHostOf(row.client_id),
              scope: row.requested_scope,
              waitUrl: req.originalUrl,
              expiresAt: row.expires_at,
              now: deps.now(),
            }),
          );
        return;
      }
      case 'approved': {
        const code = oauth.issueCodeForConsent(row);
        if (code) return redirect({ code, state: row.state });
        break;
      }
      case 'superseded':
        // No redirect: the client started a newer request, which carries the flow; sending this
        // old state back could make the client abort the new one. The tab is told to stop.
        oauth.markConsentCompleted(row);
        res
          .status(409)
          .type('html')
          .send(messagePage('Replaced by a newer request', 'This client asked again, so this request was replaced by a newer request in another tab. You can close this tab.'));
        return;
      case 'denied':
      case 'expired':
      case 'refused':
      case 'withdrawn':
        oauth.markConsentCompleted(row);
        return redirect({
          error: 'access_denied',
          error_description: {
            denied: 'the person denied this request',
            expired: 'the request expired before anyone decided',
            refused: 'refused: too many pending requests from this client; only the newest wait for the person',
            withdrawn: 'withdrawn: the browser stopped waiting for a decision',
          }[row.status],
          state: row.state,
        });
    }
    res.status(410).type('html').send(messagePage('Already finished', 'This authorization request is complete; you can close this tab.'));
  });

  async function waitForDecision(row: ConsentRow, holdMs: number): Promise<ConsentRow> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, holdMs);
      const off = bus.subscribe((ev) => {
        if (ev.type === 'consent.decided' && ev.id === row.id) done();
      });
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
    return oauth.getConsentRow(row.id) ?? row;
  }

  // ── token endpoint ──
  router.post('/token', form, (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    try {
      const parsed = TokenParams.safeParse(singleValued(req.body ?? {}));
      if (!parsed.success) throw new InvalidRequestError(firstIssue(parsed.error));
      const p = parsed.data;
      const client = oauth.authenticateClient(clientCredentials(req, p));
      if (p.grant_type === 'authorization_code') {
        if (!p.code) throw new InvalidRequestError('code is required');
        if (!p.code_verifier) throw new InvalidRequestError('code_verifier is required (PKCE)');
        if (!PKCE_VALUE.test(p.code_verifier)) throw new InvalidRequestError('code_verifier must be 43-128 unreserved characters');
        res.json(oauth.exchangeCode(client, { code: p.code, codeVerifier: p.code_verifier, redirectUri: p.redirect_uri, resource: p.resource }));
      } else if (p.grant_type === 'refresh_token') {
        if (!p.refresh_token) throw new InvalidRequestError('refresh_token is required');
        res.json(oauth.refresh(client, { refreshToken: p.refresh_token, scope: p.scope, resource: p.resource }));
      } else {
        throw new UnsupportedGrantTypeError(`grant_type ${p.grant_type} is not supported`);
      }
    } catch (e) {
      sendOAuthError(res, e);
    }
  });

  // ── revocation (RFC 7009) ──
  router.post('/revoke', form, (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      const parsed = RevokeParams.safeParse(singleValued(req.body ?? {}));
      if (!parsed.success) throw new InvalidRequestError(firstIssue(parsed.error));
      const client = oauth.authenticateClient(clientCredentials(req, parsed.data));
      oauth.revokeToken(client, parsed.data.token);
      res.status(200).json({});
    } catch (e) {
      sendOAuthError(res, e);
    }
  });

  return router;
}
