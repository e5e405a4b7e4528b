// `npm run bench`: measures the companion against a bare loopback HTTP round trip measured in the
// same run, and prints medians, p99 and ratios. Numbers go to docs/performance.md. Not a test:
// nothing here passes or fails.
import { createServer, request, Agent } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startCompanion } from '../src/companion.ts';
import { authorizeRaw, INIT } from '../test/helpers/companion.ts';
import { startTestCompanion } from '../test/helpers/companion.ts';

const N = Number(process.env.BENCH_N ?? 2000);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(port: number, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: q(0.5), p99: q(0.99), n: s.length };
}

async function time(n: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  for (let i = 0; i < Math.min(200, n); i++) await fn(i); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

async function main() {
  console.log(`NT MCP Companion benchmark — Node ${process.version}, ${N} samples per measure\n`);
  if (process.env.BENCH_ONLY === 'quotes') {
    await quoteIngest();
    return;
  }

  // ── baseline: bare loopback HTTP round trip (same client, same agent) ──
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"jsonrpc":"2.0","id":1,"result":{}}');
    });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  const barePort = (bare.address() as { port: number }).port;
  const baseline = stats(await time(N, async () => void (await post(barePort, '/', '{"jsonrpc":"2.0","id":1,"method":"ping"}', {}))));
  console.log(`bare loopback HTTP round trip        p50 ${fmt(baseline.p50)}  p99 ${fmt(baseline.p99)}`);

  const c = await startTestCompanion({ quoteIntervalMs: 0 });
  try {
    const port = c.urls.port;
    const { tokens } = await authorizeRaw(c, { scope: 'mcp:trade', approve: { scope: 'mcp:read mcp:trade', confirmPolicy: 'never', accounts: ['Sim101'], limits: { maxOrderQuantity: 1, maxPositionPerInstrument: 1, maxOrdersPerMinute: 1000 } } });
    const init = await post(port, '/mcp', JSON.stringify(INIT), { Authorization: `Bearer ${tokens.access_token}`, Accept: 'application/json, text/event-stream' });
    if (init.status !== 200) throw new Error(`initialize → ${init.status} ${init.text}`);
    // The session id comes back in a header; fetch it with a second initialize through fetch.
    const r = await fetch(c.mcpUrl, { method: 'POST', headers: { Authorization: `Bearer ${tokens.access_token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: JSON.stringify(INIT) });
    const sid = r.headers.get('mcp-session-id')!;
    await r.text();
    const h = { Authorization: `Bearer ${tokens.access_token}`, Accept: 'application/json, text/event-stream', 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
    const callBody = (name: string, args: unknown, id = 1) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

    // ── an authorized, audited read tool call ──
    const readBody = callBody('list_positions', {});
    const read = stats(await time(N, async () => {
      const res = await post(port, '/mcp', readBody, h);
      if (res.status !== 200) throw new Error(`read → ${res.status}`);
    }));
    console.log(`authorized, audited read tool call   p50 ${fmt(read.p50)}  p99 ${fmt(read.p99)}  ratio ${(read.p50 / baseline.p50).toFixed(2)}× bare`);

    // ── place_order through the simulator, confirmation off ──
    c.simulator!.setQuote('ES', 6000);
    const nOrders = Math.min(N, 900);
    let k = 0;
    const place = stats(await time(nOrders, async () => {
      const res = await post(port, '/mcp', callBody('place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice: 5000, clientOrderId: `b-${k++}` }), h);
      if (res.status !== 200 || res.text.includes('"isError":true')) throw new Error(`place → ${res.status} ${res.text.slice(0, 300)}`);
      // Keep the per-minute limit out of the measurement.
      if (k % 800 === 0) (c.trading as unknown as { sent: Map<string, number[]> }).sent.clear();
    }).catch((e) => {
      throw e;
    }));
    console.log(`place_order round trip (sim, no conf) p50 ${fmt(place.p50)}  p99 ${fmt(place.p99)}  ratio ${(place.p50 / baseline.p50).toFixed(2)}× bare  (n=${place.n})`);

    // ── sustained calls/s at concurrency 16 (load generator in its own process) ──
    const total = N * 4;
    const load = (p: number, path: string, headers: Record<string, string>, body: string) =>
      new Promise<{ secs: number; failed: number }>((resolve, reject) => {
        const child = spawn(process.execPath, [fileURLToPath(new URL('./load-client.mjs', import.meta.url)), String(p), path, JSON.stringify(headers), body, '16', String(total)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load client exited ${code}`))));
      });
    const mine = await load(port, '/mcp', h, readBody);
    const theirs = await load(barePort, '/', {}, '{"jsonrpc":"2.0","id":1,"method":"ping"}');
    if (mine.failed) throw new Error(`${mine.failed} sustained calls failed`);
    console.log(`sustained read calls, concurrency 16  ${Math.round(total / mine.secs)} calls/s  (bare: ${Math.round(total / theirs.secs)} req/s; load generator in its own process)`);
  } finally {
    await c.cleanup();
    bare.close();
    agent.destroy();
  }
  // ── quote events/s the link ingests ──
  await quoteIngest();
}

/**
 * Quote ingest: a stand-in add-on in a child process (bench/quote-sender.mjs) streams quote events
 * over the real WebSocket; we time how fast the link validates them and applies them to the mirror,
 * and watch the heap for growth across rounds.
 */
async function quoteIngest() {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-bench-q-'));
  const c = await startCompanion({ dataDir: dir, port: 0, link: 'addon', pairingFile: join(dir, 'pairing.json') });
  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = () => {
    gc?.();
    return process.memoryUsage().heapUsed / 1e6;
  };
  let seen = 0;
  c.link.on('event', (e: { kind: string }) => {
    if (e.kind === 'quote') seen++;
  });
  const rates: number[] = [];
  const heaps: number[] = [];
  try {
    for (let round = 0; round < 5; round++) {
      const batch = 100_000;
      const child = fork(fileURLToPath(new URL('./quote-sender.mjs', import.meta.url)), [`ws://127.0.0.1:${c.urls.port}/addon`, c.pairingSecret, String(batch)], { stdio: 'inherit' });
      await new Promise<void>((r) => child.once('message', () => r()));
      while (c.link.state().status !== 'connected') await new Promise((r) => setTimeout(r, 5));
      heaps.push(heap());
      const start = seen;
      const t0 = performance.now();
      child.send('go');
      while (seen - start < batch) await new Promise((r) => setTimeout(r, 1));
      rates.push(batch / ((performance.now() - t0) / 1000));
      child.kill();
      await new Promise((r) => child.once('exit', r));
      while (c.link.state().status === 'connected') await new Promise((r) => setTimeout(r, 5));
    }
    heaps.push(heap());
  } finally {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`quote events ingested (WS → mirror)  ${Math.round(stats(rates).p50)} events/s median of ${rates.length} rounds of 100000 (sender in its own process); heap MB between rounds: ${heaps.map((h) => h.toFixed(1)).join(' → ')}${gc ? '' : ' (run with --expose-gc for exact heap)'}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
