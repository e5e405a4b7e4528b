// Issue 9, finding 1 (per-call memory growth) and finding 10 ("a cancelled call's POST never gets a
// response"), through the SDK client on one session as a host uses it.
//
// White-box on purpose: a per-call leak of one Map entry (~150 bytes) is far below the noise of a
// heap measurement in a test run, but it is exactly what killed the tray app over days (upstream
// typescript-sdk#2559). So we count the per-request entries the SDK transport keeps
// (`Companion.mcpBacklog()`, src/mcp/transport.ts) and require them to return to zero after every
// kind of call: answered, refused, and cancelled by the client while it waits for the person.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { approveNext, startTestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider } from '../helpers/sdk-client.ts';
import { call, until } from '../helpers/tools.ts';

async function setup() {
  const c = await startTestCompanion({ trading: { confirmationTimeoutMs: 20_000 } });
  c.simulator!.setQuote('ES', 6000);
  const provider = new HeadlessProvider('http://127.0.0.1:9000/cb', 'Leak Test Host');
  // The SDK client's raw HTTP, watched: for every tools/call POST, whether its response body ended.
  const calls: { id: unknown; ended: Promise<'ended' | 'aborted by the client'> }[] = [];
  const watching: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { id?: unknown; method?: string }) : undefined;
    if (init?.method === 'POST' && body?.method === 'tools/call' && res.body) {
      const [mine, theirs] = res.body.tee();
      calls.push({ id: body.id, ended: new Response(mine).arrayBuffer().then(() => 'ended' as const, () => 'aborted by the client' as const) });
      return new Response(theirs, { status: res.status, statusText: res.statusText, headers: res.headers });
    }
    return res;
  };
  const conn = await connectWithOAuth(
    c.mcpUrl,
    (id) => approveNext(c, { scope: 'mcp:read mcp:trade', accounts: ['Sim101'], limits: { maxOrdersPerMinute: 1000 } }, id).then(() => {}),
    provider,
    watching,
  );
  return { c, conn, calls, done: async () => { await conn.close().catch(() => {}); await c.cleanup(); } };
}

test('thousands of calls on one session leave no per-request state behind in the transport', async () => {
  const { c, conn, done } = await setup();
  try {
    const before = c.mcpBacklog();
    assert.equal(before.sessions, 1);
    for (let i = 0; i < 2000; i++) {
      const r = await call(conn, i % 10 === 9 ? 'get_order' : 'get_status', i % 10 === 9 ? { account: 'Sim101', orderId: `nope-${i}` } : {});
      if (i % 10 !== 9) assert.equal(r.isError, false);
    }
    assert.deepEqual(c.mcpBacklog(), { sessions: 1, streams: 0, requests: 0, responses: 0, inflight: 0 });
  } finally {
    await done();
  }
});

test('a call the client cancels while it waits for the person: its POST gets a finished response, and nothing of it stays behind', async () => {
  const { c, conn, calls, done } = await setup();
  try {
    await call(conn, 'get_status');
    const N = 25;
    for (let i = 0; i < N; i++) {
      const ac = new AbortController();
      const pending = call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'MARKET', clientOrderId: `cx-${i}` }, { signal: ac.signal });
      await c.waitForConfirmation();
      ac.abort('the user pressed Esc');
      await assert.rejects(pending);
      // The POST that carried the call: the server ends its response stream.
      const post = calls.at(-1)!;
      const ended = await Promise.race([post.ended, new Promise<'open'>((r) => setTimeout(() => r('open'), 3000).unref())]);
      assert.equal(ended, 'ended', `the POST of cancelled call ${i} got a finished response`);
      await until(async () => (await c.controlJson<{ confirmations: unknown[] }>('/confirmations')).confirmations.length === 0, 'the prompt closed');
    }
    // Every cancelled call's correlation is released: nothing grows with the number of cancels.
    await until(async () => {
      const b = c.mcpBacklog();
      return b.streams === 0 && b.requests === 0 && b.responses === 0 && b.inflight === 0;
    }, `no per-request state left: ${JSON.stringify(c.mcpBacklog())}`);
    assert.equal(c.simulator!.engine.orders('Sim101').length, 0);
    // The session is still good.
    assert.equal((await call(conn, 'get_status')).isError, false);
  } finally {
    await done();
  }
});

test('raw HTTP: the cancelled call\'s POST is an SSE stream that the server ends (no response message, as the spec allows)', async () => {
  const { c, conn, done } = await setup();
  try {
    await call(conn, 'get_status');
    const token = conn.provider.saved!.access_token;
    const sid = conn.transport.sessionId!;
    const h = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', Authorization: `Bearer ${token}`, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
    const res = await fetch(`${c.origin}/mcp`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({ jsonrpc: '2.0', id: 'raw-1', method: 'tools/call', params: { name: 'place_order', arguments: { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'MARKET', clientOrderId: 'raw-cx' } } }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    await c.waitForConfirmation();
    const text = res.text();
    const cancel = await fetch(`${c.origin}/mcp`, { method: 'POST', headers: h, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'raw-1', reason: 'Esc' } }) });
    assert.equal(cancel.status, 202);
    const body = await Promise.race([text, new Promise<'open'>((r) => setTimeout(() => r('open'), 3000).unref())]);
    assert.notEqual(body, 'open', 'the cancelled call\'s response stream was ended by the server');
    assert.doesNotMatch(body, /"id":"raw-1"/, 'no JSON-RPC response for a cancelled request');
    await until(async () => c.mcpBacklog().requests === 0, 'the cancelled request is forgotten');
  } finally {
    await done();
  }
});
