// Dashboard sign-in without the control token in any URL (issue 9 item 9, docs/security.md
// "Dashboard and grants"). The dashboard link carries a one-time code in its fragment
// (`/#code=…`: never sent to a server, never in a Referer); the page trades it once, by a JSON
// POST, for a session cookie that the control API accepts beside the bearer control token.
//
// - Codes: 256-bit random, single use (deleted when redeemed, whatever the outcome), 10 minutes.
// - Sessions: 256-bit random; idle for 12 hours or older than 7 days → gone. Memory only: a
//   restart ends every session (the person opens the fresh link the restart printed).
// - Only SHA-256 hashes are kept, as for every other secret.
import type { IncomingHttpHeaders } from 'node:http';
import { randomSecret, sha256Hex } from '../util/crypto.ts';

export const CODE_TTL_MS = 10 * 60_000;
export const SESSION_IDLE_MS = 12 * 60 * 60_000;
export const SESSION_MAX_MS = 7 * 24 * 60 * 60_000;
/** Every cookie-authenticated control request must carry this header (CSRF, see csrfRefusal). */
export const DASHBOARD_HEADER = 'x-ntmcp-dashboard';
/** Caps so that nobody holding the control token can grow memory without bound. */
const MAX_CODES = 100;
const MAX_SESSIONS = 100;

export class DashboardSessions {
  private readonly codes = new Map<string, number>(); // hash → expires at
  private readonly sessions = new Map<string, { created: number; seen: number }>(); // hash → times

  constructor(
    private readonly now: () => number,
    /** The cookie name carries the port: two companions on one machine do not overwrite each other's session. */
    readonly cookieName: string,
  ) {}

  /** A fresh one-time code for a dashboard link. */
  issueCode(): { code: string; expiresAt: number } {
    this.sweep();
    const code = randomSecret(32);
    const expiresAt = this.now() + CODE_TTL_MS;
    this.codes.set(sha256Hex(code), expiresAt);
    while (this.codes.size > MAX_CODES) this.codes.delete(this.codes.keys().next().value!);
    return { code, expiresAt };
  }

  /** Redeems a code once: a new session id, or null (unknown, used or expired). */
  redeem(code: string): string | null {
    const hash = sha256Hex(code);
    const expiresAt = this.codes.get(hash);
    this.codes.delete(hash); // single use: consumed by the first attempt, successful or not
    if (expiresAt === undefined || expiresAt <= this.now()) return null;
    const session = randomSecret(32);
    const now = this.now();
    this.sessions.set(sha256Hex(session), { created: now, seen: now });
    while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    return session;
  }

  /** Whether the cookie header carries a live session; a live one is kept alive. */
  check(cookieHeader: string | undefined): boolean {
    const value = readCookie(cookieHeader, this.cookieName);
    if (!value) return false;
    const hash = sha256Hex(value);
    const s = this.sessions.get(hash);
    if (!s) return false;
    const now = this.now();
    if (now - s.seen > SESSION_IDLE_MS || now - s.created > SESSION_MAX_MS) {
      this.sessions.delete(hash);
      return false;
    }
    s.seen = now;
    return true;
  }

  /** Ends the session in the cookie header, if any. */
  end(cookieHeader: string | undefined): void {
    const value = readCookie(cookieHeader, this.cookieName);
    if (value) this.sessions.delete(sha256Hex(value));
  }

  /**
   * HttpOnly: page scripts never see it. SameSite=Strict: no cross-site request carries it.
   * Path=/control: sent to the control API only. No Max-Age: gone when the browser closes.
   * No Secure: the companion serves plain http on loopback only (traffic never leaves the
   * machine), and a Secure cookie is not stored from, or sent to, http://127.0.0.1 by every browser.
   */
  setCookie(session: string): string {
    return `${this.cookieName}=${session}; HttpOnly; SameSite=Strict; Path=/control`;
  }

  clearCookie(): string {
    return `${this.cookieName}=; HttpOnly; SameSite=Strict; Path=/control; Max-Age=0`;
  }

  private sweep(): void {
    const now = this.now();
    for (const [h, exp] of this.codes) if (exp <= now) this.codes.delete(h);
    for (const [h, s] of this.sessions) if (now - s.seen > SESSION_IDLE_MS || now - s.created > SESSION_MAX_MS) this.sessions.delete(h);
  }
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{20,200}$/.test(v) ? v : null;
    }
  }
  return null;
}

/**
 * The CSRF rule for cookie-authenticated control requests: a cookie alone never authorizes.
 * Besides SameSite=Strict (no cross-site request carries the cookie) and the Host/Origin guard
 * (src/http/guard.ts: a foreign Origin is refused before any handler), every such request must
 * carry the custom X-NTMCP-Dashboard header, which a cross-origin page cannot send without a
 * CORS preflight that the companion never grants, and, where the browser says where the request
 * came from (Sec-Fetch-Site), come from this origin. Returns why a request is refused, or null.
 */
export function csrfRefusal(headers: IncomingHttpHeaders): string | null {
  if (headers[DASHBOARD_HEADER] !== '1') return `A dashboard session request must carry the ${DASHBOARD_HEADER} header.`;
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return 'A dashboard session request must come from the dashboard itself.';
  return null;
}
