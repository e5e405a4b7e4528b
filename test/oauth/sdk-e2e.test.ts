// Acceptance: the MCP SDK client with its OAuth provider, end to end against a started companion:
// 401 → discovery → registration → authorize → approve through the control API → token →
// tools/list → tools/call → refresh → revoke through the control API → next call 401.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { approveNext, mcpPost, startTestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider } from '../helpers/sdk-client.ts';

test('SDK client: full OAuth flow, scoped tools, refresh, revoke → 401', async () => {
  let skew = 0;
  const c = await startTestCompanion({ now: () => Date.now() + skew });
  try {
    // The SDK is given the localhost name; discovery must speak that name back.
    const mcpUrl = c.mcpUrl.replace('127.0.0.1', 'localhost');
    const provider = new HeadlessProvider('http://localhost:8765/callback', 'SDK Test Client');
    const conn = await connectWithOAuth(mcpUrl, async () => {
      const consent = await c.waitForConsent();
      assert.equal(consent.clientName, 'SDK Test Client');
      assert.equal(consent.requestedScope, 'mcp:read', 'the 401 challenge steers the SDK to the smallest scope');
      assert.equal(consent.redirectHost, 'localhost:8765');
      await c.controlJson(`/consents/${consent.id}/approve`, { body: { accounts: ['Sim101'] } });
    }, provider);

    // Tokens: opaque, a refresh token, scope mcp:read.
    const first = provider.saved!;
    assert.ok(first.access_token.length >= 40);
    assert.ok(first.refresh_token);
    assert.equal(first.scope, 'mcp:read');

    // tools/list: read tools only.
    const { tools } = await conn.client.listTools();
    const names = tools.map((t) => t.name);
    assert.ok(names.includes('get_status'));
    assert.ok(names.includes('list_accounts'));
    assert.ok(!names.includes('place_order'), 'a read token must not see trade tools');
    assert.ok(tools.every((t) => t.annotations?.readOnlyHint === true));

    // tools/call: get_status reports the caller's own scope and accounts, and the simulator.
    const status = await conn.client.callTool({ name: 'get_status', arguments: {} });
    assert.equal(status.isError, undefined);
    const s = status.structuredContent as { simulated: boolean; client: { scope: string; accounts: string[] }; link: { status: string } };
    assert.equal(s.simulated, true);
    assert.equal(s.link.status, 'connected');
    assert.deepEqual(s.client.accounts, ['Sim101']);
    assert.equal(s.client.scope, 'mcp:read');
    // The model learns it is read-only and that only the person can widen that.
    assert.match((status.content as { text: string }[])[0]!.text, /READ-ONLY: .*re-authorize.*"Also allow trading"/);

    // The audit log has the call, attributed to the client, without the token.
    const audit = await c.controlJson<{ rows: { tool: string | null; clientName: string | null; args: string | null }[] }>('/audit?tool=get_status');
    assert.equal(audit.rows[0]?.clientName, 'SDK Test Client');

    // Refresh: two hours later the access token has expired; the SDK gets 401, refreshes, retries.
    skew = 2 * 60 * 60_000;
    const again = await conn.client.callTool({ name: 'list_accounts', arguments: {} });
    assert.equal(again.isError, undefined);
    const refreshed = provider.saved!;
    assert.notEqual(refreshed.access_token, first.access_token, 'a new access token was issued');
    assert.notEqual(refreshed.refresh_token, first.refresh_token, 'refresh tokens rotate');
    const accounts = (again.structuredContent as { accounts: { name: string }[] }).accounts.map((a) => a.name);
    assert.deepEqual(accounts, ['Sim101'], 'the refreshed token keeps the consented accounts');

    // Revoke at the desktop → the very next call is 401 (the SDK surfaces it as an error).
    const clients = await c.controlJson<{ clients: { id: string; name: string; callCount: number }[] }>('/clients');
    const me = clients.clients.find((x) => x.name === 'SDK Test Client')!;
    assert.ok(me.callCount >= 2);
    await c.controlJson(`/clients/${me.id}/revoke`, { method: 'POST' });
    const raw = await mcpPost(c.origin, refreshed.access_token, { jsonrpc: '2.0', id: 9, method: 'tools/list' });
    assert.equal(raw.status, 401);
    assert.match(raw.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    await assert.rejects(conn.client.callTool({ name: 'get_status', arguments: {} }));
    assert.deepEqual((await c.controlJson<{ clients: unknown[] }>('/clients')).clients, []);
    await conn.close().catch(() => {});
  } finally {
    await c.cleanup();
  }
});

test('SDK client: a trade token sees and can call trade tools; the 401 challenge advertises PRM', async () => {
  const c = await startTestCompanion();
  try {
    // Unauthenticated request: 401 with resource_metadata and the smallest scope.
    const r = await mcpPost(c.origin, null, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    assert.equal(r.status, 401);
    const challenge = r.headers.get('www-authenticate') ?? '';
    assert.match(challenge, new RegExp(`resource_metadata="${c.origin}/.well-known/oauth-protected-resource/mcp"`));
    assert.match(challenge, /scope="mcp:read"/);

    const provider = new HeadlessProvider('http://127.0.0.1:9911/cb', 'Trader Bot', 'mcp:read mcp:trade');
    const conn = await connectWithOAuth(c.mcpUrl, () => approveNext(c, { scope: 'mcp:read mcp:trade', accounts: ['Sim101'], confirmPolicy: 'never' }).then(() => {}), provider);
    assert.equal(provider.saved!.scope, 'mcp:read mcp:trade', 'the token response states the granted scope');
    const names = (await conn.client.listTools()).tools.map((t) => t.name);
    for (const t of ['place_order', 'cancel_all_orders', 'flatten_everything']) assert.ok(names.includes(t), t);
    const res = await conn.client.callTool({ name: 'cancel_all_orders', arguments: { account: 'Sim101' } });
    assert.equal(res.isError, undefined, JSON.stringify(res.content));
    await conn.close();
  } finally {
    await c.cleanup();
  }
});
