// A stand-in add-on in its own process for the quote-ingest benchmark: connects with the pairing
// secret, says hello, answers the snapshot request, then streams the requested number of quote
// events as fast as the socket takes them. Kept in a separate process so the measurement is the
// companion's ingestion, not the sender's serialization.
import WebSocket from 'ws';

const [url, secret, countArg] = process.argv.slice(2);
const count = Number(countArg);
const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${secret}` } });
let seq = 0;
const contracts = ['ES 12-26', 'NQ 12-26', 'CL 01-27', 'GC 02-27', 'MES 12-26', 'MNQ 12-26'];
const send = (o) => ws.send(JSON.stringify(o));

ws.on('open', () => send({ v: 1, type: 'hello', addonVersion: 'bench', nt8Version: 'bench', simulated: true, capabilities: [] }));
ws.on('message', (data) => {
  const m = JSON.parse(data.toString());
  if (m.type === 'ping') send({ v: 1, type: 'pong' });
  if (m.type === 'request' && m.method === 'snapshot') {
    send({ v: 1, type: 'snapshot', id: m.id, seq, accounts: [], positions: [], orders: [], executions: [], quotes: [] });
    process.send?.('ready');
  }
});
process.on('message', async (msg) => {
  if (msg !== 'go') return;
  const time = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    seq++;
    const px = 6000 + (i % 40) * 0.25;
    ws.send(`{"v":1,"type":"event","seq":${seq},"event":{"kind":"quote","quote":{"instrument":"${contracts[i % 6]}","bid":${px},"ask":${px + 0.25},"last":${px},"volume":${i},"time":"${time}"}}}`);
    if (ws.bufferedAmount > 8 * 1024 * 1024) await new Promise((r) => setTimeout(r, 1));
  }
  process.send?.('sent');
});
ws.on('close', () => process.exit(0));
