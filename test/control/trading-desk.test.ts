// The Trading view's control endpoints (issue 11): GET /trading shows a client's position and
// working order with the client that placed them and the session P&L; the live stream carries
// trading.account events; the person's flatten (POST /trading/flatten) closes the position without
// a prompt, audited as the person; a closed market and a dropped link are refused before anything
// is sent; POST /clients/{id}/grant edits scope, accounts and limits, effective on the next call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { AuditPage, AuthorizedClient, ControlEvent, FlattenResult, TradingDesk } from '../../src/control/contract.ts';
import { approveNext, tradingSetup } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider } from '../helpers/sdk-client.ts';
import { call, until } from '../helpers/tools.ts';

/** Reads the control event stream until `pick` returns a value. */
async function nextEvent<T>(url: string, token: string, pick: (ev: ControlEvent) => T | undefined, ms = 5000): Promise<T> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), ms);
  try {
    const r = await fetch(`${url}/events`, { headers: { Authorization: `Bearer ${token}` }, signal: ctrl.signal });
    const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buf += value;
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const v = pick(JSON.parse(data.slice(6)) as ControlEvent);
        if (v !== undefined) return v;
      }
    }
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
}

test('Trading: position, working order by client, P&L live; the person flattens without a prompt, audited as such', async () => {
  const { c, conn, done } = await tradingSetup('Desk Bot', { confirmPolicy: 'never' });
  try {
    const buy = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 2, clientOrderId: 'desk-1' });
    assert.equal(buy.isError, false, buy.text);
    const rest = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'SELL', quantity: 1, orderType: 'LIMIT', limitPrice: 6100, clientOrderId: 'desk-tp' });
    assert.equal(rest.isError, false, rest.text);
    const desk = await until(async () => {
      const d = await c.controlJson<TradingDesk>('/trading');
      return d.accounts.find((a) => a.name === 'Sim101')?.positions.length === 1 && d;
    }, 'the position in GET /trading');
    const acct = desk.accounts.find((a) => a.name === 'Sim101')!;
    assert.equal(acct.currency, 'USD');
    assert.equal(acct.positions[0]!.side, 'Long');
    assert.equal(acct.positions[0]!.quantity, 2);
    assert.match(acct.positions[0]!.instrument, /^ES /);
    const order = acct.orders.find((o) => o.placedBy.clientOrderId === 'desk-tp');
    assert.ok(order, 'the working limit is listed');
    assert.equal(order.placedBy.kind, 'mcp');
    assert.equal(order.placedBy.label, 'Desk Bot');
    assert.equal(acct.executions.length, 1);
    assert.equal(acct.executions[0]!.placedBy.label, 'Desk Bot');
    assert.ok(Array.isArray(desk.series.Sim101) && desk.series.Sim101.length >= 1);

    // The P&L moves with the market, and the stream says so.
    const moved = nextEvent(c.controlUrl, c.controlToken, (ev) => (ev.type === 'trading.account' && ev.account.name === 'Sim101' && ev.account.pnl > 0 ? ev : undefined));
    await new Promise((r) => setTimeout(r, 100));
    c.simulator!.setQuote('ES', 6010);
    const ev = await moved;
    assert.ok(ev.point.pnl > 0 && ev.point.high >= ev.point.pnl);
    assert.ok(ev.account.pnlHigh >= ev.account.pnl);

    // Flatten the position as the person: no confirmation, the position and its orders are gone.
    const r = await c.controlJson<FlattenResult>('/trading/flatten', { body: { what: 'position', account: 'Sim101', instrument: acct.positions[0]!.instrument } });
    assert.equal(r.status, 'flatten_submitted');
    assert.equal((await c.controlJson<{ confirmations: unknown[] }>('/confirmations')).confirmations.length, 0);
    await until(async () => (await c.controlJson<TradingDesk>('/trading')).accounts.find((a) => a.name === 'Sim101')!.positions.length === 0 || undefined, 'flat');
    assert.equal(c.link.mirror.positions('Sim101').filter((p) => p.marketPosition !== 'Flat').length, 0);
    assert.equal(c.link.mirror.orders('Sim101', { working: true }).length, 0, 'working orders cancelled');
    const audit = await c.controlJson<AuditPage>('/audit?limit=20');
    const submit = audit.rows.find((x) => x.event === 'trade.submit' && x.clientId === null);
    assert.ok(submit, 'a trade.submit row with no client');
    assert.match(submit.detail!, /^the desktop \(control token\): Flatten ES \d\d-\d\d on Sim101/);

    // Nothing left: said so, nothing sent.
    const none = await c.controlJson<FlattenResult>('/trading/flatten', { body: { what: 'account', account: 'Sim101' } });
    assert.equal(none.status, 'nothing_to_flatten');

    // Validated at the door.
    assert.equal((await c.control('/trading/flatten', { body: { what: 'account' } })).status, 400);
    assert.equal((await c.control('/trading/flatten', { body: { what: 'everything', extra: 1 } })).status, 400);
    assert.equal((await c.control('/trading', { token: null })).status, 401);
  } finally {
    await done();
  }
});

test('Flatten is refused while the market is closed and while the link is down; nothing is sent', async () => {
  // Wednesday 2026-11-18 15:00 UTC: Globex open; Saturday 2026-11-21: closed for the weekend.
  let t = Date.parse('2026-11-18T15:00:00Z');
  const { c, conn, done } = await tradingSetup('Closed Bot', { confirmPolicy: 'never' }, { simHours: 'cme', now: () => t });
  try {
    const buy = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, clientOrderId: 'closed-1' });
    assert.equal(buy.isError, false, buy.text);
    await until(async () => c.link.mirror.positions('Sim101').some((p) => p.marketPosition === 'Long') || undefined, 'long');
    t = Date.parse('2026-11-21T15:00:00Z');
    const r = await c.control('/trading/flatten', { body: { what: 'everything' } });
    assert.equal(r.status, 409);
    const body = (await r.json()) as { error: string; message: string };
    assert.equal(body.error, 'market_closed');
    assert.match(body.message, /closed for the weekend/);
    assert.match(body.message, /nothing was sent/);
    assert.ok(c.link.mirror.positions('Sim101').some((p) => p.marketPosition === 'Long'), 'still long');
    const audit = await c.controlJson<AuditPage>('/audit?limit=10');
    assert.ok(!audit.rows.some((x) => x.event === 'trade.submit' && x.clientId === null), 'no submit row');
    assert.ok(audit.rows.some((x) => x.event === 'trade.flatten' && x.outcome === 'refused' && /market_closed/.test(x.detail ?? '')));

    t = Date.parse('2026-11-18T16:00:00Z');
    await c.simulator!.close();
    await until(async () => c.link.state().status !== 'connected' || undefined, 'link down');
    const down = await c.control('/trading/flatten', { body: { what: 'account', account: 'Sim101' } });
    assert.equal(down.status, 409);
    assert.equal(((await down.json()) as { error: string }).error, 'addon_disconnected');
  } finally {
    await done();
  }
});

test('Grant edit: a lowered limit refuses the next order; widening read → trade is audited and lists the trade tools', async () => {
  const { c, conn, done } = await tradingSetup('Edit Bot', { confirmPolicy: 'never' });
  try {
    const clients = (await c.controlJson<{ clients: AuthorizedClient[] }>('/clients')).clients;
    const id = clients[0]!.id;
    const ok = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 3, orderType: 'LIMIT', limitPrice: 5900, clientOrderId: 'edit-1' });
    assert.equal(ok.isError, false, ok.text);
    const edited = await c.controlJson<{ client: AuthorizedClient }>(`/clients/${encodeURIComponent(id)}/grant`, { body: { limits: { maxOrderQuantity: 2 } } });
    assert.equal(edited.client.limits.maxOrderQuantity, 2);
    assert.equal(edited.client.limits.maxPositionPerInstrument, 10, 'other limits kept');
    const over = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 3, orderType: 'LIMIT', limitPrice: 5900, clientOrderId: 'edit-2' });
    assert.equal(over.code, 'limit_max_order_quantity');
    assert.match(over.text, /maximum of 2/);

    // Accounts: unknown ones refused; an empty list refused at the door.
    assert.equal((await c.control(`/clients/${encodeURIComponent(id)}/grant`, { body: { accounts: ['Live999'] } })).status, 400);
    assert.equal((await c.control(`/clients/${encodeURIComponent(id)}/grant`, { body: { accounts: [] } })).status, 400);
    assert.equal((await c.control('/clients/cli_nope/grant', { body: { limits: { maxOrderQuantity: 1 } } })).status, 404);
    await c.controlJson(`/clients/${encodeURIComponent(id)}/grant`, { body: { accounts: ['Sim101', 'Sim102'] } });
    const accts = await call(conn, 'list_accounts');
    assert.deepEqual(accts.s.accounts.map((a: { name: string }) => a.name).sort(), ['Sim101', 'Sim102']);
  } finally {
    await done();
  }
  // A read client widened to trade by the person: audited, and its session hears tools/list_changed.
  const c2 = (await import('../helpers/companion.ts')).startTestCompanion();
  const comp = await c2;
  try {
    const reader = await connectWithOAuth(comp.mcpUrl, (cid) => approveNext(comp, { scope: 'mcp:read' }, cid).then(() => {}), new HeadlessProvider('http://127.0.0.1:9001/cb', 'Reader'));
    let changed = 0;
    reader.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed++;
    });
    const before = await reader.client.listTools();
    assert.ok(!before.tools.some((x) => x.name === 'place_order'));
    const id = (await comp.controlJson<{ clients: AuthorizedClient[] }>('/clients')).clients[0]!.id;
    const r = await comp.controlJson<{ client: AuthorizedClient }>(`/clients/${encodeURIComponent(id)}/grant`, { body: { scope: 'mcp:read mcp:trade' } });
    assert.equal(r.client.scope, 'mcp:read mcp:trade');
    await reader.client.callTool({ name: 'get_status', arguments: {} });
    await until(async () => changed > 0 || undefined, 'tools/list_changed');
    const after = await reader.client.listTools();
    assert.ok(after.tools.some((x) => x.name === 'place_order'));
    const audit = await comp.controlJson<AuditPage>('/audit?limit=20');
    const row = audit.rows.find((x) => x.event === 'grant.widened');
    assert.ok(row);
    assert.match(row.detail!, /^the desktop \(control token\): scope mcp:read → mcp:read mcp:trade/);
    // Narrowed back: the next trade call is refused by scope.
    await comp.controlJson(`/clients/${encodeURIComponent(id)}/grant`, { body: { scope: 'mcp:read' } });
    assert.ok((await comp.controlJson<AuditPage>('/audit?limit=5')).rows.some((x) => x.event === 'grant.changed'));
    await reader.close();
  } finally {
    await comp.cleanup();
  }
});

test('Trading: a bracket\'s exits are labelled as its children and shown under the entry\'s client', async () => {
  const { c, conn, done } = await tradingSetup('Bracket Desk Bot', { confirmPolicy: 'never' });
  try {
    const buy = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, clientOrderId: 'brk-1', stopLoss: { ticks: 8 }, takeProfit: { ticks: 16 } });
    assert.equal(buy.isError, false, buy.text);
    const exits = await until(async () => {
      const d = await c.controlJson<TradingDesk>('/trading');
      const orders = d.accounts.find((a) => a.name === 'Sim101')?.orders ?? [];
      return orders.length === 2 && orders;
    }, 'the two exits in GET /trading');
    for (const o of exits) {
      assert.equal(o.placedBy.kind, 'mcp', `${o.name} is shown under the entry's client`);
      assert.equal(o.placedBy.label, 'Bracket Desk Bot');
      assert.equal(o.role, "Bracket child of Bracket Desk Bot's brk-1");
    }
  } finally {
    await done();
  }
});
