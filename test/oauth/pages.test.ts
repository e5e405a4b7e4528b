// What a browser sees: every HTML page refuses framing and carries a CSP; errors shown before the
// redirect URI is trusted are a readable page (never JSON, never a redirect); the metadata's
// service_documentation is a page that exists.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pkcePair, registerClient, startTestCompanion, type TestCompanion } from '../helpers/companion.ts';

let c: TestCompanion;
before(async () => {
  c = await startTestCompanion();
});
after(async () => {
  await c.cleanup();
});

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const get = (url: string, accept = BROWSER_ACCEPT) => fetch(url, { redirect: 'manual', headers: { Accept: accept } });

function assertAntiFraming(r: Response, what: string): void {
  assert.equal(r.headers.get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
  const csp = r.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP frame-ancestors`);
  assert.match(csp, /default-src /, `${what}: CSP default-src`);
}

function authorizeUrl(params: Record<string, string>): string {
  const u = new URL(`${c.origin}/authorize`);
  u.search = new URLSearchParams(params).toString();
  return u.href;
}

test('unknown client_id: a readable HTML error page, no redirect, anti-framing', async () => {
  const { challenge } = pkcePair();
  const r = await get(
    authorizeUrl({ response_type: 'code', client_id: 'cli_nope', redirect_uri: 'https://evil.example/cb', code_challenge: challenge, code_challenge_method: 'S256' }),
  );
  assert.equal(r.status, 400);
  assert.equal(r.headers.get('location'), null, 'never redirected to an unvalidated URI');
  assert.match(r.headers.get('content-type') ?? '', /text\/html/);
  const html = await r.text();
  assert.match(html, /This authorization request cannot continue/);
  assert.match(html, /unknown client_id/);
  assert.doesNotMatch(html, /^\s*\{/, 'not JSON');
  assertAntiFraming(r, 'error page');
});

test('unregistered redirect_uri: a readable HTML error page, no redirect', async () => {
  const client = await registerClient(c.origin);
  const { challenge } = pkcePair();
  const r = await get(
    authorizeUrl({ response_type: 'code', client_id: client.client_id, redirect_uri: 'https://evil.example/cb', code_challenge: challenge, code_challenge_method: 'S256' }),
  );
  assert.equal(r.status, 400);
  assert.equal(r.headers.get('location'), null);
  assert.match(await r.text(), /redirect_uri is not registered for this client/);
  assertAntiFraming(r, 'redirect error page');
  // A browser without an Accept header (or with */*) also gets the page; only an explicit JSON-only
  // Accept gets the OAuth error object.
  const plain = await fetch(authorizeUrl({ client_id: 'cli_nope' }), { redirect: 'manual' });
  assert.match(plain.headers.get('content-type') ?? '', /text\/html/);
  const json = await get(authorizeUrl({ client_id: 'cli_nope' }), 'application/json');
  assert.equal(((await json.json()) as { error: string }).error, 'invalid_client');
});

test('the waiting page: anti-framing, a CSP that allows no script, the expiry from the injected clock', async () => {
  const client = await registerClient(c.origin);
  const { challenge } = pkcePair();
  const r = await get(
    authorizeUrl({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: 'http://127.0.0.1:33418/callback',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'mcp:read',
    }),
  );
  assert.equal(r.status, 303);
  assertAntiFraming(r, 'authorize redirect');
  const wait = await get(new URL(r.headers.get('location')!, c.origin).href);
  assert.equal(wait.status, 200);
  assertAntiFraming(wait, 'waiting page');
  assert.doesNotMatch(wait.headers.get('content-security-policy')!, /script-src/, 'default-src none: no script at all');
  assert.match(await wait.text(), /expires in about 5 minutes/);
  const consent = await c.waitForConsent();
  await c.controlJson(`/consents/${consent.id}/deny`, { method: 'POST' });
});

test('service_documentation in the AS metadata is a page that exists, with anti-framing', async () => {
  const meta = (await (await fetch(`${c.origin}/.well-known/oauth-authorization-server`)).json()) as { service_documentation: string };
  assert.ok(meta.service_documentation.startsWith(c.origin));
  const r = await get(meta.service_documentation);
  assert.equal(r.status, 200);
  assert.match(await r.text(), /Connecting AI clients/);
  assertAntiFraming(r, 'docs page');
});

test('the dashboard is served with anti-framing and a CSP', async () => {
  const r = await get(`${c.origin}/`);
  assert.equal(r.status, 200);
  assertAntiFraming(r, 'dashboard');
  assert.match(r.headers.get('content-security-policy')!, /script-src 'self'/);
});

test('the dashboard names an icon that exists (a missing favicon was a console error on every load)', async () => {
  const html = await (await get(`${c.origin}/`)).text();
  const href = /<link rel="icon" type="image\/svg\+xml" href="([^"]+)"/.exec(html)?.[1];
  assert.ok(href, 'an icon link in the page');
  const icon = await get(new URL(href, `${c.origin}/`).href);
  assert.equal(icon.status, 200);
  assert.match(icon.headers.get('content-type')!, /image\/svg\+xml/);
});
