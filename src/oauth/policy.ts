// The authorization server's rules, each named after the RFC or reason that asks for it.
// Lifetimes are stated in docs/security.md; change both together.
import type { GrantLimits, ScopeString } from '../control/contract.ts';

export const TTL = {
  /** RFC 9700 §4.2.1 / OAuth 2.1: codes are short-lived and single use. */
  authorizationCodeMs: 60_000,
  accessTokenMs: 60 * 60_000,
  /** Sliding: every rotation issues a fresh 30-day refresh token. */
  refreshTokenMs: 30 * 24 * 60 * 60_000,
  /** How long a consent waits for the person at the desktop. */
  consentMs: 5 * 60_000,
  /**
   * Refresh grace: a client that retries a refresh (lost response, two tabs) may present the
   * immediately previous refresh token within this window, as long as its successor has not been
   * used yet. The successor pair is then revoked and a new pair issued, so one chain stays live.
   * Any other reuse of a rotated refresh token revokes the whole grant (RFC 9700 §4.14.2).
   */
  refreshGraceMs: 30_000,
  /**
   * After a 403 insufficient_scope, how long the grant's next scope-less refresh is answered
   * invalid_grant to send the client into a new authorization (service.ts `refresh`).
   */
  stepUpWindowMs: 5 * 60_000,
  /**
   * A pending consent whose waiting page has not polled for this long is withdrawn from the
   * dashboard: the tab was closed, the client gave up. The page re-polls every ~2.5 s (a hold of
   * up to 1.5 s, then a 1 s refresh), so 30 s is a dozen missed polls — a browser throttling a
   * background tab or a slow machine stays well inside it.
   */
  consentAbandonMs: 30_000,
  /** How often the core looks for abandoned and expired consents without being asked. */
  consentSweepMs: 2_000,
} as const;

/**
 * Pending consents (issue 9, finding 6). A client asking again with the same redirect_uri and
 * scope replaces its pending request (coalescing); beyond `perClient` its oldest request is
 * refused; beyond `total` the oldest request of the client holding the most is refused, so a
 * flood spread over many registered clients evicts its own requests before a lone real one.
 */
export const CONSENT_CAPS = {
  perClient: 3,
  total: 20,
} as const;

export const SUPPORTED_SCOPES = ['mcp:read', 'mcp:trade'] as const;

export const DEFAULT_LIMITS: GrantLimits = {
  maxOrderQuantity: 5,
  maxPositionPerInstrument: 10,
  maxOrdersPerMinute: 10,
};

/**
 * Scope selection: unknown scopes (openid, email, offline_access, …) are ignored, as MCP clients
 * add them freely; nothing known → `mcp:read`; `mcp:trade` includes `mcp:read`.
 */
export function normalizeScope(requested: string | undefined | null): ScopeString {
  const words = new Set((requested ?? '').split(/\s+/).filter(Boolean));
  return words.has('mcp:trade') ? 'mcp:read mcp:trade' : 'mcp:read';
}

export function scopeIncludes(granted: string, needed: 'mcp:read' | 'mcp:trade'): boolean {
  return granted.split(' ').includes(needed);
}

export function scopeList(scope: string): string[] {
  return scope.split(' ').filter(Boolean);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Schemes that must never receive a redirect (RFC 9700 §4.1; Cloudflare's provider blocks the same set). */
const DANGEROUS_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:', 'filesystem:']);

/**
 * Registration-time check of one redirect URI. Allowed: https, http on a loopback host
 * (RFC 8252 §7.3), and private-use schemes such as `cursor://…` (RFC 8252 §7.1).
 * Returns a reason when the URI is refused.
 */
export function redirectUriProblem(uri: string): string | null {
  if (uri !== uri.trim() || /[\u0000-\u001f\u007f]/.test(uri)) return 'contains whitespace or control characters';
  // Bidi controls and invisible characters would make the redirect read differently in the audit log.
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(uri)) return 'contains invisible or bidi control characters';
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return 'is not an absolute URL';
  }
  if (DANGEROUS_SCHEMES.has(u.protocol)) return `uses the forbidden scheme ${u.protocol}`;
  if (u.hash || uri.includes('#')) return 'must not contain a fragment (RFC 6749 §3.1.2)';
  if (u.protocol === 'http:' && !LOOPBACK_HOSTS.has(u.hostname)) {
    return 'uses http on a non-loopback host (only https, loopback http, or an app scheme are allowed)';
  }
  if (u.username || u.password) return 'must not contain credentials';
  return null;
}

/**
 * Authorization-time match (RFC 9700 §4.1.3: exact string match), with the one exception of
 * RFC 8252 §7.3: a loopback http redirect may use any port. `localhost` and `127.0.0.1` do not
 * cross-match.
 */
export function redirectUriMatches(requested: string, registered: string): boolean {
  if (requested === registered) return true;
  let req: URL;
  let reg: URL;
  try {
    req = new URL(requested);
    reg = new URL(registered);
  } catch {
    return false;
  }
  if (req.protocol !== 'http:' || reg.protocol !== 'http:') return false;
  if (!LOOPBACK_HOSTS.has(req.hostname) || req.hostname !== reg.hostname) return false;
  if (req.username || req.password || req.hash) return false;
  return req.pathname === reg.pathname && req.search === reg.search;
}

/** RFC 7636 §4.1: 43–128 characters from the unreserved set. Same shape for the challenge (base64url of 32 bytes = 43). */
export const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;
