// A stand-in NinjaTrader add-on in its own process (as NT8 is), for test/control/event-flood.test.ts:
// dials the companion with the pairing secret, says hello, answers the snapshot with one account,
// then, on "go" from the parent, sends `orders × 4` order events (Submitted, Accepted, Working,
// Cancelled for each order) as fast as the socket takes them, serialized beforehand.
import WebSocket from 'ws';

const [url, secret, ordersArg] = process.argv.slice(2);
const orders = Number(ordersArg);
const ACCOUNT = {
  name: 'Sim101', connection: 'Simulated', connectionStatus: 'Connected', provider: 'Simulator', simulated: true, currency: 'USD',
  items: { cashValue: 100000, buyingPower: 100000, netLiquidation: 100000, realizedPnL: 0, unrealizedPnL: 0, grossRealizedPnL: 0 },
};
const frames = [];
let seq = 0;
for (const state of ['Submitted', 'Accepted', 'Working', 'Cancelled']) {
  for (let i = 0; i < orders; i++) {
    const order = {
      orderId: `ORD-${i}`, name: `Entry${i}`, account: 'Sim101', instrument: 'ES 12-26', action: i % 2 ? 'Sell' : 'Buy',
      orderType: 'Limit', timeInForce: 'Day', quantity: 1, filled: 0, averageFillPrice: 0, limitPrice: 5000 + (i % 40) * 0.25,
      stopPrice: null, ocoId: null, state, error: null, time: '2026-11-02T15:00:00.000Z',
    };
    frames.push(JSON.stringify({ v: 1, type: 'event', seq: ++seq, event: { kind: 'order', order } }));
  }
}
const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${secret}` } });
const send = (o) => ws.send(JSON.stringify(o));
ws.on('open', () => send({ v: 1, type: 'hello', addonVersion: '1.0.0', nt8Version: '8.1.4.1', simulated: true, capabilities: ['orders'] }));
ws.on('message', (data) => {
  const m = JSON.parse(data.toString());
  if (m.type === 'ping') send({ v: 1, type: 'pong' });
  if (m.type === 'request' && m.method === 'snapshot') {
    send({ v: 1, type: 'snapshot', id: m.id, seq: 0, accounts: [ACCOUNT], positions: [], orders: [], executions: [], quotes: [] });
    process.send?.('ready');
  }
});
process.on('message', (msg) => {
  if (msg !== 'go') return;
  for (const f of frames) ws.send(f);
  ws.once('drain', () => {});
  process.send?.('sent');
});
process.on('disconnect', () => process.exit(0));
ws.on('close', () => process.exit(0));
ws.on('error', (e) => {
  console.error(`flood add-on: ${e.message}`);
  process.exit(1);
});
