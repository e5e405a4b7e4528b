// Protocol 1.1 on the companion's side of the link, driven by a hand-written fake add-on over a real
// WebSocket: minor negotiation, a 1.0 add-on never sent 1.1-only requests, events with a good envelope
// and a bad payload, and unknown enum values logged once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddonRequestError } from '../../src/ninjatrader/link.ts';
import { HELLO, rawClient, rig, until } from './helpers.ts';

const ACCOUNT = { name: 'Apex-1', connection: 'Rithmic', connectionStatus: 'Connected', provider: 'Rithmic', simulated: false, currency: 'USD', items: { cashValue: 1, buyingPower: 1, netLiquidation: 1, realizedPnL: 0, unrealizedPnL: 0 } };
const order = (orderId: string, state: string) => ({ orderId, name: '', account: 'Apex-1', instrument: 'ES 12-26', action: 'Buy', orderType: 'Limit', timeInForce: 'Day', quantity: 1, filled: 0, averageFillPrice: 0, limitPrice: 5000, stopPrice: null, ocoId: null, state, time: '2026-11-02T15:00:00.000Z' });

/** Connects, says hello, answers the first snapshot request with `state`; returns the raw client. */
async function fakeAddon(url: string, hello: Record<string, unknown>, state: Record<string, unknown> = {}) {
  const c = rawClient(url);
  await c.opened;
  c.send(hello);
  await until(() => c.messages.some((m) => m.type === 'request' && m.method === 'snapshot'), 2000, 'the snapshot request');
  const req = c.messages.find((m) => m.type === 'request' && m.method === 'snapshot')!;
  c.send({ v: 1, type: 'snapshot', id: req.id, seq: 10, accounts: [ACCOUNT], positions: [], orders: [], executions: [], quotes: [], ...state });
  return c;
}

test('a 1.0 add-on (no protocolMinor) is welcomed as 1.0 and is never sent a 1.1-only request', async (t) => {
  const r = await rig({ mode: 'addon' });
  t.after(() => r.close());
  const c = await fakeAddon(r.url, HELLO);
  await until(() => r.link.mirror.accounts().length === 1, 2000, 'the snapshot');
  const welcome = c.messages.find((m) => m.type === 'welcome')!;
  assert.equal(welcome.protocolVersion, 1);
  assert.equal(welcome.protocolMinor, 0);
  assert.equal(r.link.state().protocol, '1.0');
  assert.equal(r.link.state().protocolMinor, 0);
  const sentBefore = c.messages.filter((m) => m.type === 'request').length;
  const refusals: [string, Promise<unknown>, RegExp][] = [
    ['tick bars', r.link.request('getBars', { instrument: 'ES 12-26', period: 'tick', count: 10 }), /cannot carry bar period tick/],
    ['5-minute bars', r.link.request('getBars', { instrument: 'ES 12-26', period: 'minute', value: 5, count: 10 }), /5-minute bars/],
    ['bars by date', r.link.request('getBars', { instrument: 'ES 12-26', period: 'day', from: '2026-10-01T00:00:00Z' }), /date range/],
    ['subscribe', r.link.request('subscribeQuotes', { instruments: ['ES 12-26'] }), /subscribeQuotes/],
    ['MIT', r.link.request('placeOrder', { account: 'Apex-1', instrument: 'ES 12-26', action: 'Buy', orderType: 'MIT', quantity: 1, stopPrice: 5000, timeInForce: 'Day', name: 'mcp:0123456789ab:x' }), /order type MIT/],
    ['GTD', r.link.request('placeOrder', { account: 'Apex-1', instrument: 'ES 12-26', action: 'Buy', orderType: 'Market', quantity: 1, timeInForce: 'Gtd', gtdDate: '2026-12-01T00:00:00Z', name: 'mcp:0123456789ab:y' }), /time in force Gtd/],
  ];
  for (const [label, p, re] of refusals) {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof AddonRequestError, label);
      assert.equal(e.code, 'addon_outdated', label);
      assert.match(e.message, /speaks protocol 1\.0/, label);
      assert.match(e.message, re, label);
      assert.match(e.message, /Nothing was sent/, label);
      return true;
    });
  }
  await new Promise((res) => setTimeout(res, 50));
  assert.equal(c.messages.filter((m) => m.type === 'request').length, sentBefore, 'nothing reached the 1.0 add-on');
  // What 1.0 carries still goes out.
  const bars = r.link.request('getBars', { instrument: 'ES 12-26', period: 'minute', count: 10 });
  await until(() => c.messages.some((m) => m.method === 'getBars'), 2000, 'the 1.0 getBars request');
  const req = c.messages.find((m) => m.method === 'getBars')!;
  assert.deepEqual(req.params, { instrument: 'ES 12-26', period: 'minute', count: 10 });
  c.send({ v: 1, type: 'response', id: req.id, ok: true, result: { bars: [] } });
  assert.deepEqual(await bars, { bars: [] });
});

test('a newer minor is accepted and negotiated down to 1.1; the welcome says so', async (t) => {
  const r = await rig({ mode: 'addon' });
  t.after(() => r.close());
  const c = await fakeAddon(r.url, { ...HELLO, protocolMinor: 7, futureField: { x: 1 } });
  await until(() => r.link.state().status === 'connected', 2000, 'connected');
  assert.equal(c.messages.find((m) => m.type === 'welcome')!.protocolMinor, 1);
  assert.equal(r.link.state().protocol, '1.1');
  // 1.1 requests now go out.
  void r.link.request('subscribeQuotes', { instruments: ['NQ 12-26'] }).catch(() => {});
  await until(() => c.messages.some((m) => m.method === 'subscribeQuotes'), 2000, 'subscribeQuotes sent to a 1.1 add-on');
});

test('an event with a good envelope and a bad payload: skipped and reported, its seq counts (no gap, no resnapshot)', async (t) => {
  const r = await rig({ mode: 'addon' });
  t.after(() => r.close());
  const c = await fakeAddon(r.url, { ...HELLO, protocolMinor: 1 });
  await until(() => r.link.mirror.accounts().length === 1, 2000, 'the snapshot');
  c.send({ v: 1, type: 'event', seq: 11, event: { kind: 'order', order: { ...order('O1', 'Working'), quantity: 1.5 } } });
  c.send({ v: 1, type: 'event', seq: 12, event: { kind: 'order', order: order('O2', 'Working') } });
  await until(() => r.link.mirror.orderById('Apex-1', 'O2') !== undefined, 2000, 'the next good event');
  assert.equal(r.link.mirror.orderById('Apex-1', 'O1'), undefined, 'the bad order was not applied');
  const skipped = r.activities.filter((a) => a.kind === 'skipped');
  assert.equal(skipped.length, 1);
  assert.match(skipped[0]!.message, /^Skipped event 11 from the add-on: event\.order\.quantity: /);
  assert.ok(!r.activities.some((a) => a.kind === 'gap'), 'seq 11 counted: 12 is no gap');
  assert.equal(c.messages.filter((m) => m.method === 'snapshot').length, 1, 'no resnapshot');
});

test('an unknown enum value is kept as Unknown with its raw text and logged once per (field, value)', async (t) => {
  const r = await rig({ mode: 'addon' });
  t.after(() => r.close());
  const c = await fakeAddon(r.url, { ...HELLO, protocolMinor: 1 }, { orders: [order('O1', 'PendingRiskCheck'), order('O2', 'PendingRiskCheck')] });
  await until(() => r.link.mirror.orders().length === 2, 2000, 'the snapshot');
  const o1 = r.link.mirror.orderById('Apex-1', 'O1')!;
  assert.equal(o1.state, 'Unknown');
  assert.deepEqual(o1.unknownValues, { state: 'PendingRiskCheck' });
  // NT8 calls Unknown terminal, but a state nobody here knows may be live: it stays among working orders.
  assert.equal(r.link.mirror.orders('Apex-1', { working: true }).length, 2);
  c.send({ v: 1, type: 'event', seq: 11, event: { kind: 'order', order: order('O3', 'PendingRiskCheck') } });
  c.send({ v: 1, type: 'event', seq: 12, event: { kind: 'order', order: order('O4', 'Parked') } });
  c.send({ v: 1, type: 'event', seq: 13, event: { kind: 'connection', connection: { connection: 'Rithmic', status: 'Connected', priceStatus: 'Throttled' } } });
  await until(() => r.activities.filter((a) => a.kind === 'unknown_value').length >= 3, 2000, 'three unknown-value rows');
  await new Promise((res) => setTimeout(res, 50));
  const rows = r.activities.filter((a) => a.kind === 'unknown_value');
  assert.equal(rows.length, 3, rows.map((x) => x.message).join('\n'));
  assert.match(rows[0]!.message, /order state "PendingRiskCheck".*first seen on order O1 on Apex-1/);
  assert.equal(rows[0]!.account, 'Apex-1');
  assert.match(rows[1]!.message, /order state "Parked"/);
  assert.match(rows[2]!.message, /connection priceStatus "Throttled"/);
  const conn = r.link.state().connections;
  assert.deepEqual(conn, [{ name: 'Rithmic', status: 'Connected', priceStatus: 'Unknown (NinjaTrader said "Throttled")', accounts: ['Apex-1'] }]);
});

test('a 2.x add-on is refused, naming both versions', async (t) => {
  const r = await rig({ mode: 'addon' });
  t.after(() => r.close());
  const c = rawClient(r.url);
  await c.opened;
  c.send({ ...HELLO, v: 2, protocolMinor: 0 });
  await c.closed;
  assert.equal(c.messages[0]!.reason, 'unsupported_version');
  assert.equal(c.messages[0]!.message, 'This companion speaks add-on protocol 1.x (1.0 to 1.1); the add-on speaks 2.x. Install the add-on that matches this companion (protocol 1.1).');
});
