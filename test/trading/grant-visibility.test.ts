// Issue 9 item 8: a read client sees only the accounts it was granted, in every read tool. A
// second client trades Sim102; the Sim101-only read client must not see one byte of it: no order,
// fill, journal row, watermark or activity line, and no account name in get_status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { approveNext, startTestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider } from '../helpers/sdk-client.ts';
import { call, until } from '../helpers/tools.ts';

test('a Sim101-only read client sees nothing of Sim102 in any read tool, activity log and get_status included', async () => {
  const c = await startTestCompanion();
  try {
    const trader = await connectWithOAuth(
      c.mcpUrl,
      (id) => approveNext(c, { scope: 'mcp:read mcp:trade', accounts: ['Sim102'], confirmPolicy: 'never' }, id).then(() => {}),
      new HeadlessProvider('http://127.0.0.1:9001/cb', 'Sim102 Trader'),
    );
    const reader = await connectWithOAuth(
      c.mcpUrl,
      (id) => approveNext(c, { scope: 'mcp:read', accounts: ['Sim101'] }, id).then(() => {}),
      new HeadlessProvider('http://127.0.0.1:9002/cb', 'Sim101 Reader'),
    );

    // Activity on Sim102 by the other client: a market round trip (orders, fills, journal) and a
    // resting limit order.
    c.simulator!.setQuote('ES', 6000);
    await until(async () => (await call(trader, 'get_quote', { instrument: 'ES' })).s?.quote?.last === 6000, 'quote 6000');
    for (const [action, id] of [['BUY', 'leak-1'], ['SELL', 'leak-2']] as const) {
      const r = await call(trader, 'place_order', { account: 'Sim102', instrument: 'ES', action, quantity: 1, clientOrderId: id });
      assert.equal(r.isError, false, r.text);
    }
    const rest = await call(trader, 'place_order', { account: 'Sim102', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice: 5900, clientOrderId: 'leak-3' });
    assert.equal(rest.isError, false, rest.text);
    // The companion saw it all: the trader's own journal has the round trip.
    await until(async () => (await call(trader, 'get_journal', {})).s.trades.length > 0, 'Sim102 journal');
    const everything = await c.controlJson<{ rows: { message: string }[] }>('/activity?limit=500');
    assert.ok(everything.rows.some((r) => r.message.includes('Sim102')), 'the dashboard (the person) still sees Sim102 activity');

    // Every read tool the reader is offered, called with no account argument.
    const tools = (await reader.client.listTools()).tools.map((t) => t.name).sort();
    assert.ok(!tools.includes('place_order'), 'a read grant is not offered trade tools');
    const argsFor: Record<string, Record<string, unknown>> = {
      get_account_summary: { account: 'Sim101' },
      // ORD-1 is the trader's Sim102 order: asking for it under Sim101 must not find it.
      get_order: { account: 'Sim101', orderId: 'ORD-1' },
      get_quote: { instrument: 'ES' },
      get_bars: { instrument: 'ES', count: 5 },
      list_orders: { status: 'all' },
      get_activity_log: { limit: 500 },
    };
    const seen: string[] = [];
    for (const name of tools) {
      const r = await call(reader, name, argsFor[name] ?? {});
      const dump = `${r.text}\n${JSON.stringify(r.s ?? {})}\n${JSON.stringify(r.meta ?? {})}`;
      seen.push(`${name}: ${dump.slice(0, 300)}`);
      assert.ok(!/Sim102/.test(dump), `${name} shows Sim102: ${dump.slice(0, 2000)}`);
      assert.ok(!/leak-\d/.test(dump), `${name} shows the other client's order names: ${dump.slice(0, 2000)}`);
    }
    assert.ok(tools.length >= 10, seen.join('\n'));

    // get_status lists the granted accounts only, in the link block too.
    const st = await call(reader, 'get_status');
    assert.deepEqual(st.s.link.accounts, ['Sim101']);
    assert.deepEqual(st.s.client.accounts, ['Sim101']);

    // The activity log keeps the link-level rows (no account) and the reader's own account's rows.
    const act = await call(reader, 'get_activity_log', { limit: 500 });
    assert.ok(act.s.activity.some((a: { kind: string }) => a.kind === 'connect'), 'connect rows carry no account and stay visible');
    assert.ok(!act.s.activity.some((a: { kind: string }) => a.kind === 'order' || a.kind === 'execution'), JSON.stringify(act.s.activity));
    // Asking for Sim102 by name is refused, as in every other account-taking tool.
    const asked = await call(reader, 'list_orders', { account: 'Sim102', status: 'all' });
    assert.equal(asked.code, 'account_not_allowed');
    assert.ok(!asked.text.includes('leak-'));

    // The trader sees its own Sim102 order and fill lines in its activity log.
    const own = await call(trader, 'get_activity_log', { limit: 500 });
    assert.ok(own.s.activity.some((a: { kind: string; message: string }) => a.kind === 'execution' && a.message.includes('Sim102')), JSON.stringify(own.s.activity));
    await trader.close();
    await reader.close();
  } finally {
    await c.cleanup();
  }
});
