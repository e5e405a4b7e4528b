// The add-on's link layer (addon/Protocol) as the companion sees it over a real WebSocket: the
// Mono harness dials a scripted fake companion here, so each rule of docs/addon-protocol.md and
// SPEC 1.1 that the real companion cannot provoke on demand is checked from the wire: the bearer
// secret and hello, ping → pong, heartbeats, garbage ignored, permanent refusals and a wrong secret
// not retried until the pairing file changes, already_connected retried with backoff, and a
// silent companion dropped and redialled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { buildHarness, findMcs, findMono } from '../../scripts/addon.mjs';
import { until } from '../helpers/tools.ts';

const missing = !findMcs() ? 'mcs' : !findMono() ? 'mono' : null;
const skip = missing && !process.env.CI ? `Mono's ${missing} is not installed (apt-get install mono-mcs mono-runtime); CI installs it and runs this test` : false;

interface Conn {
  ws: WebSocket;
  auth: string | undefined;
  received: Record<string, unknown>[];
  raw: string[];
  at: number;
}

interface FakeCompanion {
  url: string;
  conns: Conn[];
  /** Status to answer the next upgrades with (401 = wrong secret); null = accept. */
  rejectWith: number | null;
  onHello: (c: Conn, hello: Record<string, unknown>) => void;
  close(): Promise<void>;
}

async function fakeCompanion(): Promise<FakeCompanion> {
  const server: Server = createServer((_q, r) => r.end());
  const wss = new WebSocketServer({ noServer: true });
  const fc: FakeCompanion = {
    url: '',
    conns: [],
    rejectWith: null,
    onHello: (c) => c.ws.send(JSON.stringify({ v: 1, type: 'welcome', protocolVersion: 1, protocolMinor: 1 })),
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  server.on('upgrade', (req, socket, head) => {
    if (fc.rejectWith) {
      socket.write(`HTTP/1.1 ${fc.rejectWith} Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
      fc.conns.push({ ws: null as unknown as WebSocket, auth: req.headers.authorization, received: [], raw: [], at: performance.now() });
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const c: Conn = { ws, auth: req.headers.authorization, received: [], raw: [], at: performance.now() };
      fc.conns.push(c);
      ws.on('message', (data) => {
        const text = String(data);
        c.raw.push(text);
        const msg = JSON.parse(text) as Record<string, unknown>;
        c.received.push(msg);
        if (msg.type === 'hello') fc.onHello(c, msg);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fc.url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/addon`;
  return fc;
}

interface Harness {
  proc: ChildProcess;
  lines: string[];
  pairing: string;
  writePairing(secret: string): void;
  stop(): Promise<void>;
}

const SECRET = 'harness-link-test-secret-0123456789abcdefgh';

function startHarness(fc: FakeCompanion, extra: string[] = [], opts: { pairingLater?: boolean } = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-addon-link-'));
  // A folder that does not exist yet when the add-on starts first (as before the companion's first run).
  const pairing = join(dir, 'nt-mcp-companion', 'pairing.json');
  const writePairing = (secret: string) => {
    mkdirSync(dirname(pairing), { recursive: true });
    writeFileSync(pairing, JSON.stringify({ url: fc.url, secret, protocolVersion: 1, protocolMinor: 1 }));
  };
  if (!opts.pairingLater) writePairing(SECRET);
  const proc = spawn('mono', [buildHarness(), '--pairing-file', pairing, '--quote-interval-ms', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  proc.stdout!.on('data', (d) => {
    buf += String(d);
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  proc.stderr!.on('data', (d) => lines.push(`stderr: ${String(d)}`));
  return {
    proc,
    lines,
    pairing,
    writePairing,
    stop: async () => {
      if (proc.exitCode === null) {
        proc.kill('SIGKILL');
        await new Promise((r) => proc.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const line = (h: Harness, prefix: string) => until(async () => h.lines.find((l) => l.startsWith(prefix)), `a harness line starting "${prefix}"; got:\n${h.lines.join('\n')}`, 15_000);

test('the add-on dials with the bearer secret, says hello first (1.1, capabilities), answers ping and the snapshot request, and ignores garbage', { skip, timeout: 60_000 }, async () => {
  const fc = await fakeCompanion();
  const h = startHarness(fc, ['--heartbeat-ms', '400', '--max-message-bytes', '4096']);
  try {
    await line(h, 'connected');
    const c = fc.conns[0]!;
    assert.equal(c.auth, `Bearer ${SECRET}`);
    const hello = c.received[0]!;
    assert.equal(hello.type, 'hello', 'hello comes first');
    assert.equal(hello.v, 1);
    assert.equal(hello.protocolMinor, 1);
    assert.equal(hello.addonVersion, '1.1.0');
    assert.equal(hello.simulated, true, 'the harness has no NinjaTrader behind it');
    assert.deepEqual(hello.capabilities, ['orders', 'quotes', 'bars', 'oco', 'subscribe', 'gtd', 'mit']);
    // Garbage of every kind is ignored and the connection stays up.
    c.ws.send('not json');
    c.ws.send('{"v":1,"type":"ping"');
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    c.ws.send(JSON.stringify({ v: 1, type: 'somethingNew', x: 1 }));
    c.ws.send(JSON.stringify({ v: 1, type: 'request', id: 'big', method: 'snapshot', params: { pad: 'x'.repeat(10_000) } })); // over the cap
    c.ws.send(JSON.stringify({ v: 1, type: 'ping', extra: 'ignored' }));
    await until(async () => c.received.some((m) => m.type === 'pong'), 'pong');
    c.ws.send(JSON.stringify({ v: 1, type: 'request', id: 's1', method: 'snapshot', params: {} }));
    const snap = await until(async () => c.received.find((m) => m.type === 'snapshot'), 'snapshot');
    assert.equal(snap.id, 's1');
    assert.equal(typeof snap.seq, 'number');
    assert.deepEqual((snap.accounts as { name: string }[]).map((a) => a.name), ['Sim101', 'Sim102']);
    assert.ok(h.lines.some((l) => l.includes('Ignored a malformed message')), 'the add-on log names the malformed message');
    assert.ok(h.lines.some((l) => l.includes('larger than 4096 bytes')), 'the add-on log names the oversized message');
    assert.ok(!c.received.some((m) => m.type === 'snapshot' && m.id === 'big'), 'the oversized request was not acted on');
    // Quiet link: the add-on sends heartbeats.
    await until(async () => c.received.some((m) => m.type === 'heartbeat'), 'a heartbeat');
    assert.equal(fc.conns.length, 1, 'still the one connection');
    for (const raw of c.raw) assert.ok(!raw.includes(SECRET), 'no message carries the secret');
    assert.ok(!h.lines.some((l) => l.includes(SECRET)), 'the log never shows the secret');
  } finally {
    await h.stop();
    await fc.close();
  }
});

test('unsupported_version is not retried until the pairing file changes; then the add-on dials again', { skip, timeout: 60_000 }, async () => {
  const fc = await fakeCompanion();
  fc.onHello = (c) => {
    c.ws.send(JSON.stringify({ v: 1, type: 'refused', reason: 'unsupported_version', message: 'This companion supports add-on protocol 2.x only.' }));
    c.ws.close(1008);
  };
  const h = startHarness(fc);
  try {
    const refused = await line(h, 'refused:');
    assert.match(refused, /This companion supports add-on protocol 2\.x only\..*Not retrying/);
    await sleep(2500);
    assert.equal(fc.conns.length, 1, 'no automatic retry after unsupported_version');
    fc.onHello = (c) => c.ws.send(JSON.stringify({ v: 1, type: 'welcome', protocolVersion: 1, protocolMinor: 1 }));
    h.writePairing(`${SECRET}-new`); // the companion restarted (a new secret)
    await line(h, 'connected');
    assert.equal(fc.conns.length, 2);
    assert.equal(fc.conns[1]!.auth, `Bearer ${SECRET}-new`, 'the new secret is read before dialling');
  } finally {
    await h.stop();
    await fc.close();
  }
});

test('a wrong secret (HTTP 401) is reported and not hammered; a new pairing file connects', { skip, timeout: 60_000 }, async () => {
  const fc = await fakeCompanion();
  fc.rejectWith = 401;
  const h = startHarness(fc);
  try {
    const refused = await line(h, 'refused:');
    assert.match(refused, /wrong pairing secret/);
    assert.ok(h.lines.some((l) => l.includes('The companion refused the pairing secret (HTTP 401)')), h.lines.join('\n'));
    const attempts = fc.conns.length; // the dial plus the add-on's status probe
    await sleep(2500);
    assert.equal(fc.conns.length, attempts, 'no redial while the pairing file is unchanged');
    fc.rejectWith = null;
    h.writePairing(`${SECRET}-fresh`);
    await line(h, 'connected');
  } finally {
    await h.stop();
    await fc.close();
  }
});

test('already_connected is retried with growing, jittered delays', { skip, timeout: 60_000 }, async () => {
  const fc = await fakeCompanion();
  fc.onHello = (c) => {
    c.ws.send(JSON.stringify({ v: 1, type: 'refused', reason: 'already_connected', message: 'Another add-on is connected.' }));
    c.ws.close(1008);
  };
  const h = startHarness(fc);
  try {
    await until(async () => fc.conns.length >= 5, '5 attempts', 20_000);
    const gaps = fc.conns.slice(1, 5).map((c, i) => c.at - fc.conns[i]!.at);
    // Nominal 0.25, 0.5, 1, 2 s (±20 % jitter) plus connect time.
    assert.ok(gaps[0]! >= 190, `first retry waits about 0.25 s, got ${gaps[0]} ms`);
    assert.ok(gaps[3]! >= 1550, `the fourth waits about 2 s, got ${gaps[3]} ms`);
    assert.ok(gaps[3]! > gaps[0]! * 3, `delays grow: ${gaps.join(', ')}`);
  } finally {
    await h.stop();
    await fc.close();
  }
});

test('a companion silent past the silence limit is dropped and dialled again', { skip, timeout: 60_000 }, async () => {
  const fc = await fakeCompanion();
  const h = startHarness(fc, ['--silence-limit-ms', '1500']);
  try {
    await line(h, 'connected');
    const t0 = performance.now();
    // The fake companion says nothing after welcome (no pings).
    const dropped = await line(h, 'disconnected:');
    assert.match(dropped, /sent nothing for 1\.5 s/);
    assert.ok(performance.now() - t0 >= 1000, 'not before the limit');
    // The second socket opens before its first message arrives: wait for the message, not the socket.
    await until(async () => (fc.conns[1]?.received.length ?? 0) >= 1, 'a second connection and its first message', 15_000);
    assert.equal(fc.conns[1]!.received[0]!.type, 'hello', 'a fresh hello on the new connection');
  } finally {
    await h.stop();
    await fc.close();
  }
});

test('started before the companion, the add-on waits for the pairing file (folder not there yet) and connects when it appears', { skip, timeout: 60_000 }, async () => {
  const fc = await fakeCompanion();
  const h = startHarness(fc, [], { pairingLater: true });
  try {
    const waiting = await line(h, 'waiting:');
    assert.match(waiting, /Waiting for the pairing file at .*pairing\.json/);
    await sleep(500);
    assert.equal(fc.conns.length, 0, 'nothing dialled without a pairing file');
    h.writePairing(SECRET);
    await line(h, 'connected');
    assert.equal(fc.conns[0]!.auth, `Bearer ${SECRET}`);
  } finally {
    await h.stop();
    await fc.close();
  }
});
