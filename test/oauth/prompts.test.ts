// Prompts that cannot be spoofed or flooded (issue 9, findings 6, 7 and "prompts whose client went
// away"): display-safe names, custom-scheme redirects shown as the scheme, pending consents capped
// per client and in total, coalesced, "deny all from this client", and withdrawn when the waiting
// browser page stops polling. Real HTTP against a real companion.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditRow, PendingConsent } from '../../src/control/contract.ts';
import { displaySafe, isolateText, redirectDisplay, UNNAMED_CLIENT } from '../../src/util/display-safe.ts';
import { CONSENT_CAPS, TTL } from '../../src/oauth/policy.ts';
import { authorizeRaw, pkcePair, registerClient, startTestCompanion, type TestCompanion } from '../helpers/companion.ts';

describe('displaySafe', () => {
  test('bidi controls, zero-width and other invisible characters are removed', () => {
    assert.equal(displaySafe('Claude\u202E(name given by the client)\u202C'), 'Claude(name given by the client)');
    for (const cp of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x00ad, 0xfe0f, 0xe0041, 0x3164, 0x2800]) {
      assert.equal(displaySafe(`a${String.fromCodePoint(cp)}b`), 'ab', `U+${cp.toString(16)} is removed`);
    }
  });
  test('nothing visible left → "(unnamed client)"', () => {
    assert.equal(displaySafe('\u200b\u200b'), UNNAMED_CLIENT);
    assert.equal(displaySafe(' \u3164 \u2800\u202e '), UNNAMED_CLIENT);
    assert.equal(displaySafe('\u0301\u0301'), UNNAMED_CLIENT);
    assert.equal(displaySafe(undefined), UNNAMED_CLIENT);
  });
  test('whitespace collapses; length is capped at 60 with an ellipsis; idempotent', () => {
    assert.equal(displaySafe('  My\t\n  Bot\u2003\u2028x '), 'My Bot x');
    const long = displaySafe('W'.repeat(100));
    assert.equal([...long].length, 60);
    assert.ok(long.endsWith('…'));
    assert.equal(displaySafe(long), long);
    const emoji = displaySafe('👨‍👩‍👧'.repeat(70));
    assert.doesNotMatch(emoji, /[\uD800-\uDFFF](?![\uDC00-\uDFFF])/u, 'no split surrogate');
    assert.equal(displaySafe('e\u0301\u0301\u0301\u0301\u0301'), 'é\u0301\u0301'.normalize('NFC'));
  });
  test('redirects: http(s) by host; an app scheme only by its scheme', () => {
    assert.deepEqual(redirectDisplay('evil-app://claude.ai/callback'), { kind: 'app', host: 'evil-app://', label: 'an app registered as evil-app://' });
    assert.deepEqual(redirectDisplay('https://claude.ai/api/mcp/auth_callback'), { kind: 'web', host: 'claude.ai', label: 'claude.ai' });
    assert.equal(redirectDisplay('http://127.0.0.1:33418/callback').host, '127.0.0.1:33418');
  });
  test('isolateText wraps in one balanced FSI…PDI pair', () => {
    assert.equal(isolateText('a\u2066b\u2069'), '\u2068ab\u2069');
  });
});

let c: TestCompanion;
let skew = 0;
before(async () => {
  c = await startTestCompanion({ now: () => Date.now() + skew, registrationLimit: { max: 1000, windowMs: 60_000 } });
});
after(async () => {
  await c?.cleanup();
});

const pending = async () => (await c.controlJson<{ consents: PendingConsent[] }>('/consents')).consents;
const auditRows = async (event: string) =>
  (await c.controlJson<{ rows: AuditRow[] }>('/audit?limit=1000')).rows.filter((r) => r.event === event);

function authorizeUrl(clientId: string, p: Record<string, string> = {}): string {
  const u = new URL(`${c.origin}/authorize`);
  const q: Record<string, string> = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: 'http://127.0.0.1:33418/callback',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    state: 's',
    scope: 'mcp:read',
    ...p,
  };
  for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
  return u.href;
}
/** /authorize → the waiting page's URL (not followed). */
async function authorize(clientId: string, p: Record<string, string> = {}): Promise<string> {
  const r = await fetch(authorizeUrl(clientId, p), { redirect: 'manual', headers: { Accept: 'text/html' } });
  assert.equal(r.status, 303, await r.text());
  return new URL(r.headers.get('location')!, c.origin).href;
}
const waitPage = (url: string) => fetch(url, { redirect: 'manual', headers: { Accept: 'text/html' } });

describe('names and redirects served to the dashboard', () => {
  test('a right-to-left override, zero-width names and a custom-scheme redirect reach the prompt display-safe', async () => {
    const rlo = await registerClient(c.origin, { client_name: 'Claude\u202Etneilc eht yb nevig eman', redirect_uris: ['evil-app://claude.ai/callback'] });
    assert.equal(rlo.client_name, 'Claudetneilc eht yb nevig eman', 'the registration response states the accepted name');
    const blank = await registerClient(c.origin, { client_name: '\u200b\u200b' });
    await authorize(rlo.client_id, { redirect_uri: 'evil-app://claude.ai/callback' });
    await authorize(blank.client_id);
    const cs = await pending();
    const a = cs.find((x) => x.clientId === rlo.client_id)!;
    assert.equal(a.clientName, 'Claudetneilc eht yb nevig eman');
    assert.equal(a.redirectHost, 'evil-app://');
    assert.equal(a.redirectLabel, 'an app registered as evil-app://');
    assert.equal(cs.find((x) => x.clientId === blank.client_id)!.clientName, UNNAMED_CLIENT);
    // A name stored before this rule (written straight into the table) is cleaned when served.
    c.db.prepare('UPDATE clients SET name = ? WHERE id = ?').run(`\u202E${'X'.repeat(100)}`, blank.client_id);
    const served = (await pending()).find((x) => x.clientId === blank.client_id)!.clientName;
    assert.equal([...served].length, 60);
    assert.ok(!served.includes('\u202E'));
    const rows = (await c.controlJson<{ rows: AuditRow[] }>(`/audit?client=${blank.client_id}`)).rows;
    assert.ok(rows.length > 0 && rows.every((r) => r.clientName === served), 'the audit log serves the same safe name');
    for (const x of await pending()) await c.controlJson(`/consents/${x.id}/deny`, { body: {} });
  });

  test('the order prompt\'s client name (from the grant) and the waiting page are display-safe too', async () => {
    const { clientId, tokens } = await authorizeRaw(c, { clientMeta: { client_name: 'Order Bot' } });
    c.db.prepare('UPDATE clients SET name = ? WHERE id = ?').run('Order\u202E Bot\u200b', clientId);
    assert.equal(c.oauth.verifyAccessToken(tokens.access_token)!.grant.clientName, 'Order Bot');
    const wait = await authorize(clientId);
    const html = await (await waitPage(wait)).text();
    assert.match(html, /<bdi dir="auto">Order Bot<\/bdi>/);
    await c.controlJson('/consents/deny-all', { body: { clientId } });
  });

  test('a redirect_uri carrying invisible or bidi characters is refused at registration', async () => {
    const r = await fetch(`${c.origin}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_name: 'x', redirect_uris: ['evil-app://claude\u202e.ai/cb'], token_endpoint_auth_method: 'none' }),
    });
    assert.equal(r.status, 400);
  });
});

describe('consent flood', () => {
  test('3,000 /authorize calls from one client leave at most the cap pending; another client is still shown; Deny all clears the flood', async () => {
    const flood = await registerClient(c.origin, { client_name: 'Flood', redirect_uris: ['http://127.0.0.1/callback'] });
    const real = await registerClient(c.origin, { client_name: 'Real Client' });
    const realWait = await authorize(real.client_id, { scope: 'mcp:read mcp:trade' });
    // The real client's browser keeps polling its waiting page meanwhile, as a browser does (a
    // page that stops polling is withdrawn, tested below).
    let flooding = true;
    const polling = (async () => {
      while (flooding) {
        await (await waitPage(realWait)).text();
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    const t0 = Date.now();
    const N = 3000;
    const batch = 100;
    for (let i = 0; i < N; i += batch) {
      await Promise.all(
        Array.from({ length: batch }, (_, j) =>
          // Different loopback ports and scopes: many distinct requests, not only repeats.
          authorize(flood.client_id, { redirect_uri: `http://127.0.0.1:${40000 + ((i + j) % 500)}/callback`, scope: (i + j) % 2 ? 'mcp:read' : 'mcp:read mcp:trade' }),
        ),
      );
    }
    const elapsed = Date.now() - t0;
    flooding = false;
    await polling;
    const cs = await pending();
    const fromFlood = cs.filter((x) => x.clientId === flood.client_id);
    assert.ok(fromFlood.length <= CONSENT_CAPS.perClient, `flood holds ${fromFlood.length} pending`);
    assert.ok(cs.length <= CONSENT_CAPS.total);
    assert.ok(cs.some((x) => x.clientId === real.client_id), 'the real client is still waiting');
    const refused = await auditRows('consent.refused');
    assert.ok(refused.length >= 100 && refused.every((r) => r.outcome === 'refused' && /too many pending requests/.test(r.detail ?? '')));
    console.log(`# ${N} /authorize in ${elapsed} ms`);

    // Deny all from this client: one call, the flood's prompts are gone, the real one stays.
    const r = await c.controlJson<{ denied: number }>('/consents/deny-all', { body: { clientId: flood.client_id } });
    assert.equal(r.denied, fromFlood.length);
    const left = await pending();
    assert.deepEqual(left.map((x) => x.clientId), [real.client_id]);
    // The real client's page is still waiting, untouched.
    const still = await waitPage(realWait);
    assert.equal(still.status, 200);
    await c.controlJson(`/consents/${left[0]!.id}/deny`, { body: {} });
  });

  test('an evicted request\'s browser is sent access_denied with the reason', async () => {
    const cl = await registerClient(c.origin, { client_name: 'Cap', redirect_uris: ['http://127.0.0.1/callback'] });
    const first = await authorize(cl.client_id, { redirect_uri: 'http://127.0.0.1:1001/callback' });
    for (let i = 0; i < CONSENT_CAPS.perClient; i++) await authorize(cl.client_id, { redirect_uri: `http://127.0.0.1:${1002 + i}/callback` });
    const r = await waitPage(first);
    assert.equal(r.status, 303);
    const loc = new URL(r.headers.get('location')!);
    assert.equal(loc.port, '1001');
    assert.equal(loc.searchParams.get('error'), 'access_denied');
    assert.match(loc.searchParams.get('error_description')!, /too many pending requests/);
    await c.controlJson('/consents/deny-all', { body: { clientId: cl.client_id } });
  });

  test('the same client asking again (same redirect_uri and scope) replaces its pending request; the old tab is told to stop', async () => {
    const cl = await registerClient(c.origin, { client_name: 'Twice' });
    const old = await authorize(cl.client_id, { state: 'one' });
    const oldId = (await pending()).find((x) => x.clientId === cl.client_id)!.id;
    const fresh = await authorize(cl.client_id, { state: 'two' });
    const mine = (await pending()).filter((x) => x.clientId === cl.client_id);
    assert.equal(mine.length, 1);
    assert.notEqual(mine[0]!.id, oldId);
    const r = await waitPage(old);
    assert.equal(r.status, 409, 'no redirect: the newer request carries the flow');
    assert.match(await r.text(), /replaced by a newer request/i);
    assert.equal((await waitPage(fresh)).status, 200);
    const sup = (await auditRows('consent.superseded')).filter((x) => x.clientId === cl.client_id);
    assert.equal(sup.length, 1);
    assert.equal(sup[0]!.outcome, 'cancelled');
    // A different scope is a different request: both stay.
    await authorize(cl.client_id, { scope: 'mcp:read mcp:trade' });
    assert.equal((await pending()).filter((x) => x.clientId === cl.client_id).length, 2);
    await c.controlJson('/consents/deny-all', { body: { clientId: cl.client_id } });
  });

  test('the total cap evicts from the client holding the most requests, never a lone request', async () => {
    const lone = await registerClient(c.origin, { client_name: 'Lone' });
    await authorize(lone.client_id);
    const clients = [];
    for (let i = 0; i < 10; i++) clients.push(await registerClient(c.origin, { client_name: `Many ${i}`, redirect_uris: ['http://127.0.0.1/callback'] }));
    for (const cl of clients) for (let j = 0; j < CONSENT_CAPS.perClient; j++) await authorize(cl.client_id, { redirect_uri: `http://127.0.0.1:${2000 + j}/callback` });
    const cs = await pending();
    assert.equal(cs.length, CONSENT_CAPS.total);
    assert.ok(cs.some((x) => x.clientId === lone.client_id), 'the oldest, lone request survives');
    const refused = (await auditRows('consent.refused')).filter((r) => /on this machine/.test(r.detail ?? ''));
    assert.ok(refused.length > 0);
    await c.controlJson('/consents/deny-all', { body: { clientId: lone.client_id } });
    for (const cl of clients) await c.controlJson('/consents/deny-all', { body: { clientId: cl.client_id } });
  });

  test('deny-all: bad input is 400, an unknown client denies nothing', async () => {
    const bad = await c.control('/consents/deny-all', { body: { clientId: 'a b' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(await c.controlJson('/consents/deny-all', { body: { clientId: 'cli_nobody' } }), { denied: 0 });
  });
});

describe('prompts whose client went away', () => {
  test(`a consent whose waiting page stopped polling for ${TTL.consentAbandonMs / 1000} s is withdrawn, with an audit row`, async () => {
    const gone = await registerClient(c.origin, { client_name: 'Gone' });
    const here = await registerClient(c.origin, { client_name: 'Here' });
    const goneWait = await authorize(gone.client_id);
    const hereWait = await authorize(here.client_id);
    assert.equal((await waitPage(goneWait)).status, 200);
    assert.equal((await waitPage(hereWait)).status, 200);
    skew += TTL.consentAbandonMs - 2000;
    assert.equal((await waitPage(hereWait)).status, 200, 'this browser keeps polling');
    skew += 3000;
    const cs = await pending();
    assert.ok(!cs.some((x) => x.clientId === gone.client_id), 'withdrawn from the dashboard');
    assert.ok(cs.some((x) => x.clientId === here.client_id), 'a polling browser keeps its prompt');
    const rows = (await auditRows('consent.withdrawn')).filter((r) => r.clientId === gone.client_id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.outcome, 'cancelled');
    // If that browser comes back after all, it is told the request is over.
    const back = await waitPage(goneWait);
    assert.equal(back.status, 303);
    assert.equal(new URL(back.headers.get('location')!).searchParams.get('error'), 'access_denied');
    await c.controlJson('/consents/deny-all', { body: { clientId: here.client_id } });
  });

  test('the sweep runs by itself: the dashboard is told without asking', async () => {
    const gone = await registerClient(c.origin, { client_name: 'Gone 2' });
    await authorize(gone.client_id);
    const id = (await pending()).find((x) => x.clientId === gone.client_id)!.id;
    const decided = new Promise<string>((resolve) => {
      const off = c.bus.subscribe((ev) => {
        if (ev.type === 'consent.decided' && ev.id === id) {
          off();
          resolve(ev.decision);
        }
      });
    });
    skew += TTL.consentAbandonMs + 1000;
    assert.equal(await decided, 'withdrawn');
  });
});
