import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once, rig, until } from './helpers.ts';

test('malformed messages are dropped and logged; the link survives', async (t) => {
  const r = await rig();
  t.after(() => r.close());
  const a = r.addon();
  await a.connected;
  await until(() => !r.link.mirror.stale);
  const before = r.activities.filter((x) => x.kind === 'error').length;
  a.sendRaw('{not json');
  // A bad envelope (seq not a number) is dropped; a bad payload in a good envelope is skipped (nt8-fidelity tests).
  a.sendRaw({ v: 1, type: 'event', seq: 'x', event: { kind: 'quote', quote: { instrument: 'ES 12-26', bid: 'x' } } });
  a.sendRaw({ v: 1, type: 'launch_missiles' });
  a.sendRaw({ v: 1, type: 'response', id: 'c1', ok: 'maybe' });
  a.sendRaw([1, 2, 3]);
  await until(() => r.activities.filter((x) => x.kind === 'error').length >= before + 5, 3000, 'five error activities');
  const errors = r.activities.filter((x) => x.kind === 'error').slice(before).map((x) => x.message);
  assert.match(errors[0]!, /not valid JSON/);
  assert.match(errors[1]!, /invalid event message: seq: .*event\.quote\.bid/);
  assert.match(errors[2]!, /unknown message type "launch_missiles"/);
  assert.equal(r.link.state().status, 'connected');
  assert.equal(r.link.mirror.quote('ES 12-26')?.last, 6000, 'the bad quote was not applied');
  assert.ok(!r.activities.some((x) => x.kind === 'gap'), 'a dropped message does not count as seq');
  const res = await r.link.request('cancelAllOrders', { account: 'Sim101' });
  assert.deepEqual(res.cancelled, []);
});

test('heartbeats keep a live add-on connected; a silent one is dropped after deadPeerMs and reconnects', async (t) => {
  // deadPeerMs leaves room for a loaded CI machine (pongs late by a few hundred ms must not drop it).
  const r = await rig({ heartbeatIntervalMs: 50, deadPeerMs: 300 });
  t.after(() => r.close());
  const a = r.addon();
  await a.connected;
  // The behaviour is "stays up over time": elapsed time is what is observed here (> 2 × deadPeerMs).
  await new Promise((res) => setTimeout(res, 700));
  assert.equal(r.link.state().status, 'connected', 'pongs keep the link alive');
  const t0 = Date.now();
  a.silence(true);
  await until(() => r.link.state().status === 'disconnected', 2000, 'dead peer detection');
  const took = Date.now() - t0;
  // Silence counts from the last pong, which a busy CI machine can delay by 100+ ms before t0, so
  // the lower bound only says the drop came from the timeout, not from silence at once.
  assert.ok(took >= 50 && took < 2000, `dropped after ${took} ms`);
  assert.match(r.link.state().detail, /no message for/);
  assert.equal(r.link.mirror.stale, true);
  a.silence(false);
  await until(() => r.link.state().status === 'connected' && !r.link.mirror.stale, 3000, 'reconnect');
  assert.equal(a.welcomes(), 2);
});

test('after a reconnect a full snapshot replaces the mirror', async (t) => {
  const r = await rig();
  t.after(() => r.close());
  const a = r.addon();
  await a.connected;
  await until(() => !r.link.mirror.stale);
  a.dropConnection();
  await until(() => r.link.state().status === 'disconnected', 2000, 'disconnect');
  // While the link is down, NT8 keeps trading: these events are never streamed.
  const res = a.engine.handle('placeOrder', { account: 'Sim102', instrument: 'NQ', action: 'SellShort', orderType: 'Market', quantity: 2, timeInForce: 'Day', name: 'offline' });
  assert.ok(res.ok);
  const snap = once(r.link, 'snapshot');
  await until(() => r.link.state().status === 'connected', 3000, 'reconnect');
  await snap;
  assert.equal(r.link.mirror.order('Sim102', 'offline')?.state, 'Filled');
  assert.deepEqual(r.link.mirror.positions('Sim102'), a.engine.positions('Sim102'));
  // The mirror gives a 1.0-style account (no displayName) its name as displayName.
  assert.deepEqual(r.link.mirror.accounts(), a.engine.accounts().map((x) => ({ ...x, displayName: x.displayName ?? x.name })));
  assert.equal(r.link.mirror.stale, false);
});

test('a sequence gap is logged and triggers a fresh snapshot', async (t) => {
  const r = await rig();
  t.after(() => r.close());
  const a = r.addon();
  await a.connected;
  await until(() => !r.link.mirror.stale);
  let snapshots = 0;
  r.link.on('snapshot', () => snapshots++);
  a.setQuote('ES', 6001); // seq n+1: fine
  await until(() => r.link.mirror.quote('ES 12-26')?.last === 6001);
  assert.equal(snapshots, 0);
  // Events lost in transit: change the engine without streaming, then skip their seq numbers.
  const lost = a.engine.handle('placeOrder', { account: 'Sim101', instrument: 'GC', action: 'Buy', orderType: 'Market', quantity: 1, timeInForce: 'Gtc', name: 'lost' });
  assert.ok(lost.ok);
  a.skipSeq(lost.events.length);
  a.setQuote('ES', 6002);
  await until(() => snapshots === 1, 3000, 'resync snapshot');
  const gap = r.activities.find((x) => x.kind === 'gap');
  assert.ok(gap);
  assert.match(gap.message, /expected \d+, got \d+; requesting a fresh snapshot/);
  assert.equal(r.link.mirror.order('Sim101', 'lost')?.state, 'Filled', 'the snapshot brought the lost order');
  // Back in sequence afterwards.
  a.setQuote('ES', 6003);
  await until(() => r.link.mirror.quote('ES 12-26')?.last === 6003);
  assert.equal(r.activities.filter((x) => x.kind === 'gap').length, 1);
});

test('the quote stream flows into the mirror', async (t) => {
  const r = await rig();
  t.after(() => r.close());
  const a = r.addon({ quoteIntervalMs: 10 });
  await a.connected;
  await until(() => !r.link.mirror.stale);
  const before = r.link.mirror.lastUpdate!;
  let quotes = 0;
  r.link.on('event', (e: { kind: string }) => {
    if (e.kind === 'quote') quotes++;
  });
  await until(() => quotes >= 60, 3000, '60 quotes');
  assert.ok(r.link.mirror.lastUpdate! >= before);
  assert.deepEqual(r.link.mirror.quote('GC 12-26')?.instrument, 'GC 12-26');
  assert.ok(!r.activities.some((x) => x.kind === 'gap' || x.kind === 'error'));
});
