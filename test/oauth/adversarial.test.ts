// Adversarial tests: one per promise in docs/security.md. Each asserts the exact status and error
// code an attacker sees, and that nothing was issued or stored.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { authorizeRaw, browse, approveNext, INIT, mcpPost, pkcePair, registerClient, startTestCompanion, type TestCompanion } from '../helpers/companion.ts';

let c: TestCompanion;
let skew = 0;
before(async () => {
  c = await startTestCompanion({ now: () => Date.now() + skew, registrationLimit: { max: 1000, windowMs: 60_000 } });
});
after(async () => {
  await c.cleanup();
});

const count = (table: string) => (c.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number);
const form = (o: Record<string, string>) => ({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(o) });

function authorizeUrl(clientId: string, p: Record<string, string | undefined>): string {
  const u = new URL(`${c.origin}/authorize`);
  const base: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: 'http://127.0.0.1:33418/callback',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    state: 'xyz',
  };
  for (const [k, v] of Object.entries({ ...base, ...p })) if (v !== undefined) u.searchParams.set(k, v);
  return u.href;
}

async function getAuthorize(url: string) {
  return fetch(url, { redirect: 'manual', headers: { Accept: 'application/json' } });
}

describe('PKCE', () => {
  test('plain PKCE is refused with a redirect error and creates no consent', async () => {
    const { client_id } = await registerClient(c.origin);
    const before = count('consents');
    const r = await getAuthorize(authorizeUrl(client_id, { code_challenge_method: 'plain' }));
    assert.equal(r.status, 303);
    const loc = new URL(r.headers.get('location')!);
    assert.equal(loc.origin + loc.pathname, 'http://127.0.0.1:33418/callback');
    assert.equal(loc.searchParams.get('error'), 'invalid_request');
    assert.match(loc.searchParams.get('error_description')!, /S256/);
    assert.equal(loc.searchParams.get('state'), 'xyz');
    assert.equal(loc.searchParams.get('iss'), c.origin);
    assert.equal(count('consents'), before);
  });

  test('missing PKCE is refused and creates no consent', async () => {
    const { client_id } = await registerClient(c.origin);
    const before = count('consents');
    const r = await getAuthorize(authorizeUrl(client_id, { code_challenge: undefined, code_challenge_method: undefined }));
    assert.equal(r.status, 303);
    assert.equal(new URL(r.headers.get('location')!).searchParams.get('error'), 'invalid_request');
    assert.equal(count('consents'), before);
  });

  test('a wrong verifier gets invalid_grant, issues nothing, and burns the code', async () => {
    const { client_id } = await registerClient(c.origin);
    const { verifier, challenge } = pkcePair();
    const back = await browse(authorizeUrl(client_id, { code_challenge: challenge }), async (id) => void (await approveNext(c, {}, id)));
    const code = back.searchParams.get('code')!;
    const tokensBefore = count('tokens');
    const bad = await fetch(`${c.origin}/token`, form({ grant_type: 'authorization_code', code, code_verifier: pkcePair().verifier, client_id, redirect_uri: 'http://127.0.0.1:33418/callback' }));
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid_grant');
    assert.equal(count('tokens'), tokensBefore);
    const good = await fetch(`${c.origin}/token`, form({ grant_type: 'authorization_code', code, code_verifier: verifier, client_id }));
    assert.equal(good.status, 400, 'the code was burned by the failed attempt');
    assert.equal(count('tokens'), tokensBefore);
  });

  test('a token request without a verifier (PKCE downgrade) is refused', async () => {
    const { client_id } = await registerClient(c.origin);
    const back = await browse(authorizeUrl(client_id, {}), async (id) => void (await approveNext(c, {}, id)));
    const tokensBefore = count('tokens');
    const r = await fetch(`${c.origin}/token`, form({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, client_id }));
    assert.equal(r.status, 400);
    const body = (await r.json()) as { error: string; error_description: string };
    assert.equal(body.error, 'invalid_request');
    assert.match(body.error_description, /code_verifier/);
    assert.equal(count('tokens'), tokensBefore);
  });
});

describe('redirect URIs', () => {
  test('an unregistered redirect_uri is shown as an error, never redirected to', async () => {
    const { client_id } = await registerClient(c.origin);
    const before = count('consents');
    const r = await getAuthorize(authorizeUrl(client_id, { redirect_uri: 'https://evil.example/steal' }));
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('location'), null);
    assert.equal(((await r.json()) as { error: string }).error, 'invalid_request');
    assert.equal(count('consents'), before);
  });

  test('an altered path, or localhost for 127.0.0.1, does not match; only the loopback port may vary', async () => {
    const { client_id } = await registerClient(c.origin);
    for (const uri of ['http://127.0.0.1:33418/callback/x', 'http://127.0.0.1:33418/callback?a=1', 'http://localhost:33418/callback', 'https://127.0.0.1:33418/callback']) {
      const r = await getAuthorize(authorizeUrl(client_id, { redirect_uri: uri }));
      assert.equal(r.status, 400, uri);
      assert.equal(r.headers.get('location'), null, uri);
    }
    const ok = await getAuthorize(authorizeUrl(client_id, { redirect_uri: 'http://127.0.0.1:50999/callback' }));
    assert.equal(ok.status, 303);
    assert.match(ok.headers.get('location')!, /\/authorize\/wait\//);
  });

  test('an unknown client_id is shown, not redirected', async () => {
    const r = await getAuthorize(authorizeUrl('cli_nope', {}));
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('location'), null);
    assert.equal(((await r.json()) as { error: string }).error, 'invalid_client');
  });

  test('the token request must repeat the same redirect_uri', async () => {
    const { client_id } = await registerClient(c.origin, { redirect_uris: ['http://127.0.0.1:33418/callback', 'http://127.0.0.1:33418/other'] });
    const { verifier, challenge } = pkcePair();
    const back = await browse(authorizeUrl(client_id, { code_challenge: challenge }), async (id) => void (await approveNext(c, {}, id)));
    const before = count('tokens');
    const r = await fetch(`${c.origin}/token`, form({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, code_verifier: verifier, client_id, redirect_uri: 'http://127.0.0.1:33418/other' }));
    assert.equal(r.status, 400);
    assert.equal(((await r.json()) as { error: string }).error, 'invalid_grant');
    assert.equal(count('tokens'), before);
  });

  test('dangerous schemes and non-loopback http are refused at registration; app schemes are accepted', async () => {
    const before = count('clients');
    for (const uri of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,hi', 'vbscript:x', 'file:///etc/passwd', 'http://evil.example/cb', 'https://ok.example/cb#frag']) {
      const r = await fetch(`${c.origin}/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ client_name: 'x', redirect_uris: [uri], token_endpoint_auth_method: 'none' }) });
      assert.equal(r.status, 400, uri);
      const body = (await r.json()) as { error: string };
      assert.ok(['invalid_redirect_uri', 'invalid_client_metadata'].includes(body.error), `${uri}: ${body.error}`);
    }
    assert.equal(count('clients'), before);
    // What Cursor and VS Code really send.
    const cursor = await registerClient(c.origin, { client_name: 'Cursor', redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback', 'https://cursor.com/oauth/cb', 'http://localhost:8787/callback'] });
    assert.ok(cursor.client_id);
    const vscode = await registerClient(c.origin, { client_name: 'Visual Studio Code', application_type: 'native', redirect_uris: ['http://127.0.0.1:33418', 'http://localhost', 'https://vscode.dev/redirect'] });
    assert.ok(vscode.client_id);
  });

  test('implicit flow and unknown grant types are refused', async () => {
    const { client_id } = await registerClient(c.origin);
    const r = await getAuthorize(authorizeUrl(client_id, { response_type: 'token' }));
    assert.equal(r.status, 303);
    assert.equal(new URL(r.headers.get('location')!).searchParams.get('error'), 'unsupported_response_type');
    const t = await fetch(`${c.origin}/token`, form({ grant_type: 'password', username: 'a', password: 'b', client_id }));
    assert.equal(t.status, 400);
    assert.equal(((await t.json()) as { error: string }).error, 'unsupported_grant_type');
    const reg = await fetch(`${c.origin}/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ redirect_uris: ['http://127.0.0.1/cb'], grant_types: ['implicit'] }) });
    assert.equal(reg.status, 400);
    assert.equal(((await reg.json()) as { error: string }).error, 'invalid_client_metadata');
  });
});

describe('codes and refresh tokens', () => {
  test('a replayed code is refused and revokes what the first redemption issued', async () => {
    const { client_id } = await registerClient(c.origin);
    const { verifier, challenge } = pkcePair();
    const back = await browse(authorizeUrl(client_id, { code_challenge: challenge }), async (id) => void (await approveNext(c, {}, id)));
    const code = back.searchParams.get('code')!;
    const req = () => fetch(`${c.origin}/token`, form({ grant_type: 'authorization_code', code, code_verifier: verifier, client_id }));
    const first = await req();
    assert.equal(first.status, 200);
    const tokens = (await first.json()) as { access_token: string; refresh_token: string };
    assert.equal((await mcpPost(c.origin, tokens.access_token, INIT)).status, 200);
    const replay = await req();
    assert.equal(replay.status, 400);
    assert.equal(((await replay.json()) as { error: string }).error, 'invalid_grant');
    assert.equal((await mcpPost(c.origin, tokens.access_token, INIT)).status, 401, 'the replay revoked the grant');
    const rr = await fetch(`${c.origin}/token`, form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id }));
    assert.equal(rr.status, 400);
    const audit = await c.controlJson<{ rows: { event: string; outcome: string }[] }>(`/audit?client=${client_id}`);
    // A rule said no, not a person: the taxonomy's `refused`.
    assert.equal(audit.rows.find((r) => r.event === 'code.replay')?.outcome, 'refused');
  });

  test('two parallel redemptions of one code: exactly one wins', async () => {
    const { client_id } = await registerClient(c.origin);
    const { verifier, challenge } = pkcePair();
    const back = await browse(authorizeUrl(client_id, { code_challenge: challenge }), async (id) => void (await approveNext(c, {}, id)));
    const code = back.searchParams.get('code')!;
    const results = await Promise.all(
      Array.from({ length: 5 }, () => fetch(`${c.origin}/token`, form({ grant_type: 'authorization_code', code, code_verifier: verifier, client_id })).then((r) => r.status)),
    );
    assert.equal(results.filter((s) => s === 200).length, 1, `statuses: ${results}`);
  });

  test('an expired code is refused', async () => {
    const { client_id } = await registerClient(c.origin);
    const { verifier, challenge } = pkcePair();
    const back = await browse(authorizeUrl(client_id, { code_challenge: challenge }), async (id) => void (await approveNext(c, {}, id)));
    skew += 61_000;
    const r = await fetch(`${c.origin}/token`, form({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, code_verifier: verifier, client_id }));
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as { error_description: string }).error_description, /expired/);
  });

  test('refresh reuse after the grace window revokes the whole grant', async () => {
    const { clientId, tokens } = await authorizeRaw(c);
    const refresh = (rt: string) => fetch(`${c.origin}/token`, form({ grant_type: 'refresh_token', refresh_token: rt, client_id: clientId }));
    const r1 = await refresh(tokens.refresh_token);
    assert.equal(r1.status, 200);
    const t1 = (await r1.json()) as { access_token: string; refresh_token: string };
    skew += 31_000;
    const reuse = await refresh(tokens.refresh_token);
    assert.equal(reuse.status, 400);
    assert.equal(((await reuse.json()) as { error: string }).error, 'invalid_grant');
    assert.equal((await mcpPost(c.origin, t1.access_token, INIT)).status, 401, 'reuse detection revoked the current access token');
    assert.equal((await refresh(t1.refresh_token)).status, 400, 'and the current refresh token');
  });

  test('within the grace window the previous refresh token works once and retires its successor', async () => {
    const { clientId, tokens } = await authorizeRaw(c);
    const refresh = (rt: string) => fetch(`${c.origin}/token`, form({ grant_type: 'refresh_token', refresh_token: rt, client_id: clientId }));
    const t1 = (await (await refresh(tokens.refresh_token)).json()) as { access_token: string; refresh_token: string };
    const retry = await refresh(tokens.refresh_token); // lost response, client retries
    assert.equal(retry.status, 200);
    const t2 = (await retry.json()) as { access_token: string; refresh_token: string };
    assert.equal((await mcpPost(c.origin, t2.access_token, INIT)).status, 200);
    assert.equal((await mcpPost(c.origin, t1.access_token, INIT)).status, 401, 'the successor pair was retired');
    assert.equal((await refresh(t1.refresh_token)).status, 400);
    // Once the successor chain has moved on, the old token is plain reuse.
    const t3 = (await (await refresh(t2.refresh_token)).json()) as { access_token: string };
    assert.equal((await refresh(tokens.refresh_token)).status, 400);
    assert.equal((await mcpPost(c.origin, t3.access_token, INIT)).status, 401, 'reuse revoked the grant');
  });

  test('refresh cannot widen scope, may narrow it, and ignores unknown scopes', async () => {
    const { clientId, tokens } = await authorizeRaw(c, { scope: 'mcp:read' });
    const wide = await fetch(`${c.origin}/token`, form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId, scope: 'mcp:read mcp:trade' }));
    assert.equal(wide.status, 400);
    assert.equal(((await wide.json()) as { error: string }).error, 'invalid_scope');
    const trade = await authorizeRaw(c, { scope: 'mcp:trade' });
    assert.equal(trade.tokens.scope, 'mcp:read mcp:trade');
    const narrow = await fetch(`${c.origin}/token`, form({ grant_type: 'refresh_token', refresh_token: trade.tokens.refresh_token, client_id: trade.clientId, scope: 'mcp:read offline_access' }));
    assert.equal(narrow.status, 200);
    assert.equal(((await narrow.json()) as { scope: string }).scope, 'mcp:read');
  });

  test('a client cannot revoke another client’s token (200, nothing happens)', async () => {
    const a = await authorizeRaw(c);
    const b = await registerClient(c.origin);
    const r = await fetch(`${c.origin}/revoke`, form({ token: a.tokens.access_token, client_id: b.client_id }));
    assert.equal(r.status, 200);
    assert.equal((await mcpPost(c.origin, a.tokens.access_token, INIT)).status, 200, 'A’s token still works');
    const r2 = await fetch(`${c.origin}/revoke`, form({ token: a.tokens.refresh_token, client_id: b.client_id }));
    assert.equal(r2.status, 200);
    const audit = await c.controlJson<{ rows: { event: string; outcome: string }[] }>(`/audit?client=${b.client_id}`);
    assert.equal(audit.rows.find((x) => x.event === 'revoke.foreign')?.outcome, 'refused');
    // A itself can.
    assert.equal((await fetch(`${c.origin}/revoke`, form({ token: a.tokens.access_token, client_id: a.clientId }))).status, 200);
    assert.equal((await mcpPost(c.origin, a.tokens.access_token, INIT)).status, 401);
  });

  test('a confidential client with a wrong secret is refused (401 invalid_client)', async () => {
    const cl = await registerClient(c.origin, { token_endpoint_auth_method: 'client_secret_post' });
    assert.ok(cl.client_secret);
    const r = await fetch(`${c.origin}/token`, form({ grant_type: 'refresh_token', refresh_token: 'x', client_id: cl.client_id, client_secret: 'wrong' }));
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as { error: string }).error, 'invalid_client');
    const none = await fetch(`${c.origin}/token`, form({ grant_type: 'refresh_token', refresh_token: 'x', client_id: cl.client_id }));
    assert.equal(none.status, 401);
  });
});

describe('audience (RFC 8707)', () => {
  test('a foreign resource is refused at /authorize and /token', async () => {
    const { client_id } = await registerClient(c.origin);
    const before = count('consents');
    const r = await getAuthorize(authorizeUrl(client_id, { resource: 'https://evil.example/mcp' }));
    assert.equal(r.status, 303);
    assert.equal(new URL(r.headers.get('location')!).searchParams.get('error'), 'invalid_target');
    const other = await getAuthorize(authorizeUrl(client_id, { resource: `http://127.0.0.1:${c.urls.port + 1}/mcp` }));
    assert.equal(new URL(other.headers.get('location')!).searchParams.get('error'), 'invalid_target');
    assert.equal(count('consents'), before);
    const a = await authorizeRaw(c);
    const t = await fetch(`${c.origin}/token`, form({ grant_type: 'refresh_token', refresh_token: a.tokens.refresh_token, client_id: a.clientId, resource: 'https://evil.example/mcp' }));
    assert.equal(t.status, 400);
    assert.equal(((await t.json()) as { error: string }).error, 'invalid_target');
  });

  test('a token issued by another companion is refused (401)', async () => {
    const other = await startTestCompanion();
    try {
      const foreign = await authorizeRaw(other);
      const r = await mcpPost(c.origin, foreign.tokens.access_token, INIT);
      assert.equal(r.status, 401);
      assert.match(r.headers.get('www-authenticate')!, /invalid_token/);
    } finally {
      await other.cleanup();
    }
  });

  test('a token obtained under localhost works under 127.0.0.1 (same server)', async () => {
    const a = await authorizeRaw(c, { host: 'localhost' });
    assert.equal((await mcpPost(c.origin, a.tokens.access_token, INIT)).status, 200);
  });
});

describe('Host, Origin and sessions', () => {
  test('a foreign Host is refused everywhere (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    for (const path of ['/mcp', '/token', '/.well-known/oauth-authorization-server', '/control/v1/status', '/']) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: c.urls.port, path, method: 'GET', headers: { Host: `evil.example:${c.urls.port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 403, path);
    }
  });

  test('a foreign Origin is refused with 403; the companion’s own origin is allowed', async () => {
    const a = await authorizeRaw(c);
    const bad = await mcpPost(c.origin, a.tokens.access_token, INIT, { Origin: 'https://evil.example' });
    assert.equal(bad.status, 403);
    assert.equal(((await bad.json()) as { error: { code: number } }).error.code, -32000);
    const badToken = await fetch(`${c.origin}/token`, { ...form({ grant_type: 'refresh_token', refresh_token: a.tokens.refresh_token, client_id: a.clientId }), headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost:3000' } });
    assert.equal(badToken.status, 403);
    const good = await mcpPost(c.origin, a.tokens.access_token, INIT, { Origin: c.origin });
    assert.equal(good.status, 200);
  });

  test('no token → 401 with resource_metadata; a garbage token → 401 invalid_token', async () => {
    const r = await mcpPost(c.origin, null, INIT);
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate')!, /^Bearer resource_metadata="/);
    const g = await mcpPost(c.origin, 'garbage', INIT);
    assert.equal(g.status, 401);
    assert.match(g.headers.get('www-authenticate')!, /error="invalid_token"/);
  });

  test('a read token calling a trade tool gets 403 insufficient_scope with a step-up challenge', async () => {
    const a = await authorizeRaw(c, { scope: 'mcp:read' });
    const init = await mcpPost(c.origin, a.tokens.access_token, INIT);
    const sid = init.headers.get('mcp-session-id')!;
    const call = await mcpPost(c.origin, a.tokens.access_token, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'place_order', arguments: { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1 } } }, { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' });
    assert.equal(call.status, 403);
    const h = call.headers.get('www-authenticate')!;
    assert.match(h, /error="insufficient_scope"/);
    assert.match(h, /scope="mcp:read mcp:trade"/);
    assert.match(h, /resource_metadata="/);
    assert.equal(c.simulator!.engine.orders().length, 0, 'nothing reached the simulator');
  });

  test('a session belongs to the client that opened it', async () => {
    const a = await authorizeRaw(c);
    const b = await authorizeRaw(c);
    const sid = (await mcpPost(c.origin, a.tokens.access_token, INIT)).headers.get('mcp-session-id')!;
    assert.ok(sid);
    const hijack = await mcpPost(c.origin, b.tokens.access_token, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' });
    assert.equal(hijack.status, 404);
  });
});

describe('consent comes only from the desktop', () => {
  test('approving without the control token is refused and leaves the consent pending', async () => {
    const { client_id } = await registerClient(c.origin);
    const r = await getAuthorize(authorizeUrl(client_id, {}));
    assert.equal(r.status, 303);
    const consent = await c.waitForConsent();
    for (const token of [null, 'wrong-token']) {
      const x = await c.control(`/consents/${consent.id}/approve`, { method: 'POST', body: {}, token });
      assert.equal(x.status, 401);
      assert.equal(((await x.json()) as { error: string }).error, 'unauthorized');
    }
    // A cross-site form post (no header possible) is refused too.
    const formPost = await fetch(`${c.origin}/control/v1/consents/${consent.id}/approve`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    assert.equal(formPost.status, 401);
    // The waiting page has no way to approve: it only waits.
    const wait = await fetch(new URL(r.headers.get('location')!), { headers: { Accept: 'text/html' } });
    const html = await wait.text();
    assert.doesNotMatch(html, /<form|<button/i);
    assert.equal(wait.headers.get('x-frame-options'), 'DENY');
    assert.match(wait.headers.get('content-security-policy')!, /frame-ancestors 'none'/);
    const pending = await c.controlJson<{ consents: { id: string }[] }>('/consents');
    assert.ok(pending.consents.some((x) => x.id === consent.id));
    assert.equal(c.db.prepare('SELECT status FROM consents WHERE id = ?').pluck().get(consent.id), 'pending');
    await c.controlJson(`/consents/${consent.id}/deny`, { method: 'POST' });
  });

  test('a consent nobody decides expires: the browser gets access_denied and nothing is issued', async () => {
    const { client_id } = await registerClient(c.origin);
    const r = await getAuthorize(authorizeUrl(client_id, {}));
    const wait = new URL(r.headers.get('location')!);
    skew += 5 * 60_000 + 1000;
    const back = await fetch(wait, { redirect: 'manual' });
    assert.equal(back.status, 303);
    const loc = new URL(back.headers.get('location')!);
    assert.equal(loc.searchParams.get('error'), 'access_denied');
    assert.equal(loc.searchParams.get('state'), 'xyz');
    assert.match(loc.searchParams.get('error_description')!, /expired/);
    const id = /wait\/([^?]+)/.exec(wait.pathname)![1]!;
    assert.equal((await c.control(`/consents/${id}/approve`, { body: {} })).status, 409, 'too late to approve');
    assert.equal(c.db.prepare('SELECT COUNT(*) FROM grants g JOIN clients c ON c.id = g.client_id WHERE c.id = ?').pluck().get(client_id), 0);
  });

  test('the person cannot grant unknown accounts; a decision is final; an upgrade to trade is the person’s, and audited', async () => {
    const { client_id } = await registerClient(c.origin);
    const r = await getAuthorize(authorizeUrl(client_id, { scope: 'mcp:read' }));
    const consent = { id: /\/authorize\/wait\/([^?]+)/.exec(r.headers.get('location')!)![1]! };
    const none = await c.control(`/consents/${consent.id}/approve`, { body: { accounts: [] } });
    assert.equal(none.status, 400);
    const unknown = await c.control(`/consents/${consent.id}/approve`, { body: { accounts: ['Live999'] } });
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as { message: string }).message, /Live999.*available: Sim101, Sim102/);
    assert.equal((await c.control(`/consents/${consent.id}/approve`, { body: { accounts: ['Sim101'], scope: 'mcp:read mcp:trade' } })).status, 200);
    const row = (await c.controlJson<{ rows: { event: string; detail: string }[] }>(`/audit?client=${client_id}`)).rows.find((r) => r.event === 'consent.approved')!;
    assert.match(row.detail, /granted mcp:read mcp:trade \(client asked mcp:read\) on Sim101/);
    assert.equal((await c.control(`/consents/${consent.id}/approve`, { body: {} })).status, 409);
    assert.equal((await c.control(`/consents/${consent.id}/deny`, { method: 'POST' })).status, 409);
  });
});

test('no raw secret at rest: tokens, codes, verifiers and client secrets never reach the database files', async () => {
  const cl = await registerClient(c.origin, { token_endpoint_auth_method: 'client_secret_post' });
  const { verifier, challenge } = pkcePair();
  const back = await browse(authorizeUrl(cl.client_id, { code_challenge: challenge }), async (id) => void (await approveNext(c, {}, id)));
  const code = back.searchParams.get('code')!;
  const t = (await (await fetch(`${c.origin}/token`, form({ grant_type: 'authorization_code', code, code_verifier: verifier, client_id: cl.client_id, client_secret: cl.client_secret! }))).json()) as { access_token: string; refresh_token: string };
  await mcpPost(c.origin, t.access_token, INIT);
  c.db.pragma('wal_checkpoint(PASSIVE)');
  const files = readdirSync(c.dir).filter((f) => f.startsWith('companion.db'));
  assert.ok(files.length >= 1);
  const blob = Buffer.concat(files.map((f) => readFileSync(join(c.dir, f))));
  for (const [label, secret] of Object.entries({ access: t.access_token, refresh: t.refresh_token, code, verifier, clientSecret: cl.client_secret!, control: c.controlToken })) {
    assert.equal(blob.includes(Buffer.from(secret)), false, `${label} found in the database files`);
  }
});

test('registration is rate-limited for the whole machine (429)', async () => {
  const small = await startTestCompanion({ registrationLimit: { max: 3, windowMs: 60_000 } });
  try {
    for (let i = 0; i < 3; i++) await registerClient(small.origin);
    const before = small.db.prepare('SELECT COUNT(*) FROM clients').pluck().get();
    const r = await fetch(`${small.origin}/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ redirect_uris: ['http://127.0.0.1/cb'] }) });
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assert.equal(small.db.prepare('SELECT COUNT(*) FROM clients').pluck().get(), before);
  } finally {
    await small.cleanup();
  }
});

test('/mcp bad bodies: not JSON → 400 parse error, wrong type → 415, over 1 MB → 413; unauthenticated → 401 first', async () => {
  const a = await authorizeRaw(c);
  const post = (body: string, type = 'application/json', token: string | null = a.tokens.access_token) =>
    fetch(`${c.origin}/mcp`, { method: 'POST', headers: { 'Content-Type': type, Accept: 'application/json, text/event-stream', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body });
  const bad = await post('{"jsonrpc":');
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { code: number } }).error.code, -32700);
  assert.equal((await post('{}', 'text/plain')).status, 415);
  const big = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(1_100_000) } }));
  assert.equal(big.status, 413);
  assert.equal((await post('{"jsonrpc":', 'application/json', null)).status, 401);
  // The server is still fine.
  assert.equal((await mcpPost(c.origin, a.tokens.access_token, INIT)).status, 200);
});

test('malformed client authentication and parameters get OAuth errors, never a 500', async () => {
  const basic = (v: string) => fetch(`${c.origin}/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(v).toString('base64')}` }, body: 'grant_type=refresh_token&refresh_token=x' });
  for (const v of ['no-colon', 'cli_x:%E0%A4%A', '%zz:secret']) {
    const r = await basic(v);
    assert.equal(r.status, 401, v);
    assert.equal(((await r.json()) as { error: string }).error, 'invalid_client');
  }
  const repeated = await fetch(`${c.origin}/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token&grant_type=authorization_code&client_id=x' });
  assert.equal(repeated.status, 400);
  assert.equal(((await repeated.json()) as { error: string }).error, 'invalid_request');
  const json = await fetch(`${c.origin}/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"grant_type":"refresh_token"}' });
  assert.equal(json.status, 400);
  const reg = await fetch(`${c.origin}/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"redirect_uris": ' });
  assert.equal(reg.status, 400);
  const authz = await fetch(`${c.origin}/authorize`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
  assert.equal(authz.status, 400);
});
