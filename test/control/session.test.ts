// Issue 9 item 9: the dashboard link carries a one-time code, never the control token. The code is
// traded once for a session cookie (HttpOnly, SameSite=Strict, Path=/control); a cookie alone never
// authorizes a request (CSRF rule), and only the control token mints links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { manualClock } from '../../src/clock.ts';

const DASH = { 'X-NTMCP-Dashboard': '1' };

async function redeem(c: TestCompanion, code: string, headers: Record<string, string> = { ...DASH, 'Content-Type': 'application/json' }) {
  return fetch(`${c.origin}/control/v1/session`, { method: 'POST', headers, body: JSON.stringify({ code }) });
}
const codeOf = (url: string) => new URL(url).hash.replace(/^#code=/, '');

test('the dashboard link carries a one-time code, not the control token; the code buys one session cookie, once', async () => {
  const c = await startTestCompanion();
  try {
    const a = c.dashboardLink();
    const b = c.dashboardLink();
    assert.match(a, new RegExp(`^${c.origin}/#code=[A-Za-z0-9_-]{40,}$`));
    assert.notEqual(a, b, 'a fresh link each time');
    assert.ok(!a.includes(c.controlToken) && !b.includes(c.controlToken));

    const r = await redeem(c, codeOf(a));
    assert.equal(r.status, 200);
    const cookie = r.headers.get('set-cookie')!;
    assert.match(cookie, new RegExp(`^ntmcp_session_${c.urls.port}=[A-Za-z0-9_-]{40,}; `));
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Strict/);
    assert.match(cookie, /; Path=\/control(;|$)/);
    assert.doesNotMatch(cookie, /Secure|Max-Age|Expires|Domain/i);
    assert.ok(!cookie.includes(c.controlToken));
    const session = cookie.split(';')[0]!;

    // Single use: the same code again is refused, and so is a made-up one.
    const again = await redeem(c, codeOf(a));
    assert.equal(again.status, 401);
    assert.equal(((await again.json()) as { error: string }).error, 'invalid_code');
    assert.equal(again.headers.get('set-cookie'), null);
    assert.equal((await redeem(c, 'x'.repeat(43))).status, 401);

    // The session works with the dashboard header, for reads and for decisions.
    const st = await fetch(`${c.origin}/control/v1/status`, { headers: { Cookie: session, ...DASH } });
    assert.equal(st.status, 200);
    const kill = await fetch(`${c.origin}/control/v1/kill-switch`, { method: 'POST', headers: { Cookie: session, ...DASH, 'Content-Type': 'application/json' }, body: '{"engaged":false}' });
    assert.equal(kill.status, 200);
    // …but it cannot mint links: that needs the control token.
    assert.equal((await fetch(`${c.origin}/control/v1/dashboard-link`, { headers: { Cookie: session, ...DASH } })).status, 403);
    const minted = await c.control('/dashboard-link');
    assert.equal(minted.status, 200);
    const link = (await minted.json()) as { url: string; expiresAt: string };
    assert.match(link.url, /\/#code=/);
    assert.ok(!link.url.includes(c.controlToken));
    assert.ok(Date.parse(link.expiresAt) > c.clock.now());
    assert.equal((await redeem(c, codeOf(link.url))).status, 200, 'a minted link works');
    assert.equal((await fetch(`${c.origin}/control/v1/dashboard-link`)).status, 401);

    // Ending the session: the cookie stops working.
    assert.equal((await fetch(`${c.origin}/control/v1/session/end`, { method: 'POST', headers: { Cookie: session, ...DASH } })).status, 200);
    assert.equal((await fetch(`${c.origin}/control/v1/status`, { headers: { Cookie: session, ...DASH } })).status, 401);
  } finally {
    await c.cleanup();
  }
});

test('a cookie alone never authorizes: no dashboard header, a cross-site fetch, a foreign Origin or a form post are refused', async () => {
  const c = await startTestCompanion();
  try {
    const r = await redeem(c, codeOf(c.dashboardLink()));
    const session = r.headers.get('set-cookie')!.split(';')[0]!;
    const kill = (headers: Record<string, string>, body = '{"engaged":true}') =>
      fetch(`${c.origin}/control/v1/kill-switch`, { method: 'POST', headers: { Cookie: session, ...headers }, body });
    // A cross-site form can send the cookie's request only without custom headers, and not as JSON.
    assert.equal((await kill({ 'Content-Type': 'text/plain' })).status, 403);
    assert.equal((await kill({ 'Content-Type': 'application/x-www-form-urlencoded' }, 'engaged=true')).status, 403);
    assert.equal((await kill({ 'Content-Type': 'application/json' })).status, 403, 'JSON without the dashboard header');
    assert.equal((await kill({ ...DASH, 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'cross-site' })).status, 403);
    assert.equal((await kill({ ...DASH, 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-site' })).status, 403);
    assert.equal((await kill({ ...DASH, 'Content-Type': 'application/json', Origin: 'https://evil.example' })).status, 403);
    assert.equal((await kill({ ...DASH, 'Content-Type': 'text/plain' })).status, 415);
    assert.equal((await c.controlJson<{ killSwitch: { engaged: boolean } }>('/status')).killSwitch.engaged, false, 'nothing got through');
    // Reads too: the SSE stream and the status need the header.
    assert.equal((await fetch(`${c.origin}/control/v1/status`, { headers: { Cookie: session } })).status, 403);
    // The code exchange itself follows the same rule.
    const code = codeOf(c.dashboardLink());
    assert.equal((await redeem(c, code, { 'Content-Type': 'application/json' })).status, 403);
    assert.equal((await redeem(c, code, { ...DASH, 'Content-Type': 'text/plain' })).status, 415);
  } finally {
    await c.cleanup();
  }
});

test('a code expires after 10 minutes unused; a session after 12 idle hours', async () => {
  const clock = manualClock(Date.parse('2026-11-25T15:00:00Z'));
  const c = await startTestCompanion({ clock });
  try {
    const late = codeOf(c.dashboardLink());
    clock.advance(10 * 60_000 + 1);
    assert.equal((await redeem(c, late)).status, 401);
    const r = await redeem(c, codeOf(c.dashboardLink()));
    const session = r.headers.get('set-cookie')!.split(';')[0]!;
    clock.advance(11 * 60 * 60_000);
    assert.equal((await fetch(`${c.origin}/control/v1/status`, { headers: { Cookie: session, ...DASH } })).status, 200, 'use keeps it alive');
    clock.advance(12 * 60 * 60_000 + 1);
    assert.equal((await fetch(`${c.origin}/control/v1/status`, { headers: { Cookie: session, ...DASH } })).status, 401);
  } finally {
    await c.cleanup();
  }
});
