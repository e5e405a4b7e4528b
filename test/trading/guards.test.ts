// Each trade guard, observed as an AI client and the person would: confirmation approve/deny/timeout,
// each limit, idempotent retry, kill switch, unknown outcome on add-on timeout, disconnected add-on,
// account isolation, and argument validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCompanion, type TestCompanion, tradingSetup } from '../helpers/companion.ts';
import type { ApproveConsentBody } from '../../src/control/contract.ts';
import type { CompanionOptions } from '../../src/companion.ts';
import { call, until } from '../helpers/tools.ts';

const setup = (approve: ApproveConsentBody, opts: Partial<CompanionOptions> = {}) => tradingSetup('Guard Test', approve, opts);

const market = (extra: Record<string, unknown> = {}) => ({ account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'MARKET', ...extra });
const simOrders = (c: TestCompanion) => c.simulator!.engine.orders('Sim101');

test('confirmation: deny → not placed; timeout → not placed; both audited', async () => {
  const { c, conn, done } = await setup({}, { trading: { confirmationTimeoutMs: 300 } });
  try {
    const p = call(conn, 'place_order', market());
    const conf = await c.waitForConfirmation();
    assert.equal((await c.control(`/confirmations/${conf.id}/deny`, { method: 'POST' })).status, 200);
    const r = await p;
    assert.equal(r.isError, true);
    assert.equal(r.code, 'confirmation_denied');
    assert.match(r.text, /denied/);
    const t = await call(conn, 'place_order', market());
    assert.equal(t.isError, true);
    assert.equal(t.code, 'confirmation_timeout');
    assert.match(t.text, /nobody confirmed/);
    assert.equal(simOrders(c).length, 0);
    assert.equal((await c.control('/confirmations/cnf_gone/approve', { method: 'POST' })).status, 404);
    const audit = await c.controlJson<{ rows: { event: string; detail: string }[] }>('/audit?limit=100');
    const decisions = audit.rows.filter((r) => r.event === 'trade.confirmation').map((r) => r.detail.split(':')[0]);
    assert.deepEqual(decisions.sort(), ['denied', 'expired']);
  } finally {
    await done();
  }
});

test('limits: quantity per order, net position per instrument, orders per minute — each refused with its own sentence', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'never', limits: { maxOrderQuantity: 3, maxPositionPerInstrument: 4, maxOrdersPerMinute: 3 } });
  try {
    const big = await call(conn, 'place_order', market({ quantity: 4 }));
    assert.equal(big.code, 'limit_max_order_quantity');
    assert.match(big.text, /quantity 4 exceeds this client's maximum of 3 per order/);
    assert.equal(simOrders(c).length, 0);

    assert.equal((await call(conn, 'place_order', market({ quantity: 3 }))).isError, false);
    await until(async () => c.link.mirror.positions('Sim101')[0]?.quantity === 3, 'the fill in the mirror');
    const over = await call(conn, 'place_order', market({ quantity: 2 }));
    assert.equal(over.code, 'limit_max_position');
    assert.match(over.text, /from 3 to 5 \(position 3, plus working, in-flight and pending buys of 0\); this client's maximum is 4/);
    // Reducing is always allowed by the position limit.
    assert.equal((await call(conn, 'place_order', market({ action: 'SELL', quantity: 2 }))).isError, false);
    assert.equal((await call(conn, 'place_order', market({ quantity: 1 }))).isError, false);
    const burst = await call(conn, 'place_order', market({ quantity: 1 }));
    assert.equal(burst.code, 'limit_orders_per_minute');
    assert.match(burst.text, /already sent 3 orders in the last minute/);
    assert.equal(simOrders(c).length, 3);
  } finally {
    await done();
  }
});

test('idempotent orders: a retry with the same clientOrderId returns the first result and never places again', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'never' });
  try {
    const a = await call(conn, 'place_order', market({ orderType: 'LIMIT', limitPrice: 5990, clientOrderId: 'idem-1' }));
    assert.equal(a.isError, false);
    const b = await call(conn, 'place_order', market({ orderType: 'LIMIT', limitPrice: 5990, clientOrderId: 'idem-1' }));
    assert.equal(b.isError, false);
    assert.equal(b.s.duplicate, true);
    assert.equal(b.s.orders[0].orderId, a.s.orders[0].orderId);
    assert.match(b.text, /nothing new was placed/);
    // Two parallel calls with a fresh id: exactly one order.
    const [x, y] = await Promise.all([
      call(conn, 'place_order', market({ orderType: 'LIMIT', limitPrice: 5989, clientOrderId: 'idem-2' })),
      call(conn, 'place_order', market({ orderType: 'LIMIT', limitPrice: 5989, clientOrderId: 'idem-2' })),
    ]);
    assert.ok([x, y].some((r) => !r.isError && !r.s.duplicate));
    assert.equal(simOrders(c).length, 2);
    // The request row was recorded in SQLite.
    const rows = c.db.prepare("SELECT status FROM order_requests WHERE client_order_id IN ('idem-1','idem-2')").pluck().all();
    assert.deepEqual(rows, ['placed', 'placed']);
  } finally {
    await done();
  }
});

test('kill switch: new risk refused for every client at once; cancel and flatten still work; it survives a restart', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'never' });
  try {
    assert.equal((await call(conn, 'place_order', market({ quantity: 2 }))).isError, false);
    assert.equal((await call(conn, 'place_order', market({ orderType: 'LIMIT', limitPrice: 5900 }))).isError, false);
    await c.controlJson('/kill-switch', { body: { engaged: true } });
    const refused = await call(conn, 'place_order', market());
    assert.equal(refused.code, 'kill_switch_engaged');
    assert.match(refused.text, /kill switch is engaged/);
    assert.equal((await call(conn, 'reverse_position', { account: 'Sim101', instrument: 'ES' })).code, 'kill_switch_engaged');
    const st = await call(conn, 'get_status');
    assert.equal(st.s.killSwitch.engaged, true);
    assert.match(st.text, /KILL SWITCH ENGAGED/);
    assert.equal((await call(conn, 'cancel_all_orders', { account: 'Sim101' })).isError, false);
    const fl = await call(conn, 'flatten_everything');
    assert.equal(fl.isError, false, fl.text);
    await until(async () => (await call(conn, 'list_positions', {})).s.positions.length === 0, 'flat');
    assert.equal((await call(conn, 'list_orders', {})).s.orders.length, 0);
    const dir = c.dir;
    await c.stop();
    const again = await startTestCompanion({ dataDir: dir });
    try {
      assert.equal((await again.controlJson<{ killSwitch: { engaged: boolean } }>('/status')).killSwitch.engaged, true, 'still engaged after restart');
    } finally {
      await again.cleanup();
    }
  } finally {
    await done();
  }
});

test('kill switch engaged while an order waits for confirmation refuses that order', async () => {
  const { c, conn, done } = await setup({});
  try {
    const p = call(conn, 'place_order', market());
    await c.waitForConfirmation();
    await c.controlJson('/kill-switch', { body: { engaged: true } });
    const r = await p;
    assert.equal(r.isError, true);
    assert.equal(r.code, 'kill_switch_engaged', 'the kill switch closed it, not the person');
    assert.match(r.text, /kill switch was engaged while "Buy 1 ES .*" waited for approval/);
    assert.equal(simOrders(c).length, 0);
    assert.equal((await c.controlJson<{ confirmations: unknown[] }>('/confirmations')).confirmations.length, 0);
    const rows = (await c.controlJson<{ rows: { event: string; outcome: string; detail: string }[] }>('/audit?limit=20')).rows;
    const closed = rows.find((x) => x.event === 'trade.confirmation')!;
    assert.equal(closed.outcome, 'refused');
    assert.match(closed.detail, /^closed by the kill switch: Buy 1 ES/);
  } finally {
    await done();
  }
});

test('unknown outcome: the add-on does not answer in time → outcome_unknown, never retried; the retry reconciles', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'never' }, { trading: { addonTimeoutMs: 300 } });
  try {
    c.simulator!.pauseResponses();
    const r = await call(conn, 'place_order', market({ orderType: 'LIMIT', limitPrice: 5980, clientOrderId: 'slow-1' }));
    assert.equal(r.isError, true);
    assert.equal(r.code, 'outcome_unknown');
    assert.match(r.text, /NOT retried/);
    assert.match(r.text, /slow-1/);
    c.simulator!.resumeResponses();
    // NT8 did place it in the end; the retry finds it by clientOrderId instead of placing again.
    await until(async () => c.link.mirror.orders('Sim101').find((o) => o.name.endsWith(':slow-1')), 'the late order in the mirror');
    const retry = await call(conn, 'place_order', market({ orderType: 'LIMIT', limitPrice: 5980, clientOrderId: 'slow-1' }));
    assert.equal(retry.isError, false, retry.text);
    assert.equal(retry.s.duplicate, true);
    assert.equal(retry.s.orders[0].name, 'slow-1');
    assert.equal(simOrders(c).length, 1, 'exactly one order exists');
  } finally {
    await done();
  }
});

test('the trade row is in the database before the order reaches NinjaTrader', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'never' }, { trading: { addonTimeoutMs: 2000 } });
  try {
    // Look at the database from "inside NT8": the moment the simulator receives the order.
    const engine = c.simulator!.engine;
    const original = engine.handle.bind(engine);
    const seenAtArrival: { submit: string | undefined; request: string | undefined }[] = [];
    engine.handle = ((method: string, params: unknown, now?: number) => {
      if (method === 'placeOrder') {
        seenAtArrival.push({
          submit: c.db.prepare("SELECT args FROM audit WHERE event = 'trade.submit' ORDER BY id DESC LIMIT 1").pluck().get() as string | undefined,
          request: c.db.prepare("SELECT status FROM order_requests WHERE client_order_id = 'durable-1'").pluck().get() as string | undefined,
        });
      }
      return original(method as never, params, now);
    }) as typeof engine.handle;
    const r = await call(conn, 'place_order', market({ orderType: 'LIMIT', limitPrice: 5970, clientOrderId: 'durable-1' }));
    assert.equal(r.isError, false);
    assert.equal(seenAtArrival.length, 1);
    assert.match(seenAtArrival[0]!.submit ?? '', /durable-1/, 'the submit row existed when the order arrived');
    assert.equal(seenAtArrival[0]!.request, 'pending', 'the idempotency row existed when the order arrived');
    assert.equal(c.db.prepare("SELECT status FROM order_requests WHERE client_order_id = 'durable-1'").pluck().get(), 'placed');
  } finally {
    await done();
  }
});

test('add-on disconnected: trade tools fail fast with addon_disconnected; reads say stale', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'never' });
  try {
    await c.simulator!.close();
    await until(async () => c.link.state().status !== 'connected', 'the link to notice');
    const started = Date.now();
    const r = await call(conn, 'place_order', market());
    assert.equal(r.code, 'addon_disconnected');
    assert.ok(Date.now() - started < 1000, 'no hang');
    assert.match(r.text, /NinjaTrader is not connected/);
    const pos = await call(conn, 'list_positions', {});
    assert.equal(pos.s.stale, true);
    assert.match(pos.text, /STALE/);
    const st = await call(conn, 'get_status');
    assert.notEqual(st.s.link.status, 'connected');
    assert.equal((await call(conn, 'get_bars', { instrument: 'ES' })).code, 'addon_disconnected');
  } finally {
    await done();
  }
});

test('arguments are validated at the door with a sentence; other accounts are refused by name', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'never' });
  try {
    const noPrice = await call(conn, 'place_order', market({ orderType: 'LIMIT' }));
    assert.equal(noPrice.code, 'invalid_arguments');
    assert.match(noPrice.text, /needs limitPrice/);
    const offTick = await call(conn, 'place_order', market({ orderType: 'LIMIT', limitPrice: 5990.1 }));
    assert.match(offTick.text, /not on the ES tick size 0.25/);
    const badQty = await call(conn, 'place_order', market({ quantity: 1.5 }));
    assert.equal(badQty.code, 'invalid_arguments');
    const unknown = await call(conn, 'place_order', market({ instrument: 'ZZ' }));
    assert.equal(unknown.code, 'unknown_instrument');
    const other = await call(conn, 'place_order', market({ account: 'Sim102' }));
    assert.equal(other.code, 'account_not_allowed');
    assert.match(other.text, /Allowed account: Sim101/);
    const rejected = await call(conn, 'place_order', market({ orderType: 'STOPMARKET', stopPrice: 5990 }));
    assert.equal(rejected.isError, true);
    assert.match(rejected.text, /NinjaTrader rejected it/);
    assert.equal(simOrders(c).filter((o) => o.state !== 'Rejected').length, 0);
    // Accepted symbol forms, for whatever the front month is on the day the suite runs.
    const front: string = (await call(conn, 'get_quote', { instrument: 'ES' })).s.quote.instrument; // "ES 03-27"
    const [, mm, yy] = /^ES (\d{2})-(\d{2})$/.exec(front)!;
    const code = `ES${'FGHJKMNQUVXZ'[Number(mm) - 1]}${yy}`;
    for (const instrument of ['ES', 'es', code, front]) {
      const q = await call(conn, 'get_quote', { instrument });
      assert.equal(q.isError, false, `${instrument}: ${q.text}`);
    }
  } finally {
    await done();
  }
});
