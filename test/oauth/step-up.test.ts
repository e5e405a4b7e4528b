// Step-up that reaches the desktop (issue 8, item 2): a read client calls place_order → 403
// insufficient_scope naming the scope → the SDK client's own up-scoping → an upgrade prompt for
// the existing client at the desktop → approve → the same call runs (through the order
// confirmation) → the Clients view shows one client with mcp:trade.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { manualClock } from '../../src/clock.ts';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { AuthorizedClient, PendingConsent } from '../../src/control/contract.ts';
import { authorizeRaw, browse, INIT, mcpPost, pkcePair, startTestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider } from '../helpers/sdk-client.ts';

const ORDER = { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice: 5000, clientOrderId: 'step-up-1' };

test('SDK client: read grant → place_order → upgrade prompt → approve → the same call runs', async () => {
  const clock = manualClock(Date.parse('2026-11-25T15:00:00Z'));
  const c = await startTestCompanion({ clock });
  try {
    const provider = new HeadlessProvider('http://127.0.0.1:9911/cb', 'Step-up Host');
    const conn = await connectWithOAuth(c.mcpUrl, async (id) => {
      const consent = await c.waitForConsent();
      assert.equal(consent.id, id);
      assert.equal(consent.upgradeOf, null, 'a first authorization is not an upgrade');
      await c.controlJson(`/consents/${id}/approve`, { body: { accounts: ['Sim101'] } });
    }, provider);
    const readTokens = provider.saved!;
    const firstSeen = (await c.controlJson<{ clients: AuthorizedClient[] }>('/clients')).clients[0]!.createdAt;
    assert.equal(firstSeen, '2026-11-25T15:00:00.000Z');
    clock.advance(60_000); // the upgrade comes a minute later
    assert.equal(readTokens.scope, 'mcp:read');
    assert.equal((await conn.client.listTools()).tools.some((t) => t.name === 'place_order'), false); // as every host does first
    let listChanged = 0;
    conn.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      listChanged += 1;
    });
    assert.equal((await conn.client.callTool({ name: 'get_status', arguments: {} })).isError, undefined);

    // The call: the SDK sees 403 insufficient_scope, tries to up-scope; its scope-less refresh is
    // refused (invalid_grant), so it starts a new authorization for the challenged scope.
    const first = await conn.client.callTool({ name: 'place_order', arguments: ORDER }).then(
      () => assert.fail('a read token must not place an order'),
      (e: unknown) => e,
    );
    assert.ok(first instanceof UnauthorizedError, `expected the SDK to ask for authorization, got ${String(first)}`);
    const url = provider.authorizationUrl!;
    assert.equal(url.searchParams.get('scope'), 'mcp:read mcp:trade', 'the SDK asks for the scope the 403 named');
    assert.equal(c.simulator!.engine.orders().length, 0);

    // The desktop: an upgrade of the existing client, not a new one.
    let seen: PendingConsent | undefined;
    const back = await browse(url.href, async (id) => {
      seen = await c.waitForConsent();
      assert.equal(seen.id, id);
      await c.controlJson(`/consents/${id}/approve`, { body: { scope: 'mcp:read mcp:trade' } });
    });
    assert.equal(seen!.requestedScope, 'mcp:read mcp:trade');
    assert.equal(seen!.clientName, 'Step-up Host');
    assert.deepEqual(seen!.upgradeOf && { scope: seen!.upgradeOf.scope, accounts: seen!.upgradeOf.accounts }, { scope: 'mcp:read', accounts: ['Sim101'] });
    const code = back.searchParams.get('code');
    assert.ok(code, back.href);
    await conn.transport.finishAuth(code);
    assert.equal(provider.saved!.scope, 'mcp:read mcp:trade');

    // The same call again (as a host retries after authorization): it waits for the confirmation.
    const pending = conn.client.callTool({ name: 'place_order', arguments: ORDER });
    const conf = await c.waitForConfirmation();
    assert.equal(conf.account, 'Sim101', 'the upgrade kept the accounts chosen before');
    assert.equal(conf.clientName, 'Step-up Host');
    await c.controlJson(`/confirmations/${conf.id}/approve`, { method: 'POST' });
    const placed = await pending;
    assert.notEqual(placed.isError, true, JSON.stringify(placed.content));
    assert.equal(c.simulator!.engine.orders('Sim101').length, 1, 'the order reached the simulator');
    // The session's tool list changed with the scope: the host is told once, and a fresh list has the trade tools.
    assert.equal(listChanged, 1, 'notifications/tools/list_changed after the upgrade');
    assert.ok((await conn.client.listTools()).tools.some((t) => t.name === 'place_order'));
    await conn.client.callTool({ name: 'get_status', arguments: {} });
    assert.equal(listChanged, 1, 'said once');

    // One client, with its new scope; the superseded read tokens are dead.
    const { clients } = await c.controlJson<{ clients: AuthorizedClient[] }>('/clients');
    assert.equal(clients.length, 1);
    assert.equal(clients[0]!.name, 'Step-up Host');
    assert.equal(clients[0]!.scope, 'mcp:read mcp:trade');
    assert.deepEqual(clients[0]!.accounts, ['Sim101']);
    assert.equal(clients[0]!.createdAt, firstSeen, 'the client was first let in before its upgrade');
    assert.ok(clients[0]!.callCount >= 2, 'the call history carries over the upgrade');
    assert.equal((await mcpPost(c.origin, readTokens.access_token, INIT)).status, 401, 'old read access token revoked');
    const old = await fetch(`${c.origin}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: readTokens.refresh_token!, client_id: provider.info!.client_id }),
    });
    assert.equal(old.status, 400, 'old read refresh token revoked');
    await conn.close();
  } finally {
    await c.cleanup();
  }
});

test('step-up denied: the read grant stays; the scope-less refresh after a challenge is refused once, then works', async () => {
  const c = await startTestCompanion();
  try {
    const a = await authorizeRaw(c, { scope: 'mcp:read', approve: { accounts: ['Sim102'] } });
    const init = await mcpPost(c.origin, a.tokens.access_token, INIT);
    const h = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
    const refresh = (rt: string, scope?: string) =>
      fetch(`${c.origin}/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rt, client_id: a.clientId, ...(scope ? { scope } : {}) }),
      });

    // RFC 6749 §6: asking a refresh for more than was granted is invalid_scope, challenge or not.
    const wide = await refresh(a.tokens.refresh_token, 'mcp:read mcp:trade');
    assert.equal(wide.status, 400);
    assert.equal(((await wide.json()) as { error: string }).error, 'invalid_scope');

    // Without a challenge, a scope-less refresh is the ordinary same-scope refresh.
    const plain = await refresh(a.tokens.refresh_token);
    assert.equal(plain.status, 200);
    const t1 = (await plain.json()) as { access_token: string; refresh_token: string; scope: string };
    assert.equal(t1.scope, 'mcp:read');

    const call = await mcpPost(c.origin, t1.access_token, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'place_order', arguments: { ...ORDER, account: 'Sim102' } } }, h);
    assert.equal(call.status, 403);
    const challenge = call.headers.get('www-authenticate')!;
    assert.match(challenge, /error="insufficient_scope"/);
    assert.match(challenge, /scope="mcp:read mcp:trade"/, 'names the scope needed, existing scope included');
    // mcp-remote 0.15 swaps an authorization scope equal to the PRM list (joined) for its 401 scope,
    // which would turn this step-up back into mcp:read: the PRM lists the same scopes in another order.
    const prm = (await (await fetch(`${c.origin}/.well-known/oauth-protected-resource/mcp`)).json()) as { scopes_supported: string[] };
    assert.deepEqual([...prm.scopes_supported].sort(), ['mcp:read', 'mcp:trade']);
    assert.notEqual(prm.scopes_supported.join(' '), 'mcp:read mcp:trade');

    // The next scope-less refresh: invalid_grant (→ a new authorization), token neither rotated nor revoked.
    const steered = await refresh(t1.refresh_token);
    assert.equal(steered.status, 400);
    const err = (await steered.json()) as { error: string; error_description: string };
    assert.equal(err.error, 'invalid_grant');
    assert.match(err.error_description, /new authorization/);
    assert.equal((await mcpPost(c.origin, t1.access_token, INIT)).status, 200, 'the read access token still works');

    // The client asks again with more scope; the person denies the upgrade: the read grant stays.
    const u = new URL(`${c.origin}/authorize`);
    u.search = new URLSearchParams({
      response_type: 'code',
      client_id: a.clientId,
      redirect_uri: a.redirectUri,
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
      scope: 'mcp:read mcp:trade',
      state: 'up',
    }).toString();
    const back = await browse(u.href, async (id) => {
      const consent = await c.waitForConsent();
      assert.equal(consent.id, id);
      assert.equal(consent.upgradeOf?.scope, 'mcp:read');
      assert.deepEqual(consent.upgradeOf?.accounts, ['Sim102']);
      await c.controlJson(`/consents/${id}/deny`, { method: 'POST' });
    });
    assert.equal(back.searchParams.get('error'), 'access_denied');
    const client = await c.controlJson<{ clients: AuthorizedClient[] }>('/clients');
    assert.equal(client.clients.length, 1);
    assert.equal(client.clients[0]!.scope, 'mcp:read');
    assert.equal((await mcpPost(c.origin, t1.access_token, INIT)).status, 200, 'denial keeps the read grant');
    const again = await refresh(t1.refresh_token);
    assert.equal(again.status, 200, 'once only: the refresh works again');
    assert.equal(((await again.json()) as { scope: string }).scope, 'mcp:read');
  } finally {
    await c.cleanup();
  }
});
