// preview_order (issue 11 item 2): the same guard pipeline place_order runs, in a dry run that
// sends, reserves, prompts and records nothing of its own; and the confirmation prompt shows the
// same facts (risk to a protective stop; a flatten's side and quantity). Real SDK client, tools
// listed first, against the simulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditPage, OrderConfirmation } from '../../src/control/contract.ts';
import { approveNext, tradingSetup, type TestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider } from '../helpers/sdk-client.ts';
import { call, until } from '../helpers/tools.ts';

const LIMITS = { maxOrderQuantity: 5, maxPositionPerInstrument: 4, maxOrdersPerMinute: 100 };
const order = (extra: Record<string, unknown> = {}) => ({ account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 2, orderType: 'MARKET', ...extra });

const audit = async (c: TestCompanion) => (await c.controlJson<AuditPage>('/audit?limit=200')).rows;
const pending = async (c: TestCompanion) => (await c.controlJson<{ confirmations: OrderConfirmation[] }>('/confirmations')).confirmations;

test('preview of an allowed order: the quote, position before/after, notional, no stop risk (and why), the person would be asked — and nothing happened', async () => {
  const { c, conn, done } = await tradingSetup('Preview Allowed', { confirmPolicy: 'always', limits: LIMITS });
  try {
    await until(async () => c.link.mirror.quote('ES 12-26') ?? c.link.mirror.allQuotes().find((q) => q.instrument.startsWith('ES')), 'ES quote');
    const before = await audit(c);
    const r = await call(conn, 'preview_order', order());
    assert.equal(r.isError, false, r.text);
    const p = r.s;
    assert.equal(p.allowed, true, r.text);
    assert.equal(p.refusal, null);
    assert.equal(p.duplicate, false);
    const q = c.link.mirror.quote(p.instrument)!;
    assert.equal(p.facts.bid, q.bid);
    assert.equal(p.facts.ask, q.ask);
    assert.equal(p.facts.positionBefore, 0);
    assert.equal(p.facts.positionAfter, 2);
    assert.equal(p.facts.notional, 2 * q.ask * 50, 'quantity × ask × ES point value $50');
    assert.equal(p.facts.risk, null);
    assert.match(p.facts.riskNote, /no protective stop/);
    assert.deepEqual(p.exposure, { root: 'ES', before: 0, after: 2, max: 4 });
    assert.equal(p.confirmation.required, true);
    assert.match(r.text, /Would be accepted/);
    // Nothing happened: no prompt, no order, one audit row (the tool call), no trade row.
    assert.deepEqual(await pending(c), []);
    assert.equal(c.link.mirror.orders('Sim101').length, 0);
    const rows = (await audit(c)).filter((row) => !before.some((b) => b.id === row.id));
    assert.deepEqual(rows.map((row) => `${row.kind} ${row.tool} ${row.outcome}`), ['tool preview_order ok']);
  } finally {
    await done();
  }
});

test('preview of a refused order names the refusal place_order gives, word for word, and leaves no prompt, order or trade audit row', async () => {
  const { c, conn, done } = await tradingSetup('Preview Refused', { confirmPolicy: 'always', limits: LIMITS });
  try {
    const before = await audit(c);
    const p = await call(conn, 'preview_order', order({ quantity: 6, clientOrderId: 'big-1' }));
    assert.equal(p.isError, false, p.text);
    assert.equal(p.s.allowed, false);
    assert.equal(p.s.confirmation.required, false);
    assert.equal(p.s.refusal.code, 'limit_max_order_quantity');
    assert.equal(p.s.refusal.check, 'limit_order_quantity');
    assert.match(p.text, /refused by the limit_order_quantity check \[limit_max_order_quantity\]/);
    assert.deepEqual(await pending(c), [], 'no prompt');
    assert.equal(c.link.mirror.orders('Sim101').length, 0, 'no order');
    const rows = (await audit(c)).filter((row) => !before.some((b) => b.id === row.id));
    assert.equal(rows.filter((row) => row.kind === 'trade').length, 0, 'no trade audit row');

    // The kill switch, too: the preview says what place_order then says.
    await c.controlJson('/kill-switch', { body: { engaged: true } });
    const k = await call(conn, 'preview_order', order({ clientOrderId: 'k-1' }));
    assert.equal(k.s.refusal.code, 'kill_switch_engaged');
    assert.equal(k.s.refusal.check, 'kill_switch');
    const placed = await call(conn, 'place_order', order({ clientOrderId: 'k-1' }));
    assert.equal(placed.code, 'kill_switch_engaged');
    assert.equal(placed.text, `[kill_switch_engaged] ${k.s.refusal.message}`, 'the same sentence');
    // And the quantity refusal, now behind the kill switch in the pipeline's order.
    const big = await call(conn, 'place_order', order({ quantity: 6, clientOrderId: 'big-1' }));
    assert.equal(big.code, 'kill_switch_engaged', 'the kill switch step comes before the limits');
  } finally {
    await done();
  }
});

test('a read-only token can call preview_order: it answers that place_order would need mcp:trade', async () => {
  const { c, conn, done } = await tradingSetup('Preview Trader', { confirmPolicy: 'never', limits: LIMITS });
  const reader = await connectWithOAuth(
    c.mcpUrl,
    (id) => approveNext(c, { scope: 'mcp:read', accounts: ['Sim101'] }, id).then(() => {}),
    new HeadlessProvider('http://127.0.0.1:9003/cb', 'Preview Reader'),
  );
  try {
    const names = (await reader.client.listTools()).tools.map((t) => t.name);
    assert.ok(names.includes('preview_order'), 'offered to a read-only client');
    assert.ok(!names.includes('place_order'), 'place_order is not');
    const r = await call(reader, 'preview_order', order());
    assert.equal(r.isError, false, r.text);
    assert.equal(r.s.allowed, false);
    assert.equal(r.s.refusal.code, 'insufficient_scope');
    assert.equal(r.s.refusal.check, 'scope');
    // The trade client's preview of the same order passes.
    assert.equal((await call(conn, 'preview_order', order())).s.allowed, true);
  } finally {
    await reader.close().catch(() => {});
    await done();
  }
});

test('previews take no rate-limit or exposure room: two previews, then the place goes through; the limits then show in the next preview', async () => {
  const { conn, done } = await tradingSetup('Preview Room', { confirmPolicy: 'never', limits: { maxOrderQuantity: 5, maxPositionPerInstrument: 2, maxOrdersPerMinute: 1 } });
  try {
    for (let i = 0; i < 2; i++) {
      const p = await call(conn, 'preview_order', order());
      assert.equal(p.s.allowed, true, p.text);
    }
    const placed = await call(conn, 'place_order', order({ clientOrderId: 'room-1' }));
    assert.equal(placed.isError, false, placed.text);
    const after = await call(conn, 'preview_order', order({ quantity: 1 }));
    assert.equal(after.s.allowed, false);
    assert.equal(after.s.refusal.code, 'limit_max_position', 'the 2 placed now count against the limit of 2');
    const sell = await call(conn, 'preview_order', order({ action: 'SELL', quantity: 1 }));
    assert.equal(sell.s.refusal.code, 'limit_orders_per_minute', 'a reducing order passes the position limit; the one order a minute is used');
    // A retry of a used clientOrderId would place nothing new.
    const dup = await call(conn, 'preview_order', order({ clientOrderId: 'room-1' }));
    assert.equal(dup.s.duplicate, true);
    assert.equal(dup.s.allowed, false);
  } finally {
    await done();
  }
});

test('the confirmation prompt shows the preview facts: risk to a protective stop in dollars, a flatten\'s side and quantity', async () => {
  const { c, conn, done } = await tradingSetup('Preview Prompt', { confirmPolicy: 'always', limits: LIMITS });
  try {
    const approveNextPrompt = async () => {
      const [conf] = await until(async () => {
        const l = await pending(c);
        return l.length ? l : undefined;
      }, 'a prompt');
      await c.control(`/confirmations/${conf!.id}/approve`, { method: 'POST' });
      return conf!;
    };
    const buy = call(conn, 'place_order', order());
    await approveNextPrompt();
    assert.equal((await buy).isError, false);
    await until(async () => c.link.mirror.positions('Sim101').some((p) => p.quantity === 2), 'long 2');

    // A protective stop under the long: the preview's risk and the prompt's are one number.
    const stop = order({ action: 'SELL', orderType: 'STOPMARKET', stopPrice: 5990 });
    const preview = await call(conn, 'preview_order', stop);
    const avg = c.link.mirror.positions('Sim101')[0]!.averagePrice;
    const ticks = Math.round((avg - 5990) / 0.25);
    assert.deepEqual(preview.s.facts.risk, { stopPrice: 5990, fromPrice: avg, ticks, dollars: ticks * 12.5 * 2, contracts: 2 });
    const placing = call(conn, 'place_order', stop);
    const conf = await approveNextPrompt();
    assert.equal(conf.estimatedRisk, ticks * 12.5 * 2);
    assert.equal(conf.facts!.risk!.ticks, ticks);
    assert.equal((await placing).isError, false);

    // Flatten: the prompt says it sells the 2 held (no more "—").
    const flatten = call(conn, 'flatten_position', { account: 'Sim101', instrument: 'ES' });
    const fconf = await approveNextPrompt();
    assert.equal(fconf.side, 'Sell');
    assert.equal(fconf.quantity, 2);
    assert.equal(fconf.facts!.positionBefore, 2);
    assert.equal(fconf.facts!.positionAfter, 0);
    assert.equal((await flatten).isError, false);
  } finally {
    await done();
  }
});
