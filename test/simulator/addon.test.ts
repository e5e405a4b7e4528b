// The simulator add-on on the wire (protocol 1.1), against a bare companion-side WebSocket server:
// what its hello advertises, that it records the negotiated minor, and that 1.1 requests
// (getBars with the new periods, subscribeQuotes, placeOrder MIT/Gtd) come back valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { startSimulatorAddon } from '../../src/simulator/addon.ts';
import { manualClock } from '../../src/clock.ts';
import { HelloMessage, methods, parseAddonMessage, type AddonMessage } from '../../src/ninjatrader/protocol.ts';

const T0 = Date.UTC(2026, 10, 2, 15, 0, 0); // Monday 10:00 New York

interface Peer {
  socket: WebSocket;
  messages: AddonMessage[];
  next(pred: (m: AddonMessage) => boolean): Promise<AddonMessage>;
}

async function companion() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const close = () => new Promise<void>((r) => {
    for (const c of wss.clients) c.terminate();
    wss.close(() => r());
  });
  const peer = new Promise<Peer>((resolve) => {
    wss.once('connection', (socket, req) => {
      assert.equal(req.headers.authorization, 'Bearer s3cret');
      const messages: AddonMessage[] = [];
      const waiters: { pred: (m: AddonMessage) => boolean; resolve: (m: AddonMessage) => void }[] = [];
      socket.on('message', (data) => {
        const parsed = parseAddonMessage(JSON.parse(data.toString()));
        assert.ok(parsed.ok, `the add-on sent an invalid message: ${!parsed.ok && parsed.error}`);
        messages.push(parsed.message);
        for (const w of [...waiters]) {
          if (w.pred(parsed.message)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(parsed.message);
          }
        }
      });
      resolve({
        socket,
        messages,
        next: (pred) => {
          const seen = messages.find(pred);
          if (seen) return Promise.resolve(seen);
          return new Promise((res) => waiters.push({ pred, resolve: res }));
        },
      });
    });
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/addon`, peer, close };
}

function request(p: Peer, id: string, method: string, params: unknown): Promise<AddonMessage> {
  p.socket.send(JSON.stringify({ v: 1, type: 'request', id, method, params }));
  return p.next((m) => m.type === 'response' && m.id === id);
}

test('the simulator add-on says hello as a 1.1 add-on and answers 1.1 requests over a real WebSocket', async (t) => {
  const { url, peer, close } = await companion();
  const clock = manualClock(T0);
  const addon = startSimulatorAddon({ url, secret: 's3cret', seed: 3, quoteIntervalMs: 0, now: clock.now });
  t.after(async () => {
    await addon.close();
    await close();
  });
  const p = await peer;
  const hello = HelloMessage.parse(await p.next((m) => m.type === 'hello'));
  assert.equal(hello.protocolMinor, 1);
  assert.deepEqual(hello.capabilities, ['orders', 'quotes', 'bars', 'oco', 'subscribe', 'gtd', 'mit', 'brackets', 'atm']);
  assert.equal(hello.simulated, true);
  assert.equal(addon.negotiatedMinor(), null, 'nothing negotiated before the welcome');
  p.socket.send(JSON.stringify({ v: 1, type: 'welcome', protocolVersion: 1, protocolMinor: 1 }));
  await addon.connected;
  assert.equal(addon.negotiatedMinor(), 1);

  const bars = await request(p, 'b1', 'getBars', { instrument: 'ES', period: 'range', value: 8, count: 20, tradingHours: 'CME US Index Futures ETH' });
  assert.ok(bars.type === 'response' && bars.ok, JSON.stringify(bars));
  const result = methods.getBars.result.parse(bars.result);
  assert.equal(result.bars.length, 20);
  assert.equal(result.tradingHours, 'CME US Index Futures ETH');
  const badHours = await request(p, 'b2', 'getBars', { instrument: 'ES', period: 'minute', count: 20, tradingHours: 'Tokyo' });
  assert.ok(badHours.type === 'response' && !badHours.ok);
  assert.equal(badHours.error.code, 'invalid_request');
  assert.match(badHours.error.message, /Unknown trading hours template 'Tokyo'\. The simulator knows: CME US Index Futures ETH/);

  const sub = await request(p, 's1', 'subscribeQuotes', { instruments: ['ES', 'NQ 12-26'] });
  assert.ok(sub.type === 'response' && sub.ok);
  assert.deepEqual(methods.subscribeQuotes.result.parse(sub.result), { subscribed: ['ES 12-26', 'NQ 12-26'] });

  // A Gtd MIT order: its events come before the response, with consecutive sequence numbers.
  const placed = await request(p, 'o1', 'placeOrder', {
    account: 'Sim101', instrument: 'ES', action: 'Sell', orderType: 'MIT', stopPrice: 6010, quantity: 1,
    timeInForce: 'Gtd', gtdDate: '2026-11-02T16:00:00Z', name: 'mcp:0123456789ab:exit-1',
  });
  assert.ok(placed.type === 'response' && placed.ok);
  const order = methods.placeOrder.result.parse(placed.result).order;
  assert.deepEqual([order.state, order.orderType, order.timeInForce, order.gtdDate], ['TriggerPending', 'MIT', 'Gtd', '2026-11-02T16:00:00.000Z']);
  const orderEvents = p.messages.flatMap((m) => (m.type === 'event' && m.event.kind === 'order' ? [m] : []));
  assert.deepEqual(orderEvents.map((m) => m.type === 'event' && m.event.kind === 'order' && m.event.order.state), ['Submitted', 'Accepted', 'TriggerPending']);
  const seqs = p.messages.flatMap((m) => (m.type === 'event' ? [m.seq] : []));
  assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i), 'sequence numbers without a gap');
  // The clock passes the gtdDate: the next tick streams the expiry.
  clock.set(Date.UTC(2026, 10, 2, 16, 0));
  addon.tick();
  const expired = await p.next((m) => m.type === 'event' && m.event.kind === 'order' && m.event.order.state === 'Cancelled');
  assert.ok(expired.type === 'event' && expired.event.kind === 'order');
  assert.match(expired.event.order.error ?? '', /good-till-date 2026-11-02T16:00:00.000Z was reached/);
});

test('a companion that names no minor (1.0) is recorded as minor 0', async (t) => {
  const { url, peer, close } = await companion();
  const addon = startSimulatorAddon({ url, secret: 's3cret', quoteIntervalMs: 0, now: () => T0 });
  t.after(async () => {
    await addon.close();
    await close();
  });
  const p = await peer;
  await p.next((m) => m.type === 'hello');
  p.socket.send(JSON.stringify({ v: 1, type: 'welcome', protocolVersion: 1 }));
  await addon.connected;
  assert.equal(addon.negotiatedMinor(), 0);
});
