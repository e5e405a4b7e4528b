// `npm run bench`: measures the companion against a bare loopback HTTP round trip measured in the
// same run, and prints medians, p99 and ratios. Numbers go to docs/performance.md. Not a test:
// nothing here passes or fails.
import { createServer, request, Agent } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCompanion, type Companion } from '../src/companion.ts';
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

    // ── sustained calls/s at concurrency 16 ──
    const total = N * 4;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < total) {
          next++;
          const res = await post(port, '/mcp', readBody, h);
          if (res.status !== 200) throw new Error(`sustained → ${res.status}`);
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    const bt0 = performance.now();
    let bnext = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (bnext < total) {
          bnext++;
          await post(barePort, '/', '{}', {});
        }
      }),
    );
    const bsecs = (performance.now() - bt0) / 1000;
    console.log(`sustained read calls, concurrency 16  ${Math.round(total / secs)} calls/s  (bare: ${Math.round(total / bsecs)} req/s)`);

    // ── quote events/s the link ingests ──
    await quoteIngest(c);
  } finally {
    await c.cleanup();
    bare.close();
    agent.destroy();
  }
}

async function quoteIngest(c: Companion) {
  const sim = c.simulator!;
  const engine = sim.engine;
  const contracts = engine.contracts();
  const batch = 50_000;
  let seen = 0;
  c.link.on('event', (e: { kind: string }) => {
    if (e.kind === 'quote') seen++;
  });
  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = () => {
    gc?.();
    return process.memoryUsage().heapUsed / 1e6;
  };
  const rounds: number[] = [];
  const heaps: number[] = [heap()];
  for (let round = 0; round < 5; round++) {
    const target = seen + batch;
    const t0 = performance.now();
    const base = 6000;
    // The simulator streams each quote as one protocol `event` message over the real WebSocket.
    for (let i = 0; i < batch; i++) {
      const cn = contracts[i % contracts.length]!;
      const px = cn.startsWith('CL') ? 70 + (i % 50) * 0.01 : cn.startsWith('GC') ? 2600 + (i % 50) * 0.1 : base + (i % 40) * 0.25;
      sim.setQuote(cn, Math.round(px * 100) / 100);
      if (i % 2000 === 0) await new Promise((r) => setImmediate(r));
    }
    while (seen < target) await new Promise((r) => setTimeout(r, 1));
    rounds.push(batch / ((performance.now() - t0) / 1000));
    heaps.push(heap());
  }
  const med = stats(rounds).p50;
  console.log(`quote events ingested (WS → mirror)  ${Math.round(med)} events/s median of ${rounds.length} rounds of ${batch}; heap MB per round: ${heaps.map((h) => h.toFixed(1)).join(' → ')}${gc ? '' : ' (run with --expose-gc for exact heap)'}`);
}

const dir = mkdtempSync(join(tmpdir(), 'ntmcp-bench-'));
main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
void startCompanion;
