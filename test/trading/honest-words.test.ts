// Issue 9, item 10 (trading part): what the person and the client are told must be what happened.
// A prompt closed by the kill switch is not "denied by the person"; a link that drops at once is not
// "did not answer within 5 s"; the modify prompt shows instrument, side and the current quantity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tradingSetup } from '../helpers/companion.ts';
import type { ApproveConsentBody, ControlEvent } from '../../src/control/contract.ts';
import type { CompanionOptions } from '../../src/companion.ts';
import { call, until } from '../helpers/tools.ts';

const setup = (approve: ApproveConsentBody, opts: Partial<CompanionOptions> = {}) => tradingSetup('Words Test', approve, opts);

test('a prompt closed by the kill switch is reported as closed by the kill switch, never as denied by the person', async () => {
  const { c, conn, done } = await setup({});
  const events: ControlEvent[] = [];
  const off = c.bus.subscribe((e) => events.push(e));
  try {
    const p = call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1 });
    const conf = await c.waitForConfirmation();
    await c.controlJson('/kill-switch', { body: { engaged: true } });
    const r = await p;
    assert.equal(r.code, 'kill_switch_engaged');
    assert.doesNotMatch(r.text, /denied/);
    const decided = events.find((e) => e.type === 'confirmation.decided' && e.id === conf.id) as Extract<ControlEvent, { type: 'confirmation.decided' }>;
    assert.equal(decided.decision, 'kill_switch', 'the dashboard is told the kill switch closed it');
  } finally {
    off();
    await done();
  }
});

test('a link that drops at once is reported as a dropped link, not as "did not answer within 5 s"', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'never' }, { trading: { addonTimeoutMs: 5000 } });
  try {
    c.simulator!.pauseResponses();
    const p = call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice: 5990, clientOrderId: 'drop-1' });
    await until(async () => c.simulator!.heldRequests() === 1, 'the request at the add-on');
    const t0 = Date.now();
    c.simulator!.dropHeldRequests();
    c.simulator!.dropConnection();
    const r = await p;
    assert.ok(Date.now() - t0 < 3000, 'answered at once, not after the timeout');
    assert.equal(r.code, 'outcome_unknown');
    assert.doesNotMatch(r.text, /within/);
    assert.match(r.text, /link to NinjaTrader dropped/);
    assert.match(r.text, /NOT retried/);
  } finally {
    await done();
  }
});

test('the modify prompt shows the instrument, the side, and the current quantity and prices next to the new ones', async () => {
  const { c, conn, done } = await setup({ confirmPolicy: 'always' });
  try {
    const place = call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 2, orderType: 'LIMIT', limitPrice: 5900 });
    await c.controlJson(`/confirmations/${(await c.waitForConfirmation()).id}/approve`, { body: {} });
    const placed = await place;
    const orderId = placed.s.orders[0].orderId as string;
    const modify = call(conn, 'modify_order', { account: 'Sim101', orderId, quantity: 3, limitPrice: 5905 });
    const conf = await c.waitForConfirmation();
    assert.match(conf.instrument ?? '', /^ES /);
    assert.equal(conf.side, 'Buy');
    assert.equal(conf.quantity, 3);
    assert.equal(conf.orderType, 'Limit');
    assert.deepEqual(conf.current, { quantity: 2, filled: 0, limitPrice: 5900, stopPrice: null });
    assert.match(conf.summary, /Buy .*ES .*qty 2 → 3.*limit 5900\.00 → 5905\.00/);
    await c.controlJson(`/confirmations/${conf.id}/deny`, { body: {} });
    assert.equal((await modify).code, 'confirmation_denied');
  } finally {
    await done();
  }
});

test('a stop-limit prompt shows no "estimated risk": the stop-limit band is slippage room, not a loss cap', async () => {
  const { c, conn, done } = await setup({});
  try {
    const p = call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 2, orderType: 'STOPLIMIT', stopPrice: 6010, limitPrice: 6011, clientOrderId: 'sl-1' });
    const conf = await c.waitForConfirmation();
    assert.equal(conf.estimatedRisk, null, 'before: $100 (1 point × $50 × 2) shown as risk');
    await c.controlJson(`/confirmations/${conf.id}/deny`, { method: 'POST' });
    assert.equal((await p).code, 'confirmation_denied');
  } finally {
    await done();
  }
});
