// A hand-written fake NT8 add-on for tests: dials a real companion over a real WebSocket with the
// pairing secret, says hello as protocol 1.1 (capabilities of the real add-on), answers the snapshot
// request with the state it is given, and answers other requests through `answer`.
import WebSocket from 'ws';

export type Answer = { ok: true; result: unknown } | { ok: false; code: string; message: string };

export interface FakeNt8 {
  ws: WebSocket;
  /** Every request received, in order. */
  requests: { method: string; params: Record<string, unknown> }[];
  /** Sends one domain event with the next seq. */
  event(event: Record<string, unknown>): void;
  close(): void;
}

export function fakeNt8(
  url: string,
  secret: string,
  snapshot: Record<string, unknown>,
  answer: (method: string, params: Record<string, unknown>, fake: FakeNt8) => Answer | undefined = () => undefined,
  hello: Record<string, unknown> = {},
): FakeNt8 {
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${secret}` } });
  let seq = 40;
  const send = (m: unknown) => ws.send(JSON.stringify(m));
  const fake: FakeNt8 = {
    ws,
    requests: [],
    event: (event) => send({ v: 1, type: 'event', seq: ++seq, event }),
    close: () => ws.terminate(),
  };
  ws.on('open', () => send({ v: 1, type: 'hello', protocolMinor: 1, addonVersion: '1.1.0', nt8Version: '8.1.5.2', simulated: false, capabilities: ['orders', 'quotes', 'bars', 'oco', 'subscribe', 'gtd', 'mit'], ...hello }));
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as { type: string; id: string; method: string; params: Record<string, unknown> };
    if (m.type === 'ping') return send({ v: 1, type: 'pong' });
    if (m.type !== 'request') return;
    fake.requests.push({ method: m.method, params: m.params });
    if (m.method === 'snapshot') return send({ v: 1, type: 'snapshot', id: m.id, seq, accounts: [], positions: [], orders: [], executions: [], quotes: [], ...snapshot });
    const a = answer(m.method, m.params, fake) ?? { ok: false, code: 'invalid_request', message: `${m.method} is not part of this test` };
    send(a.ok ? { v: 1, type: 'response', id: m.id, ok: true, result: a.result } : { v: 1, type: 'response', id: m.id, ok: false, error: { code: a.code, message: a.message } });
  });
  ws.on('error', () => {});
  return fake;
}
