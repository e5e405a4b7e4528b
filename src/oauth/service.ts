// The authorization server's state machine: clients, consents, grants, codes and tokens.
// HTTP parsing lives in routes.ts; this file holds every rule that guards a credential, and
// each check sits next to the RFC or reason that asks for it.
import {
  InvalidClientError,
  InvalidClientMetadataError,
  InvalidGrantError,
  InvalidScopeError,
  InvalidTargetError,
  OAuthError,
} from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type {
  ApproveConsentBody,
  AuthorizedClient,
  EditGrantBody,
  ConfirmPolicy,
  GrantLimits,
  PendingConsent,
  ScopeString,
} from '../control/contract.ts';
import type { AuditLog } from '../audit/audit.ts';
import type { EventBus } from '../events.ts';
import type { DB } from '../store/db.ts';
import { pkceS256, randomId, randomSecret, safeEqual, sha256Hex } from '../util/crypto.ts';
import { displaySafe, redirectDisplay } from '../util/display-safe.ts';
import type { ClientMetadataDocument } from './cimd.ts';
import { CONSENT_CAPS, DEFAULT_LIMITS, normalizeScope, scopeIncludes, TTL } from './policy.ts';

export class InvalidRedirectUriError extends OAuthError {
  static override errorCode = 'invalid_redirect_uri';
}

export interface ClientRecord {
  id: string;
  name: string;
  redirectUris: string[];
  authMethod: 'none' | 'client_secret_post' | 'client_secret_basic';
  secretHash: string | null;
  metadata: Record<string, unknown>;
  createdAt: number;
}

export interface GrantRecord {
  id: string;
  clientId: string;
  clientName: string;
  scope: ScopeString;
  accounts: string[];
  confirmPolicy: ConfirmPolicy;
  limits: GrantLimits;
  resource: string;
}

export interface AccessContext {
  grant: GrantRecord;
  expiresAt: number;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

export interface ConsentRequest {
  client: ClientRecord;
  redirectUri: string;
  state: string | undefined;
  codeChallenge: string;
  scope: ScopeString;
  resource: string;
}

export interface ConsentRow {
  id: string;
  browser_key_hash: string;
  client_id: string;
  redirect_uri: string;
  state: string | null;
  code_challenge: string;
  requested_scope: ScopeString;
  resource: string;
  /**
   * superseded: the same client asked again (same redirect_uri and scope) and the newer request
   * replaced this one; refused: evicted by a cap on pending requests; withdrawn: its browser page
   * stopped waiting (TTL.consentAbandonMs).
   */
  status: 'pending' | 'approved' | 'denied' | 'expired' | 'completed' | 'superseded' | 'refused' | 'withdrawn';
  grant_id: string | null;
  created_at: number;
  expires_at: number;
}

export interface OAuthDeps {
  db: DB;
  audit: AuditLog;
  bus: EventBus;
  now: () => number;
  /** Accounts the person can grant (the NT8 link's accounts right now). */
  availableAccounts: () => string[];
  /** True when `resource` names this MCP server under any of its loopback names (RFC 8707). */
  isOwnResource: (resource: string) => boolean;
}

interface TokenRow {
  hash: string;
  kind: 'access' | 'refresh';
  grant_id: string;
  client_id: string;
  scope: ScopeString;
  created_at: number;
  expires_at: number;
  rotated_at: number | null;
  parent_hash: string | null;
  revoked_at: number | null;
}

interface GrantRow {
  id: string;
  client_id: string;
  client_name: string;
  scope: ScopeString;
  accounts: string;
  confirm_policy: ConfirmPolicy;
  limits: string;
  resource: string;
  created_at: number;
  last_used_at: number | null;
  call_count: number;
  revoked_at: number | null;
  client_removed_at: number | null;
}

export class OAuthService {
  private readonly db: DB;
  private readonly s;
  private readonly verified = new Map<string, AccessContext>();
  /** Pending consent id → when its waiting page last polled (absent: since it was created). */
  private readonly browserSeen = new Map<string, number>();
  /** Grants the resource server just answered 403 insufficient_scope (grant id → until when). */
  private readonly stepUps = new Map<string, number>();

  constructor(private readonly deps: OAuthDeps) {
    this.db = deps.db;
    const db = this.db;
    this.s = {
      insertClient: db.prepare(
        `INSERT INTO clients (id, name, redirect_uris, metadata, secret_hash, auth_method, created_at)
         VALUES (@id, @name, @redirect_uris, @metadata, @secret_hash, @auth_method, @created_at)`,
      ),
      getClient: db.prepare('SELECT * FROM clients WHERE id = ? AND removed_at IS NULL'),
      upsertClient: db.prepare(
        `INSERT INTO clients (id, name, redirect_uris, metadata, secret_hash, auth_method, created_at)
         VALUES (@id, @name, @redirect_uris, @metadata, NULL, 'none', @created_at)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, redirect_uris = excluded.redirect_uris, metadata = excluded.metadata`,
      ),
      insertConsent: db.prepare(
        `INSERT INTO consents (id, browser_key_hash, client_id, redirect_uri, state, code_challenge, requested_scope, resource, created_at, expires_at)
         VALUES (@id, @browser_key_hash, @client_id, @redirect_uri, @state, @code_challenge, @requested_scope, @resource, @created_at, @expires_at)`,
      ),
      getConsent: db.prepare('SELECT * FROM consents WHERE id = ?'),
      pendingConsents: db.prepare(
        `SELECT c.*, cl.name AS client_name FROM consents c JOIN clients cl ON cl.id = c.client_id
         WHERE c.status = 'pending' ORDER BY c.created_at`,
      ),
      pendingOne: db.prepare(
        `SELECT c.*, cl.name AS client_name FROM consents c JOIN clients cl ON cl.id = c.client_id
         WHERE c.status = 'pending' AND c.id = ?`,
      ),
      pendingLive: db.prepare(
        `SELECT id, client_id, redirect_uri, requested_scope, created_at FROM consents
         WHERE status = 'pending' AND expires_at > ? ORDER BY created_at, rowid`,
      ),
      pendingOfClient: db.prepare(
        `SELECT * FROM consents WHERE status = 'pending' AND client_id = ? AND expires_at > ? ORDER BY created_at, rowid`,
      ),
      decideConsent: db.prepare(
        `UPDATE consents SET status = @status, grant_id = @grant_id, decided_at = @now WHERE id = @id AND status = 'pending'`,
      ),
      completeConsent: db.prepare(`UPDATE consents SET status = 'completed' WHERE id = ? AND status = ?`),
      expireConsents: db.prepare(
        `UPDATE consents SET status = 'expired', decided_at = @now WHERE status = 'pending' AND expires_at <= @now RETURNING id`,
      ),
      insertGrant: db.prepare(
        `INSERT INTO grants (id, client_id, scope, accounts, confirm_policy, limits, resource, created_at)
         VALUES (@id, @client_id, @scope, @accounts, @confirm_policy, @limits, @resource, @created_at)`,
      ),
      getGrant: db.prepare(
        `SELECT g.*, c.name AS client_name, c.removed_at AS client_removed_at FROM grants g JOIN clients c ON c.id = g.client_id WHERE g.id = ?`,
      ),
      supersedeGrants: db.prepare(
        `UPDATE grants SET revoked_at = @now, revoked_reason = 'superseded' WHERE client_id = @client_id AND id != @id AND revoked_at IS NULL`,
      ),
      revokeGrant: db.prepare(
        `UPDATE grants SET revoked_at = @now, revoked_reason = @reason WHERE id = @id AND revoked_at IS NULL`,
      ),
      revokeGrantTokens: db.prepare(`UPDATE tokens SET revoked_at = @now WHERE grant_id = @id AND revoked_at IS NULL`),
      revokeClientGrants: db.prepare(
        `UPDATE grants SET revoked_at = @now, revoked_reason = @reason WHERE client_id = @client_id AND revoked_at IS NULL`,
      ),
      revokeClientTokens: db.prepare(
        `UPDATE tokens SET revoked_at = @now WHERE client_id = @client_id AND revoked_at IS NULL`,
      ),
      touchGrant: db.prepare(
        `UPDATE grants SET last_used_at = @now, call_count = call_count + 1 WHERE id = @id`,
      ),
      activeGrantOf: db.prepare(
        `SELECT * FROM grants WHERE client_id = ? AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1`,
      ),
      carryUsage: db.prepare(`UPDATE grants SET call_count = @call_count, last_used_at = @last_used_at WHERE id = @id`),
      activeGrants: db.prepare(
        // first_granted_at: when the person first let this client in, following approved upgrades
        // (superseded grants) back to the last time its access was ended for another reason.
        `SELECT g.*, c.name AS client_name, c.removed_at AS client_removed_at,
           (SELECT MIN(g2.created_at) FROM grants g2
             WHERE g2.client_id = g.client_id AND (g2.id = g.id OR g2.revoked_reason = 'superseded')
               AND g2.created_at > COALESCE((SELECT MAX(g3.revoked_at) FROM grants g3
                 WHERE g3.client_id = g.client_id AND g3.revoked_reason IS NOT 'superseded'), -1)) AS first_granted_at
         FROM grants g JOIN clients c ON c.id = g.client_id
         WHERE g.revoked_at IS NULL AND c.removed_at IS NULL ORDER BY g.created_at DESC`,
      ),
      insertCode: db.prepare(
        `INSERT INTO auth_codes (hash, grant_id, client_id, redirect_uri, code_challenge, expires_at)
         VALUES (@hash, @grant_id, @client_id, @redirect_uri, @code_challenge, @expires_at)`,
      ),
      getCode: db.prepare('SELECT * FROM auth_codes WHERE hash = ?'),
      useCode: db.prepare('UPDATE auth_codes SET used_at = @now WHERE hash = @hash AND used_at IS NULL'),
      insertToken: db.prepare(
        `INSERT INTO tokens (hash, kind, grant_id, client_id, scope, created_at, expires_at, parent_hash)
         VALUES (@hash, @kind, @grant_id, @client_id, @scope, @created_at, @expires_at, @parent_hash)`,
      ),
      getToken: db.prepare('SELECT * FROM tokens WHERE hash = ?'),
      rotateToken: db.prepare(
        'UPDATE tokens SET rotated_at = @now WHERE hash = @hash AND rotated_at IS NULL AND revoked_at IS NULL',
      ),
      revokeToken: db.prepare('UPDATE tokens SET revoked_at = @now WHERE hash = @hash AND revoked_at IS NULL'),
      childrenOf: db.prepare('SELECT * FROM tokens WHERE parent_hash = ?'),
      accessLookup: db.prepare(
        `SELECT t.expires_at AS t_expires, t.revoked_at AS t_revoked, t.kind AS kind, t.scope AS t_scope,
                g.*, c.name AS client_name, c.removed_at AS client_removed_at
         FROM tokens t JOIN grants g ON g.id = t.grant_id JOIN clients c ON c.id = t.client_id WHERE t.hash = ?`,
      ),
    };
  }

  // ───────────────────────── clients (RFC 7591) ─────────────────────────

  getClient(id: string): ClientRecord | null {
    const r = this.s.getClient.get(id) as
      | { id: string; name: string; redirect_uris: string; metadata: string; secret_hash: string | null; auth_method: ClientRecord['authMethod']; created_at: number }
      | undefined;
    if (!r) return null;
    return {
      id: r.id,
      name: r.name,
      redirectUris: JSON.parse(r.redirect_uris) as string[],
      authMethod: r.auth_method,
      secretHash: r.secret_hash,
      metadata: JSON.parse(r.metadata) as Record<string, unknown>,
      createdAt: r.created_at,
    };
  }

  /** Registers a client; returns the RFC 7591 response (the only time the secret exists in clear). */
  registerClient(meta: {
    redirect_uris: string[];
    client_name?: string;
    token_endpoint_auth_method?: string;
    grant_types?: string[];
    response_types?: string[];
    [k: string]: unknown;
  }): Record<string, unknown> {
    const method = meta.token_endpoint_auth_method ?? 'client_secret_basic'; // RFC 7591 §2 default
    if (method !== 'none' && method !== 'client_secret_post' && method !== 'client_secret_basic') {
      throw new InvalidClientMetadataError(
        `token_endpoint_auth_method "${method}" is not supported; use none, client_secret_post or client_secret_basic`,
      );
    }
    const grantTypes = meta.grant_types ?? ['authorization_code', 'refresh_token'];
    const badGrant = grantTypes.find((g) => g !== 'authorization_code' && g !== 'refresh_token');
    if (badGrant) {
      throw new InvalidClientMetadataError(`grant type "${badGrant}" is not supported; only authorization_code and refresh_token`);
    }
    const responseTypes = meta.response_types ?? ['code'];
    if (responseTypes.some((r) => r !== 'code')) {
      throw new InvalidClientMetadataError('only response_type "code" is supported (no implicit flow)');
    }
    const now = this.deps.now();
    const id = randomId('cli');
    const secret = method === 'none' ? null : randomSecret(32);
    // eslint-disable-next-line no-control-regex
    // Display-safe once here (and again whenever served): no bidi or invisible characters, ≤ 60.
    const name = displaySafe(meta.client_name);
    const accepted = {
      ...meta,
      client_name: name,
      token_endpoint_auth_method: method,
      grant_types: grantTypes,
      response_types: responseTypes,
    };
    this.s.insertClient.run({
      id,
      name,
      redirect_uris: JSON.stringify(meta.redirect_uris),
      metadata: JSON.stringify(accepted),
      secret_hash: secret ? sha256Hex(secret) : null,
      auth_method: method,
      created_at: now,
    });
    this.deps.audit.record({
      kind: 'auth',
      event: 'client.registered',
      clientId: id,
      outcome: 'ok',
      detail: `${name} (${method}) redirect ${meta.redirect_uris.join(', ')}`,
    });
    return {
      ...accepted,
      client_id: id,
      client_id_issued_at: Math.floor(now / 1000),
      ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
    };
  }

  /**
   * A client identified by a Client ID Metadata Document (cimd.ts has fetched and validated it):
   * its row is created or refreshed from the document. The client_id is the URL itself; it is a
   * public client (`none`), so no secret exists.
   */
  upsertMetadataDocumentClient(doc: ClientMetadataDocument): ClientRecord {
    const now = this.deps.now();
    const before = this.getClient(doc.clientId);
    const name = displaySafe(doc.clientName ?? doc.host);
    const metadata = JSON.stringify({ ...doc.metadata, client_id_metadata_document: { host: doc.host, fetchedAt: new Date(now).toISOString() } });
    const redirectUris = JSON.stringify(doc.redirectUris);
    this.s.upsertClient.run({ id: doc.clientId, name, redirect_uris: redirectUris, metadata, created_at: now });
    if (!before || before.name !== name || JSON.stringify(before.redirectUris) !== redirectUris) {
      this.deps.audit.record({
        kind: 'auth',
        event: before ? 'client.metadata_changed' : 'client.metadata_document',
        clientId: doc.clientId,
        outcome: 'ok',
        detail: `${name} (metadata document at ${doc.host}) redirect ${doc.redirectUris.join(', ')}`,
      });
    }
    return this.getClient(doc.clientId)!;
  }

  /**
   * Client authentication at /token and /revoke (RFC 6749 §2.3). The secret is compared by hash
   * in constant time. A confidential client must authenticate; a public one sends only its id.
   */
  authenticateClient(input: { clientId?: string; clientSecret?: string; via: 'basic' | 'post' | 'none' }): ClientRecord {
    const fail = (why: string, clientId: string | null) => {
      this.deps.audit.record({ kind: 'auth', event: 'client.auth_failed', clientId, outcome: 'refused', detail: why });
      return new InvalidClientError(`client authentication failed: ${why}`);
    };
    if (!input.clientId) throw fail('no client_id', null);
    const client = this.getClient(input.clientId);
    if (!client) throw fail('unknown client_id', null);
    if (client.secretHash) {
      if (!input.clientSecret || !safeEqual(sha256Hex(input.clientSecret), client.secretHash)) {
        throw fail('wrong or missing client_secret', client.id);
      }
    } else if (input.clientSecret) {
      throw fail('this public client has no secret', client.id);
    }
    return client;
  }

  /** An /authorize request refused after its redirect URI was validated (the error goes back to the client). */
  recordAuthorizeRefusal(clientId: string, detail: string): void {
    this.deps.audit.record({ kind: 'auth', event: 'authorize.refused', clientId, outcome: 'refused', detail });
  }

  // ───────────────────────── consents ─────────────────────────

  /**
   * /authorize: records a pending consent; returns the id and the browser's key (for the wait page).
   * In the same transaction (issue 9, finding 6): the client's pending request with the same
   * redirect_uri and scope is replaced (coalescing), and the caps of `CONSENT_CAPS` are enforced by
   * refusing the oldest requests; each closed request is audited and its browser told.
   */
  createConsent(req: ConsentRequest): { id: string; browserKey: string; expiresAt: number } {
    const now = this.deps.now();
    const id = randomId('con');
    const browserKey = randomSecret(24);
    const expiresAt = now + TTL.consentMs;
    type Live = { id: string; client_id: string; redirect_uri: string; requested_scope: string; created_at: number };
    const closed: { id: string; clientId: string; status: 'superseded' | 'refused'; detail: string }[] = [];
    this.db.transaction(() => {
      const close = (r: Live, status: 'superseded' | 'refused', detail: string) => {
        if (this.s.decideConsent.run({ id: r.id, status, grant_id: null, now }).changes === 1) closed.push({ id: r.id, clientId: r.client_id, status, detail });
      };
      for (const r of this.s.pendingOfClient.all(req.client.id, now) as Live[]) {
        if (r.redirect_uri === req.redirectUri && r.requested_scope === req.scope) {
          close(r, 'superseded', 'replaced by a newer request from the same client (same redirect_uri and scope)');
        }
      }
      this.s.insertConsent.run({
        id,
        browser_key_hash: sha256Hex(browserKey),
        client_id: req.client.id,
        redirect_uri: req.redirectUri,
        state: req.state ?? null,
        code_challenge: req.codeChallenge,
        requested_scope: req.scope,
        resource: req.resource,
        created_at: now,
        expires_at: expiresAt,
      });
      const mine = this.s.pendingOfClient.all(req.client.id, now) as Live[];
      while (mine.length > CONSENT_CAPS.perClient) {
        close(mine.shift()!, 'refused', `too many pending requests from this client (at most ${CONSENT_CAPS.perClient} wait at once; the oldest is refused)`);
      }
      const all = this.s.pendingLive.all(now) as Live[];
      while (all.length > CONSENT_CAPS.total) {
        // The oldest request of the client holding the most (ties: whose oldest is older): a flood
        // spread over several clients loses its own requests before a lone real one.
        const byClient = new Map<string, Live[]>();
        for (const r of all) byClient.set(r.client_id, [...(byClient.get(r.client_id) ?? []), r]);
        let victim: Live | undefined;
        let most = 0;
        for (const rows of byClient.values()) {
          if (rows.length > most) {
            most = rows.length;
            victim = rows[0];
          }
        }
        all.splice(all.indexOf(victim!), 1);
        close(victim!, 'refused', `too many pending requests on this machine (at most ${CONSENT_CAPS.total}; the oldest request of the client with the most is refused)`);
      }
    })();
    this.browserSeen.set(id, now);
    this.deps.audit.record({
      kind: 'auth',
      event: 'consent.created',
      clientId: req.client.id,
      outcome: 'ok',
      detail: `requested ${req.scope}; redirect ${req.redirectUri}${this.upgradeOf(req.client.id) ? `; upgrade of a client holding ${this.upgradeOf(req.client.id)!.scope}` : ''}`,
    });
    // The new request is announced before the ones it closed, so a listener that keeps one
    // notice per client (the tray) sees the client still waiting and raises nothing new.
    const row = this.s.pendingOne.get(id) as (ConsentRow & { client_name: string }) | undefined;
    if (row) this.deps.bus.emit({ type: 'consent.created', consent: this.toPending(row, this.deps.availableAccounts()) });
    for (const x of closed) {
      this.browserSeen.delete(x.id);
      this.deps.audit.record({
        kind: 'auth',
        event: x.status === 'superseded' ? 'consent.superseded' : 'consent.refused',
        clientId: x.clientId,
        outcome: x.status === 'superseded' ? 'cancelled' : 'refused',
        detail: x.detail,
      });
      this.deps.bus.emit({ type: 'consent.decided', id: x.id, decision: x.status });
    }
    return { id, browserKey, expiresAt };
  }

  /** The waiting page of this pending consent polled: its browser is still there. */
  noteBrowserSeen(id: string): void {
    if (this.browserSeen.has(id) || this.browserSeen.size < 10_000) this.browserSeen.set(id, this.deps.now());
  }

  /**
   * Expires overdue consents, then withdraws those whose waiting page stopped polling for
   * TTL.consentAbandonMs (the tab was closed, the client gave up). Called by a timer, by the wait
   * page and by the control API, so the dashboard hears of it without asking.
   */
  sweepConsents(): void {
    this.expireConsents();
    const now = this.deps.now();
    const live = this.s.pendingLive.all(now) as { id: string; client_id: string; created_at: number }[];
    const liveIds = new Set(live.map((r) => r.id));
    for (const id of this.browserSeen.keys()) if (!liveIds.has(id)) this.browserSeen.delete(id);
    for (const r of live) {
      const seen = this.browserSeen.get(r.id) ?? r.created_at;
      if (now - seen < TTL.consentAbandonMs) continue;
      if (this.s.decideConsent.run({ id: r.id, status: 'withdrawn', grant_id: null, now }).changes !== 1) continue;
      this.browserSeen.delete(r.id);
      this.deps.audit.record({
        kind: 'auth',
        event: 'consent.withdrawn',
        clientId: r.client_id,
        outcome: 'cancelled',
        detail: `its browser page stopped waiting (no poll for ${Math.round((now - seen) / 1000)} s; withdrawn after ${TTL.consentAbandonMs / 1000} s)`,
      });
      this.deps.bus.emit({ type: 'consent.decided', id: r.id, decision: 'withdrawn' });
    }
  }

  /** "Deny all from this client" at the desktop: every pending request of the client is denied. */
  denyAllFrom(clientId: string): number {
    const now = this.deps.now();
    const rows = this.s.pendingOfClient.all(clientId, now) as ConsentRow[];
    let n = 0;
    for (const r of rows) {
      if (this.s.decideConsent.run({ id: r.id, status: 'denied', grant_id: null, now }).changes !== 1) continue;
      n++;
      this.browserSeen.delete(r.id);
      this.deps.audit.record({ kind: 'auth', event: 'consent.denied', clientId, outcome: 'denied', detail: 'denied at the desktop with every pending request of this client (deny all)' });
      this.deps.bus.emit({ type: 'consent.decided', id: r.id, decision: 'denied' });
    }
    return n;
  }

  consentForBrowser(id: string, browserKey: string): ConsentRow | null {
    const row = this.s.getConsent.get(id) as ConsentRow | undefined;
    if (!row || !safeEqual(sha256Hex(browserKey), row.browser_key_hash)) return null;
    return row;
  }

  getConsentRow(id: string): ConsentRow | null {
    return (this.s.getConsent.get(id) as ConsentRow | undefined) ?? null;
  }

  /** Marks overdue consents expired; returns the ids so callers can tell the UI. */
  expireConsents(): string[] {
    const now = this.deps.now();
    const ids = (this.s.expireConsents.all({ now }) as { id: string }[]).map((r) => r.id);
    for (const id of ids) {
      const row = this.getConsentRow(id);
      this.deps.audit.record({ kind: 'auth', event: 'consent.expired', clientId: row?.client_id, outcome: 'denied' });
      this.deps.bus.emit({ type: 'consent.decided', id, decision: 'expired' });
    }
    return ids;
  }

  pendingConsents(): PendingConsent[] {
    const rows = this.s.pendingConsents.all() as (ConsentRow & { client_name: string })[];
    const now = this.deps.now();
    const accounts = this.deps.availableAccounts();
    return rows.filter((r) => r.expires_at > now).map((r) => this.toPending(r, accounts));
  }

  private toPending(r: ConsentRow & { client_name: string }, accounts: string[]): PendingConsent {
    const redirect = redirectDisplay(r.redirect_uri);
    return {
        id: r.id,
        clientId: r.client_id,
        clientName: displaySafe(r.client_name),
        redirectUri: r.redirect_uri,
        redirectHost: redirect.host,
        redirectLabel: redirect.label,
        requestedScope: r.requested_scope,
        availableAccounts: accounts,
        createdAt: new Date(r.created_at).toISOString(),
        expiresAt: new Date(r.expires_at).toISOString(),
        upgradeOf: this.upgradeOf(r.client_id),
        verifiedHost: this.verifiedHostOf(r.client_id),
    };
  }

  /** The client's live grant, which a new consent would replace (null for a first authorization). */
  private upgradeOf(clientId: string): PendingConsent['upgradeOf'] {
    const g = this.s.activeGrantOf.get(clientId) as GrantRow | undefined;
    if (!g) return null;
    return { scope: g.scope, accounts: JSON.parse(g.accounts) as string[], grantedAt: new Date(g.created_at).toISOString() };
  }

  /** The host that served a metadata-document client's document; null for a registered client. */
  verifiedHostOf(clientId: string): string | null {
    const meta = this.getClient(clientId)?.metadata.client_id_metadata_document as { host?: unknown } | undefined;
    return typeof meta?.host === 'string' ? meta.host : null;
  }

  /**
   * The resource server answered 403 insufficient_scope to this grant (MCP 2025-11-25 step-up).
   * Remembered briefly so that the client's next refresh can be steered into a new authorization.
   */
  noteInsufficientScope(grantId: string): void {
    if (this.stepUps.size > 1000) this.stepUps.clear();
    this.stepUps.set(grantId, this.deps.now() + TTL.stepUpWindowMs);
  }

  /**
   * The person approved at the desktop (control API only). The person may narrow the scope and
   * choose accounts; they cannot grant more than the client asked for.
   */
  approveConsent(id: string, body: ApproveConsentBody): GrantRecord {
    this.expireConsents();
    const row = this.getConsentRow(id);
    if (!row) throw new ConsentError('not_found', 'No such consent request.');
    if (row.status !== 'pending') throw new ConsentError('not_pending', `This consent request is already ${row.status}.`);
    // The person decides the scope. Clients start at mcp:read (the 401 challenge says so) and many
    // cannot step up by themselves, so the person may also grant mcp:trade here, deliberately
    // (RFC 6749 §3.3 lets the server issue a scope other than the one requested; the token
    // response states it). The UI defaults to what was asked.
    const scope = body.scope ?? row.requested_scope;
    const available = this.deps.availableAccounts();
    // An upgrade keeps what the person chose before (accounts, limits) unless they change it now.
    const previous = this.s.activeGrantOf.get(row.client_id) as GrantRow | undefined;
    const previousAccounts = previous ? (JSON.parse(previous.accounts) as string[]).filter((a) => available.includes(a)) : [];
    const accounts = body.accounts ?? (previousAccounts.length ? previousAccounts : available);
    if (accounts.length === 0) {
      throw new ConsentError('invalid_accounts', 'Choose at least one NinjaTrader account for this client.');
    }
    const unknown = accounts.filter((a) => !available.includes(a));
    if (unknown.length) {
      throw new ConsentError(
        'invalid_accounts',
        `Unknown account${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; available: ${available.join(', ') || 'none (is NinjaTrader connected?)'}.`,
      );
    }
    const limits: GrantLimits = { ...DEFAULT_LIMITS, ...(previous ? (JSON.parse(previous.limits) as GrantLimits) : {}), ...(body.limits ?? {}) };
    const confirmPolicy: ConfirmPolicy = body.confirmPolicy ?? 'always';
    const now = this.deps.now();
    const grantId = randomId('grt');
    const ok = this.db.transaction(() => {
      const changed = this.s.decideConsent.run({ id, status: 'approved', grant_id: grantId, now }).changes;
      if (changed !== 1) return false;
      this.s.insertGrant.run({
        id: grantId,
        client_id: row.client_id,
        scope: normalizeScope(scope),
        accounts: JSON.stringify([...new Set(accounts)]),
        confirm_policy: confirmPolicy,
        limits: JSON.stringify(limits),
        resource: row.resource,
        created_at: now,
      });
      // The client keeps its history in the Clients view across an upgrade.
      if (previous) this.s.carryUsage.run({ id: grantId, call_count: previous.call_count, last_used_at: previous.last_used_at });
      // One live grant per client, so the Clients list is the whole truth about its access: an
      // upgrade supersedes the previous grant and revokes its tokens (docs/security.md, step-up).
      const superseded = this.s.supersedeGrants.run({ now, client_id: row.client_id, id: grantId }).changes;
      if (superseded) {
        this.db
          .prepare(
            `UPDATE tokens SET revoked_at = ? WHERE client_id = ? AND grant_id != ? AND revoked_at IS NULL`,
          )
          .run(now, row.client_id, grantId);
      }
      return true;
    })();
    this.forgetRevoked();
    if (!ok) throw new ConsentError('not_pending', 'This consent request was decided meanwhile.');
    const grant = this.getGrant(grantId)!;
    this.deps.audit.record({
      kind: 'auth',
      event: 'consent.approved',
      clientId: row.client_id,
      grantId,
      outcome: 'ok',
      detail: `granted ${grant.scope}${grant.scope !== row.requested_scope ? ` (client asked ${row.requested_scope})` : ''} on ${grant.accounts.join(', ')}; confirm ${confirmPolicy}${previous ? `; replaces grant ${previous.id} (${previous.scope}), whose tokens are revoked` : ''}`,
    });
    this.deps.bus.emit({ type: 'consent.decided', id, decision: 'approved' });
    this.deps.bus.emit({ type: 'client.changed', clientId: row.client_id });
    return grant;
  }

  denyConsent(id: string): void {
    const row = this.getConsentRow(id);
    if (!row) throw new ConsentError('not_found', 'No such consent request.');
    const changed = this.s.decideConsent.run({ id, status: 'denied', grant_id: null, now: this.deps.now() }).changes;
    if (changed !== 1) throw new ConsentError('not_pending', `This consent request is already ${row.status}.`);
    this.deps.audit.record({ kind: 'auth', event: 'consent.denied', clientId: row.client_id, outcome: 'denied' });
    this.deps.bus.emit({ type: 'consent.decided', id, decision: 'denied' });
  }

  /**
   * The browser came back after approval: mint the one authorization code (single use, 60 s,
   * bound to client, redirect_uri and PKCE challenge; the grant carries the resource).
   * Returns null when this consent already handed out its code.
   */
  issueCodeForConsent(row: ConsentRow): string | null {
    if (row.status !== 'approved' || !row.grant_id) return null;
    const code = randomSecret(32);
    const now = this.deps.now();
    const done = this.db.transaction(() => {
      if (this.s.completeConsent.run(row.id, 'approved').changes !== 1) return false;
      this.s.insertCode.run({
        hash: sha256Hex(code),
        grant_id: row.grant_id,
        client_id: row.client_id,
        redirect_uri: row.redirect_uri,
        code_challenge: row.code_challenge,
        expires_at: now + TTL.authorizationCodeMs,
      });
      return true;
    })();
    if (!done) return null;
    this.deps.audit.record({
      kind: 'auth',
      event: 'code.issued',
      clientId: row.client_id,
      grantId: row.grant_id,
      outcome: 'ok',
    });
    return code;
  }

  markConsentCompleted(row: ConsentRow): void {
    this.s.completeConsent.run(row.id, row.status);
  }

  // ───────────────────────── tokens ─────────────────────────

  /**
   * authorization_code grant. The code is consumed by one conditional write before anything else
   * is checked, so two parallel redemptions cannot both win, and a failed attempt burns the code.
   */
  exchangeCode(
    client: ClientRecord,
    p: { code: string; codeVerifier: string; redirectUri?: string; resource?: string },
  ): TokenResponse {
    const now = this.deps.now();
    const hash = sha256Hex(p.code);
    type CodeRow = { hash: string; grant_id: string; client_id: string; redirect_uri: string; code_challenge: string; expires_at: number; used_at: number | null };
    const outcome = this.db.transaction((): { error: OAuthError; replayGrant?: string } | { tokens: TokenResponse; grant: GrantRecord } => {
      const row = this.s.getCode.get(hash) as CodeRow | undefined;
      if (!row) return { error: new InvalidGrantError('authorization code is invalid') };
      if (this.s.useCode.run({ now, hash }).changes !== 1) {
        // RFC 6749 §4.1.2 / RFC 9700 §4.2.4: a replayed code revokes what was issued from it.
        return { error: new InvalidGrantError('authorization code was already used'), replayGrant: row.grant_id };
      }
      if (row.client_id !== client.id) return { error: new InvalidGrantError('authorization code was issued to another client') };
      if (row.expires_at <= now) return { error: new InvalidGrantError('authorization code expired') };
      if (p.redirectUri !== undefined && p.redirectUri !== row.redirect_uri) {
        return { error: new InvalidGrantError('redirect_uri does not match the authorization request') };
      }
      // RFC 7636 §4.6 (S256 only). Every code has a challenge: /authorize refuses requests without one.
      if (!safeEqual(pkceS256(p.codeVerifier), row.code_challenge)) {
        return { error: new InvalidGrantError('code_verifier does not match the code_challenge') };
      }
      const grant = this.getGrant(row.grant_id);
      if (!grant || !this.grantActive(row.grant_id)) return { error: new InvalidGrantError('the grant was revoked') };
      // RFC 8707 §2.2: the token is only for this server.
      if (p.resource !== undefined && !this.deps.isOwnResource(p.resource)) {
        return { error: new InvalidTargetError(`resource ${p.resource} is not this server`) };
      }
      return { tokens: this.issuePair(grant, grant.scope, null, now), grant };
    })();
    if ('error' in outcome) {
      if (outcome.replayGrant) {
        this.revokeGrant(outcome.replayGrant, 'code_replay');
        this.deps.audit.record({
          kind: 'auth',
          event: 'code.replay',
          clientId: client.id,
          grantId: outcome.replayGrant,
          outcome: 'refused',
          detail: 'authorization code presented twice; grant revoked',
        });
      } else {
        this.deps.audit.record({ kind: 'auth', event: 'token.refused', clientId: client.id, outcome: 'refused', detail: outcome.error.message });
      }
      throw outcome.error;
    }
    this.deps.audit.record({
      kind: 'auth',
      event: 'token.issued',
      clientId: client.id,
      grantId: outcome.grant.id,
      outcome: 'ok',
      detail: `scope ${outcome.tokens.scope}`,
    });
    return outcome.tokens;
  }

  /** refresh_token grant: rotation with reuse detection and the grace window in policy.ts. */
  refresh(client: ClientRecord, p: { refreshToken: string; scope?: string; resource?: string }): TokenResponse {
    const now = this.deps.now();
    const hash = sha256Hex(p.refreshToken);
    const outcome = this.db.transaction(
      (): { error: OAuthError; reuseGrant?: string } | { tokens: TokenResponse; grant: GrantRecord; grace: boolean } => {
        const row = this.s.getToken.get(hash) as TokenRow | undefined;
        if (!row || row.kind !== 'refresh') return { error: new InvalidGrantError('refresh token is invalid') };
        if (row.client_id !== client.id) return { error: new InvalidGrantError('refresh token was issued to another client') };
        if (row.revoked_at !== null) return { error: new InvalidGrantError('refresh token was revoked') };
        if (row.expires_at <= now) return { error: new InvalidGrantError('refresh token expired') };
        const grant = this.getGrant(row.grant_id);
        if (!grant || !this.grantActive(row.grant_id)) return { error: new InvalidGrantError('the grant was revoked') };
        if (p.resource !== undefined && !this.deps.isOwnResource(p.resource)) {
          return { error: new InvalidTargetError(`resource ${p.resource} is not this server`) };
        }
        // RFC 6749 §6: a refresh may narrow the scope, never widen it. Unknown words are ignored.
        let scope: ScopeString = grant.scope;
        if (p.scope !== undefined && p.scope.trim() !== '') {
          const asked = normalizeScope(p.scope);
          if (scopeIncludes(asked, 'mcp:trade') && !scopeIncludes(grant.scope, 'mcp:trade')) {
            return { error: new InvalidScopeError('the grant does not include mcp:trade; ask the person again') };
          }
          scope = p.scope.split(/\s+/).includes('mcp:trade') ? grant.scope : 'mcp:read';
        }
        // MCP step-up meets RFC 6749 §6: a refresh cannot widen scope. SDK clients up to 1.32
        // (typescript-sdk #2255) answer a 403 insufficient_scope by refreshing *without* a scope
        // and give up when the same scope comes back. The one scope-less refresh that follows a
        // challenge (within TTL.stepUpWindowMs) is therefore refused with invalid_grant, which
        // sends such a client into a new authorization, i.e. to the upgrade prompt at the desktop.
        // The refresh token is neither rotated nor revoked: the read grant stays usable.
        const stepUp = this.stepUps.get(grant.id);
        if (stepUp !== undefined && (p.scope === undefined || p.scope.trim() === '') && !scopeIncludes(grant.scope, 'mcp:trade')) {
          this.stepUps.delete(grant.id);
          if (stepUp > now) {
            return { error: new InvalidGrantError('this grant lacks mcp:trade, which the server asked for; a refresh cannot widen it: start a new authorization with scope "mcp:read mcp:trade"') };
          }
        }
        let grace = false;
        if (row.rotated_at !== null) {
          const children = this.s.childrenOf.all(hash) as TokenRow[];
          const childRefreshUsed = children.some((c) => c.kind === 'refresh' && (c.rotated_at !== null || c.revoked_at !== null));
          if (now - row.rotated_at > TTL.refreshGraceMs || childRefreshUsed) {
            return { error: new InvalidGrantError('refresh token was already used; the grant is revoked'), reuseGrant: row.grant_id };
          }
          // Within grace: retire the successor pair and issue a new one from this token.
          for (const c of children) this.s.revokeToken.run({ now, hash: c.hash });
          grace = true;
        } else if (this.s.rotateToken.run({ now, hash }).changes !== 1) {
          return { error: new InvalidGrantError('refresh token is being used concurrently') };
        }
        return { tokens: this.issuePair(grant, scope, hash, now), grant, grace };
      },
    )();
    this.forgetRevoked();
    if ('error' in outcome) {
      if (outcome.reuseGrant) {
        this.revokeGrant(outcome.reuseGrant, 'refresh_reuse');
        this.deps.audit.record({
          kind: 'auth',
          event: 'refresh.reuse',
          clientId: client.id,
          grantId: outcome.reuseGrant,
          outcome: 'refused',
          detail: 'a rotated refresh token was presented again; grant revoked',
        });
      } else {
        this.deps.audit.record({ kind: 'auth', event: 'refresh.refused', clientId: client.id, outcome: 'refused', detail: outcome.error.message });
      }
      throw outcome.error;
    }
    this.deps.audit.record({
      kind: 'auth',
      event: 'token.refreshed',
      clientId: client.id,
      grantId: outcome.grant.id,
      outcome: 'ok',
      detail: outcome.grace ? `scope ${outcome.tokens.scope} (retry within grace window)` : `scope ${outcome.tokens.scope}`,
    });
    return outcome.tokens;
  }

  private issuePair(grant: GrantRecord, scope: ScopeString, parentHash: string | null, now: number): TokenResponse {
    const access = randomSecret(32);
    const refresh = randomSecret(32);
    const base = { grant_id: grant.id, client_id: grant.clientId, scope, created_at: now, parent_hash: parentHash };
    this.s.insertToken.run({ ...base, hash: sha256Hex(access), kind: 'access', expires_at: now + TTL.accessTokenMs });
    this.s.insertToken.run({ ...base, hash: sha256Hex(refresh), kind: 'refresh', expires_at: now + TTL.refreshTokenMs });
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: Math.floor(TTL.accessTokenMs / 1000),
      refresh_token: refresh,
      scope,
    };
  }

  /** RFC 7009. Unknown tokens and other clients' tokens: nothing happens, and the caller answers 200 anyway. */
  revokeToken(client: ClientRecord, token: string): void {
    const row = this.s.getToken.get(sha256Hex(token)) as TokenRow | undefined;
    if (!row) {
      this.deps.audit.record({ kind: 'auth', event: 'revoke.unknown', clientId: client.id, outcome: 'ok', detail: 'token not found' });
      return;
    }
    if (row.client_id !== client.id) {
      this.deps.audit.record({
        kind: 'auth',
        event: 'revoke.foreign',
        clientId: client.id,
        outcome: 'refused',
        detail: `tried to revoke a token of client ${row.client_id}`,
      });
      return;
    }
    if (row.kind === 'refresh') {
      // RFC 7009 §2.1: revoking a refresh token also invalidates the grant's access tokens.
      this.revokeGrant(row.grant_id, 'client_revoked');
    } else {
      this.s.revokeToken.run({ now: this.deps.now(), hash: row.hash });
      this.forgetRevoked();
    }
    this.deps.audit.record({
      kind: 'auth',
      event: 'token.revoked',
      clientId: client.id,
      grantId: row.grant_id,
      outcome: 'ok',
      detail: `${row.kind} token revoked by the client`,
    });
  }

  /**
   * Resource-server check on every MCP request: the token exists, is an access token, unexpired,
   * unrevoked, its grant and client alive, and issued for this server. Revocation is therefore
   * effective on the very next request.
   */
  verifyAccessToken(token: string): AccessContext | null {
    const hash = sha256Hex(token);
    // Hot path: a verified token is remembered until it expires or anything is revoked. Every
    // revocation goes through this service and clears the cache (forgetRevoked), and the data dir
    // is locked to one companion process (store/lock.ts), so revocation still bites on the very
    // next request.
    const hit = this.verified.get(hash);
    if (hit) {
      if (hit.expiresAt > this.deps.now()) return { grant: { ...hit.grant }, expiresAt: hit.expiresAt };
      this.verified.delete(hash);
    }
    const ctx = this.lookupAccessToken(hash);
    if (ctx) {
      if (this.verified.size >= 10_000) this.verified.clear();
      this.verified.set(hash, ctx);
    }
    return ctx;
  }

  /** Called after every write that revokes a token, grant or client. */
  private forgetRevoked(): void {
    this.verified.clear();
  }

  private lookupAccessToken(hash: string): AccessContext | null {
    const r = this.s.accessLookup.get(hash) as
      | (GrantRow & { t_expires: number; t_revoked: number | null; kind: string; t_scope: ScopeString })
      | undefined;
    if (!r || r.kind !== 'access' || r.t_revoked !== null || r.revoked_at !== null || r.client_removed_at !== null) return null;
    if (r.t_expires <= this.deps.now()) return null;
    if (!this.deps.isOwnResource(r.resource)) return null;
    const grant = toGrant(r);
    // A refreshed token may carry a narrower scope than its grant.
    grant.scope = r.t_scope;
    return { grant, expiresAt: r.t_expires };
  }

  touchGrant(grantId: string): void {
    this.s.touchGrant.run({ id: grantId, now: this.deps.now() });
  }

  getGrant(id: string): GrantRecord | null {
    const r = this.s.getGrant.get(id) as GrantRow | undefined;
    return r ? toGrant(r) : null;
  }

  private grantActive(id: string): boolean {
    const r = this.s.getGrant.get(id) as GrantRow | undefined;
    return !!r && r.revoked_at === null && r.client_removed_at === null;
  }

  revokeGrant(id: string, reason: string): void {
    const now = this.deps.now();
    this.db.transaction(() => {
      this.s.revokeGrant.run({ id, now, reason });
      this.s.revokeGrantTokens.run({ id, now });
    })();
    this.forgetRevoked();
    const g = this.getGrant(id);
    if (g) this.deps.bus.emit({ type: 'client.changed', clientId: g.clientId });
  }

  /** Control API: every grant and token of the client dies; its next call is 401. */
  revokeClient(clientId: string): boolean {
    const client = this.getClient(clientId);
    if (!client) return false;
    const now = this.deps.now();
    this.db.transaction(() => {
      this.s.revokeClientGrants.run({ client_id: clientId, now, reason: 'revoked_by_user' });
      this.s.revokeClientTokens.run({ client_id: clientId, now });
    })();
    this.forgetRevoked();
    this.deps.audit.record({ kind: 'auth', event: 'client.revoked', clientId, outcome: 'ok', detail: 'revoked at the desktop' });
    this.deps.bus.emit({ type: 'client.revoked', clientId });
    return true;
  }

  /**
   * The person edits a client's live grant at the desktop (control API only; issue 11): scope,
   * accounts, confirmation policy, limits. In place: the grant keeps its id (its rate counters and
   * history), its live tokens take the new scope, and the verified-token cache is cleared, so the
   * client's very next call runs under the new grant. A scope change reaches a connected session as
   * tools/list_changed on its next call (src/mcp/endpoint.ts). Widening to trade is the person's own
   * act: audited as `grant.widened`. Returns null when the client has no live grant.
   */
  editGrant(clientId: string, body: EditGrantBody, by: string): AuthorizedClient | null {
    const row = this.s.activeGrantOf.get(clientId) as GrantRow | undefined;
    if (!row) return null;
    const before = toGrant({ ...row, client_name: '' });
    const available = this.deps.availableAccounts();
    const accounts = body.accounts ? [...new Set(body.accounts)] : before.accounts;
    // An account the link does not list now may stay (a disconnected link), never be added.
    const unknown = accounts.filter((a) => !available.includes(a) && !before.accounts.includes(a));
    if (unknown.length) {
      throw new ConsentError('invalid_accounts', `Unknown account${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; available: ${available.join(', ') || 'none (is NinjaTrader connected?)'}.`);
    }
    if (accounts.length === 0) throw new ConsentError('invalid_accounts', 'Choose at least one NinjaTrader account for this client.');
    const scope = body.scope ? normalizeScope(body.scope) : before.scope;
    const confirmPolicy = body.confirmPolicy ?? before.confirmPolicy;
    const limits: GrantLimits = { ...DEFAULT_LIMITS, ...before.limits, ...(body.limits ?? {}) };
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE grants SET scope = ?, accounts = ?, confirm_policy = ?, limits = ? WHERE id = ? AND revoked_at IS NULL')
        .run(scope, JSON.stringify(accounts), confirmPolicy, JSON.stringify(limits), row.id);
      if (scope !== before.scope) {
        // Live tokens carry their own scope (a refresh may narrow it): they take the grant's new one.
        this.db.prepare('UPDATE tokens SET scope = ? WHERE grant_id = ? AND revoked_at IS NULL').run(scope, row.id);
      }
    })();
    this.forgetRevoked();
    const changes: string[] = [];
    const L = (l: GrantLimits) => `${l.maxOrderQuantity}/order, ${l.maxPositionPerInstrument}/instrument, ${l.maxOrdersPerMinute}/min`;
    if (scope !== before.scope) changes.push(`scope ${before.scope} → ${scope}`);
    if (accounts.join(',') !== before.accounts.join(',')) changes.push(`accounts ${before.accounts.join(', ')} → ${accounts.join(', ')}`);
    if (confirmPolicy !== before.confirmPolicy) changes.push(`confirm ${before.confirmPolicy} → ${confirmPolicy}`);
    if (L(limits) !== L(before.limits)) changes.push(`limits ${L(before.limits)} → ${L(limits)}`);
    const widened = scopeIncludes(scope, 'mcp:trade') && !scopeIncludes(before.scope, 'mcp:trade');
    this.deps.audit.record({
      kind: 'auth',
      event: widened ? 'grant.widened' : 'grant.changed',
      clientId,
      grantId: row.id,
      args: body,
      outcome: 'ok',
      detail: `${by}: ${changes.length ? changes.join('; ') : 'no change'}${widened ? ' — trading allowed by the person at the desktop, not asked for by the client' : ''}`,
    });
    this.deps.bus.emit({ type: 'client.changed', clientId });
    return this.authorizedClients().find((c) => c.id === clientId) ?? null;
  }

  authorizedClients(): AuthorizedClient[] {
    const rows = this.s.activeGrants.all() as GrantRow[];
    const seen = new Set<string>();
    const out: AuthorizedClient[] = [];
    for (const r of rows) {
      if (seen.has(r.client_id)) continue;
      seen.add(r.client_id);
      const g = toGrant(r);
      out.push({
        id: r.client_id,
        name: displaySafe(r.client_name),
        scope: g.scope,
        accounts: g.accounts,
        confirmPolicy: g.confirmPolicy,
        limits: g.limits,
        createdAt: new Date((r as GrantRow & { first_granted_at?: number | null }).first_granted_at ?? r.created_at).toISOString(),
        lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
        callCount: r.call_count,
        verifiedHost: this.verifiedHostOf(r.client_id),
      });
    }
    return out;
  }
}

export class ConsentError extends Error {
  constructor(
    readonly code: 'not_found' | 'not_pending' | 'invalid_accounts',
    message: string,
  ) {
    super(message);
  }
}

function toGrant(r: GrantRow): GrantRecord {
  return {
    id: r.id,
    clientId: r.client_id,
    clientName: displaySafe(r.client_name),
    scope: r.scope,
    accounts: JSON.parse(r.accounts) as string[],
    confirmPolicy: r.confirm_policy,
    limits: JSON.parse(r.limits) as GrantLimits,
    resource: r.resource,
  };
}
