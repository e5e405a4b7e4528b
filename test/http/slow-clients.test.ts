// Issue 9, finding 5: slow clients must not lock up the server. Real sockets against a real
// companion: hundreds of connections that send headers and part of a body (or part of the headers)
// and then stall. The kill switch must still answer at once through the control API, the OAuth door
// must refuse what is over its budget straight away, and every stalled connection must be closed by
// the server once its timeout passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startTestCompanion } from '../helpers/companion.ts';

interface Slow {
  socket: Socket;
  /** Everything the server sent back. */
  received: () => string;
  closed: Promise<void>;
}

function openSlow(port: number, head: string): Promise<Slow> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (data += d));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => {}); // a reset by the server is one way of being closed
    socket.once('connect', () => {
      socket.write(head);
      resolve({ socket, received: () => data, closed });
    });
    socket.once('error', reject);
  });
}

test('hundreds of stalled connections: the kill switch answers at once, over-budget requests are refused, stalled ones are closed after the timeout', async () => {
  const requestTimeoutMs = 1500;
  const c = await startTestCompanion({ http: { headersTimeoutMs: 1000, requestTimeoutMs, checkIntervalMs: 100 } });
  const slow: Slow[] = [];
  try {
    const port = c.urls.port;
    const host = `127.0.0.1:${port}`;
    // 300 slow bodies on the OAuth door: headers complete, 1 kB announced, 11 bytes sent.
    for (let i = 0; i < 300; i++) {
      slow.push(await openSlow(port, `POST /token HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ngrant_type=`));
    }
    // 100 slow bodies on /mcp and 100 connections that never finish their headers.
    for (let i = 0; i < 100; i++) {
      slow.push(await openSlow(port, `POST /mcp HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nAuthorization: Bearer x\r\nContent-Length: 5000\r\n\r\n{"jsonrpc":`));
    }
    for (let i = 0; i < 100; i++) slow.push(await openSlow(port, `POST /token HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `));

    // The person presses the kill switch: it must work now, not after the stalled clients give up.
    const t0 = performance.now();
    const r = await c.control('/kill-switch', { body: { engaged: true } });
    const elapsed = performance.now() - t0;
    assert.equal(r.status, 200, await r.clone().text());
    assert.deepEqual(await r.json(), { engaged: true });
    assert.ok(elapsed < 1000, `the kill switch answered in ${elapsed.toFixed(0)} ms`);
    assert.equal(c.trading.killSwitch().engaged, true);

    // The dashboard is reachable too.
    assert.equal((await fetch(`${c.origin}/`)).status, 200);

    // Every stalled connection is closed by the server: refused at once when over its door's
    // budget (503), answered at once when they lack a credential (401 at /mcp), else when the
    // request or headers timeout passes (408) — never left open.
    const allClosed = Promise.all(slow.map((s) => s.closed));
    const deadline = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), requestTimeoutMs + 5000).unref());
    assert.notEqual(await Promise.race([allClosed, deadline]), 'timeout', `${slow.filter((s) => !s.socket.closed).length} stalled connections are still open`);
    const statuses = slow.map((s) => /^HTTP\/1\.1 (\d{3})/.exec(s.received())?.[1] ?? 'none');
    const refused = statuses.filter((s) => s === '503').length;
    assert.ok(refused > 0, `over-budget requests were refused with 503 (${JSON.stringify(count(statuses))})`);
    for (const s of statuses) assert.ok(['503', '408', '401', 'none'].includes(s), `a stalled request got ${s}`);

    // And the server still serves afterwards.
    assert.equal((await c.control('/status')).status, 200);
  } finally {
    for (const s of slow) s.socket.destroy();
    await c.cleanup();
  }
});

test('an over-budget request gets its door\'s error shape and a Retry-After, and the door opens again when the slow ones are gone', async () => {
  const c = await startTestCompanion({ http: { doors: { oauth: 4 } } });
  const slow: Slow[] = [];
  try {
    const port = c.urls.port;
    for (let i = 0; i < 4; i++) {
      slow.push(await openSlow(port, `POST /revoke HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nto`));
    }
    const over = await until(async () => {
      const r = await fetch(`${c.origin}/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=x' });
      return r.status === 503 ? r : undefined;
    });
    assert.equal(over.headers.get('retry-after'), '1');
    const body = (await over.json()) as { error: string; error_description: string };
    assert.equal(body.error, 'temporarily_unavailable');
    assert.match(body.error_description, /busy/);
    // Other doors are not affected.
    assert.equal((await c.control('/status')).status, 200);
    for (const s of slow) s.socket.destroy();
    await until(async () => {
      const r = await fetch(`${c.origin}/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=x' });
      return r.status !== 503 ? r : undefined;
    });
  } finally {
    for (const s of slow) s.socket.destroy();
    await c.cleanup();
  }
});

test('past the socket cap the oldest stalled sockets are closed, never the newcomer: the kill switch gets in', async () => {
  const c = await startTestCompanion({ http: { maxSockets: 50 } });
  const slow: Slow[] = [];
  try {
    const port = c.urls.port;
    // Headers never finished: no door is known yet, and the 10 s headers timeout is far away.
    for (let i = 0; i < 120; i++) slow.push(await openSlow(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `));
    const r = await c.control('/kill-switch', { body: { engaged: true } });
    assert.equal(r.status, 200);
    // The oldest were closed to stay under the cap; the newest are still open (their timeout has not passed).
    await Promise.all(slow.slice(0, 60).map((s) => s.closed));
    assert.ok(slow.slice(-20).every((s) => !s.socket.closed), 'the newest stalled sockets are still open');
  } finally {
    for (const s of slow) s.socket.destroy();
    await c.cleanup();
  }
});

test('the add-on door has its own budget: upgrades past it are refused with 503 and the paired add-on keeps working', async () => {
  // The built-in simulator holds one upgraded socket already.
  const c = await startTestCompanion({ http: { doors: { addon: 1 } } });
  try {
    const port = c.urls.port;
    const s = await openSlow(port, `GET /addon HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    await s.closed;
    assert.match(s.received(), /^HTTP\/1\.1 503 /);
    assert.equal(c.link.state().status, 'connected');
    assert.equal((await c.control('/status')).status, 200);
  } finally {
    await c.cleanup();
  }
});

test('long-lived streams that are being served (dashboard events, MCP progress) do not use up a door: only requests still being received count', async () => {
  const c = await startTestCompanion({ http: { doors: { control: 2 } } });
  const streams: AbortController[] = [];
  try {
    // Five dashboards' event streams: each request was received in full and is being answered.
    for (let i = 0; i < 5; i++) {
      const ac = new AbortController();
      streams.push(ac);
      const r = await fetch(`${c.origin}/control/v1/events`, { headers: { Authorization: `Bearer ${c.controlToken}` }, signal: ac.signal });
      assert.equal(r.status, 200);
    }
    const r = await c.control('/kill-switch', { body: { engaged: true } });
    assert.equal(r.status, 200, await r.clone().text());
  } finally {
    for (const ac of streams) ac.abort();
    await c.cleanup();
  }
});

function count(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

async function until<T>(fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('timed out');
}
