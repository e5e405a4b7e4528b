// Confirmations that outlast client timeouts (issue 8, item 3), seen through the MCP SDK client as a
// host uses it: progress notifications keep a client with a short timeout waiting until the person
// decides; a client that cancels closes the prompt at once, places nothing, frees its
// clientOrderId, and the audit says the client cancelled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { approveNext, authorizeRaw, INIT, mcpPost, startTestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider } from '../helpers/sdk-client.ts';
import { call, until } from '../helpers/tools.ts';
import type { AuditPage, ControlEvent } from '../../src/control/contract.ts';

async function setup() {
  const c = await startTestCompanion({ trading: { confirmationTimeoutMs: 20_000, waitingNoticeMs: 100 } });
  c.simulator!.setQuote('ES', 6000);
  const conn = await connectWithOAuth(
    c.mcpUrl,
    (id) => approveNext(c, { scope: 'mcp:read mcp:trade', accounts: ['Sim101'] }, id).then(() => {}),
    new HeadlessProvider('http://127.0.0.1:9000/cb', 'Slow Host'),
  );
  return { c, conn, done: async () => { await conn.close().catch(() => {}); await c.cleanup(); } };
}

const market = (extra: Record<string, unknown> = {}) => ({ account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'MARKET', ...extra });

test('progress while the person decides keeps a client with a 400 ms timeout waiting; it then gets the approved result', async () => {
  const { c, conn, done } = await setup();
  try {
    const seen: Progress[] = [];
    const started = Date.now();
    const pending = call(conn, 'place_order', market({ clientOrderId: 'slow-ok' }), {
      timeout: 400,
      resetTimeoutOnProgress: true,
      onprogress: (p) => seen.push(p),
    });
    const conf = await c.waitForConfirmation();
    // Wait, as observed, until the call has lived well past the client's own timeout.
    await until(async () => Date.now() - started > 1200 && seen.length >= 5, 'progress past the client timeout');
    assert.equal((await c.controlJson<{ confirmations: unknown[] }>('/confirmations')).confirmations.length, 1, 'still waiting for the person');
    await c.controlJson(`/confirmations/${conf.id}/approve`, { method: 'POST' });
    const r = await pending;
    assert.equal(r.isError, false, r.text);
    assert.equal(r.s.orders[0].name, 'slow-ok');
    assert.ok(Date.now() - started > 1200, 'answered long after the 400 ms timeout');

    assert.match(seen[0]!.message ?? '', /^Waiting for the person to approve "Buy 1 ES \d\d-\d\d MARKET DAY on Sim101" in NT MCP Companion \(0:[12]\d left\)\.$/);
    assert.ok(seen.every((p) => p.total === 20), 'total is the confirmation window in seconds');
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.progress > seen[i - 1]!.progress, 'progress grows with every notification');
  } finally {
    await done();
  }
});

test('without progress the client would give up: a call without resetTimeoutOnProgress times out, and that closes the prompt as cancelled', async () => {
  const { c, conn, done } = await setup();
  try {
    const r = call(conn, 'place_order', market({ clientOrderId: 'impatient' }), { timeout: 300 });
    await c.waitForConfirmation();
    await assert.rejects(r, /Request timed out/);
    // The SDK sends notifications/cancelled on its timeout: the prompt must not outlive the client.
    await until(async () => (await c.controlJson<{ confirmations: unknown[] }>('/confirmations')).confirmations.length === 0, 'the prompt closed');
    assert.equal(c.simulator!.engine.orders('Sim101').length, 0);
  } finally {
    await done();
  }
});

test('cancel: the prompt closes at once, nothing is placed, the audit says the client cancelled, the same clientOrderId works again', async () => {
  const { c, conn, done } = await setup();
  const events: ControlEvent[] = [];
  const off = c.bus.subscribe((e) => events.push(e));
  try {
    const ac = new AbortController();
    const pending = call(conn, 'place_order', market({ clientOrderId: 'cx-1' }), { signal: ac.signal, onprogress: () => {} });
    const conf = await c.waitForConfirmation();
    ac.abort('the user pressed Esc');
    await assert.rejects(pending);

    // The dashboard hears it at once, and the control API's list empties.
    const decided = await until(async () => events.find((e) => e.type === 'confirmation.decided' && e.id === conf.id), 'confirmation.decided');
    assert.deepEqual(decided, { type: 'confirmation.decided', id: conf.id, decision: 'cancelled' });
    await until(async () => (await c.controlJson<{ confirmations: unknown[] }>('/confirmations')).confirmations.length === 0, 'the list empties');
    assert.equal((await c.control(`/confirmations/${conf.id}/approve`, { method: 'POST' })).status, 404, 'too late to approve');
    assert.equal(c.simulator!.engine.orders('Sim101').length, 0, 'nothing placed');

    // The audit: one tool.call row, cancelled; the confirmation row says the client cancelled.
    const call1 = await until(async () => {
      const p = await c.controlJson<AuditPage>('/audit?tool=place_order&limit=20');
      return p.rows.find((r) => r.event === 'tool.call');
    }, 'the tool.call row');
    assert.equal(call1.outcome, 'cancelled');
    assert.match(call1.detail!, /^cancelled_by_client: Not placed: the client stopped waiting/);
    const confRow = (await c.controlJson<AuditPage>('/audit?outcome=cancelled&limit=20')).rows.find((r) => r.event === 'trade.confirmation');
    assert.match(confRow?.detail ?? '', /^cancelled by the client: Buy 1 ES/);
    assert.equal(c.db.prepare("SELECT status FROM order_requests WHERE client_order_id = 'cx-1'").pluck().get(), 'cancelled');

    // A retry with the same clientOrderId is not stuck as duplicate_in_progress: the person is asked again.
    const retry = call(conn, 'place_order', market({ clientOrderId: 'cx-1' }));
    const again = await c.waitForConfirmation();
    assert.notEqual(again.id, conf.id);
    await c.controlJson(`/confirmations/${again.id}/approve`, { method: 'POST' });
    const placed = await retry;
    assert.equal(placed.isError, false, placed.text);
    assert.equal(placed.s.orders[0].name, 'cx-1');
    assert.equal(c.simulator!.engine.orders('Sim101').length, 1);
  } finally {
    off();
    await done();
  }
});

test('a client that drops the response stream while the order waits closes the prompt too: no result could ever reach it', async () => {
  const c = await startTestCompanion({ trading: { confirmationTimeoutMs: 20_000 } });
  try {
    c.simulator!.setQuote('ES', 6000);
    const { tokens } = await authorizeRaw(c, { scope: 'mcp:read mcp:trade', approve: { scope: 'mcp:read mcp:trade', accounts: ['Sim101'] } });
    const sid = (await mcpPost(c.origin, tokens.access_token, INIT)).headers.get('mcp-session-id')!;
    const h = { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
    // A host whose HTTP layer gives up (a fetch timeout) without sending notifications/cancelled.
    const ac = new AbortController();
    const res = await fetch(`${c.origin}/mcp`, {
      method: 'POST',
      signal: ac.signal,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', Authorization: `Bearer ${tokens.access_token}`, ...h },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'place_order', arguments: market({ clientOrderId: 'gone-1' }) } }),
    });
    assert.equal(res.status, 200);
    const conf = await c.waitForConfirmation();
    ac.abort();
    await until(async () => (await c.controlJson<{ confirmations: unknown[] }>('/confirmations')).confirmations.length === 0, 'the prompt closed');
    assert.equal((await c.control(`/confirmations/${conf.id}/approve`, { method: 'POST' })).status, 404);
    assert.equal(c.simulator!.engine.orders('Sim101').length, 0);
    const row = await until(async () => (await c.controlJson<AuditPage>('/audit?tool=place_order&outcome=cancelled')).rows.find((r) => r.event === 'tool.call'), 'audited as cancelled');
    assert.match(row.detail!, /^cancelled_by_client: /);
    // The session still works for the next call.
    const next = await mcpPost(c.origin, tokens.access_token, { jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'get_status', arguments: {} } }, h);
    assert.equal(((await next.json()) as { result: { isError?: boolean } }).result.isError, undefined);
  } finally {
    await c.cleanup();
  }
});
