import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LinkState } from '../../src/control/contract.ts';
import { AddonLink } from '../../src/ninjatrader/link.ts';
import { HELLO, SECRET, once, rawClient, rig, until } from './helpers.ts';

test('initial state: waiting, with a mode-specific sentence', () => {
  const sim = new AddonLink({ pairingSecret: SECRET, mode: 'simulator' });
  const addon = new AddonLink({ pairingSecret: SECRET, mode: 'addon' });
  assert.equal(addon.state().status, 'waiting');
  assert.equal(addon.state().detail, 'Waiting for the NinjaTrader add-on to connect');
  assert.equal(addon.state().simulated, false);
  assert.equal(sim.state().simulated, true);
  assert.equal(addon.mirror.stale, true);
  sim.close();
  addon.close();
});

test('the simulator add-on connects, gets welcomed, and a full snapshot fills the mirror', async (t) => {
  const r = await rig();
  t.after(() => r.close());
  const snap = once(r.link, 'snapshot');
  const a = r.addon();
  await a.connected;
  await snap;
  const s = r.link.state();
  assert.equal(s.status, 'connected');
  assert.equal(s.mode, 'simulator');
  assert.equal(s.simulated, true);
  assert.equal(s.detail, 'Connected to the built-in NT8 simulator (simulated)');
  assert.equal(s.protocolVersion, 1);
  assert.equal(s.nt8Version, 'simulator');
  assert.deepEqual(s.accounts, ['Sim101', 'Sim102']);
  assert.equal(r.link.mirror.stale, false);
  assert.equal(r.link.mirror.account('Sim101')?.provider, 'Simulator');
  assert.equal(r.link.mirror.quote('ES 12-26')?.last, 6000);
  assert.ok(r.activities.some((x) => x.kind === 'connect'));
});

test('a wrong or missing pairing secret gets a raw 401 and never reaches the handshake', async (t) => {
  const r = await rig();
  t.after(() => r.close());
  for (const headers of [{} as Record<string, string>, { Authorization: 'Bearer wrong-secret-wrong-secret-wrong' }, { Authorization: `Basic ${SECRET}` }, { Authorization: `Bearer ${SECRET}x` }]) {
    const c = rawClient(r.url, headers);
    await c.closed;
    assert.equal(c.status(), 401, JSON.stringify(headers));
    assert.equal(c.messages.length, 0);
  }
  assert.equal(r.link.state().status, 'waiting');
  assert.ok(r.activities.filter((x) => x.kind === 'refused').length >= 4);
});

test('a hello with another protocol version is refused with a clear message, then closed', async (t) => {
  const r = await rig();
  t.after(() => r.close());
  const c = rawClient(r.url);
  await c.opened;
  c.send({ ...HELLO, v: 2 });
  const closed = await c.closed;
  assert.equal(closed.code, 1008);
  assert.equal(c.messages.length, 1);
  const m = c.messages[0]!;
  assert.equal(m.type, 'refused');
  assert.equal(m.reason, 'unsupported_version');
  assert.match(String(m.message), /speaks add-on protocol 1\.x \(1\.0 to 1\.1\); the add-on speaks 2\.x/);
  assert.equal(r.link.state().status, 'waiting');
  // The slot is free again: a correct add-on connects afterwards.
  const a = r.addon();
  await a.connected;
  assert.equal(r.link.state().status, 'connected');
});

test('anything but hello first is refused; an invalid hello is refused; silence times out', async (t) => {
  const r = await rig({ helloTimeoutMs: 100 });
  t.after(() => r.close());
  const first = rawClient(r.url);
  await first.opened;
  first.send({ v: 1, type: 'pong' });
  await first.closed;
  assert.equal(first.messages[0]?.reason, 'hello_expected');

  const bad = rawClient(r.url);
  await bad.opened;
  bad.send({ ...HELLO, simulated: 'yes' });
  await bad.closed;
  assert.equal(bad.messages[0]?.reason, 'invalid_hello');
  assert.match(String(bad.messages[0]?.message), /simulated/);

  const mute = rawClient(r.url);
  await mute.opened;
  await mute.closed;
  assert.equal(mute.messages[0]?.reason, 'hello_timeout');
});

test('only one add-on at a time: a second one is refused with already_connected', async (t) => {
  const r = await rig();
  t.after(() => r.close());
  const a = r.addon();
  await a.connected;
  const second = rawClient(r.url);
  await second.opened;
  const closed = await second.closed;
  assert.equal(closed.code, 1008);
  assert.equal(second.messages[0]?.type, 'refused');
  assert.equal(second.messages[0]?.reason, 'already_connected');
  assert.equal(r.link.state().status, 'connected');
  assert.ok(a.isConnected());
});

test('state events fire on connect and on disconnect; the mirror turns stale', async (t) => {
  const r = await rig();
  t.after(() => r.close());
  const seen: LinkState[] = [];
  r.link.on('state', (s: LinkState) => seen.push(s));
  const a = r.addon({ reconnectMinMs: 10_000 });
  await a.connected;
  await until(() => !r.link.mirror.stale, 3000, 'snapshot');
  await a.close();
  await until(() => r.link.state().status === 'disconnected', 3000, 'disconnect');
  assert.equal(r.link.mirror.stale, true);
  assert.equal(r.link.mirror.accounts().length, 2, 'data kept while stale');
  assert.deepEqual([...new Set(seen.map((s) => s.status))], ['connected', 'disconnected']);
  assert.match(r.link.state().detail, /disconnected .*waiting for it to reconnect/);
});
