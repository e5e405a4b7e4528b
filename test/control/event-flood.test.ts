// A flood of order events from the add-on must not stall the control API (issue 9, "20k order
// events from the add-on stall the control API for 3.5 s"). A fake add-on dials a real companion
// (--link addon) over a real WebSocket, answers the snapshot, and then sends 20,000 order events
// as fast as the socket takes them, while a dashboard's event stream is open and the person's
// control requests (status, the kill switch) are timed. Every event must still be applied and
// every one must leave its activity row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestCompanion } from '../helpers/companion.ts';
import type { Status } from '../../src/control/contract.ts';

const ORDERS = 5_000;
const STATES = ['Submitted', 'Accepted', 'Working', 'Cancelled'] as const;
const EVENTS = ORDERS * STATES.length; // 20,000
/** Generous for a busy 2-core CI box, far below the 3.5 s stall this guards against. */
const BOUND_MS = 750;

/** The fake add-on runs in its own process (as NT8 does): its serialization and sending are not the companion's time. */
async function floodAddon(url: string, secret: string) {
  const child = fork(fileURLToPath(new URL('./flood-addon.mjs', import.meta.url)), [url, secret, String(ORDERS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const message = (want: string) =>
    new Promise<void>((resolve, reject) => {
      const on = (m: unknown) => m === want && (child.off('message', on), resolve());
      child.on('message', on);
      child.once('exit', (code) => reject(new Error(`the fake add-on exited (${code}) before "${want}"`)));
    });
  await message('ready');
  return { go: () => (child.send('go'), message('sent')), stop: () => child.kill() };
}

/**
 * An open dashboard: reads the control event stream, counting activity rows (by their event line:
 * the dashboard is another process, so the test does not parse 20,000 rows on the companion's loop).
 */
async function dashboardStream(controlUrl: string, token: string) {
  const ctrl = new AbortController();
  const res = await fetch(`${controlUrl}/events`, { headers: { Authorization: `Bearer ${token}` }, signal: ctrl.signal });
  assert.equal(res.status, 200);
  const counts = { activityRows: 0 };
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const pump = (async () => {
    let tail = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const text = tail + value;
        counts.activityRows += text.split('event: activity\n').length - 1;
        tail = text.slice(-20); // an event line cut between two reads is counted with the next
        if (tail.includes('event: activity\n')) tail = tail.slice(tail.lastIndexOf('event: activity\n') + 16);
      }
    } catch {
      /* aborted */
    }
  })();
  return { counts, stop: async () => (ctrl.abort(), await pump) };
}

test('20,000 order events from the add-on: the control API keeps answering (status and kill switch), and every event is applied and logged', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-flood-'));
  const c = await startTestCompanion({ link: 'addon', pairingFile: join(dir, 'pairing.json'), dataDir: join(dir, 'data') });
  let addon: Awaited<ReturnType<typeof floodAddon>> | undefined;
  try {
    addon = await floodAddon(`ws://127.0.0.1:${new URL(c.origin).port}/addon`, c.pairingSecret);
    assert.equal((await c.controlJson<Status>('/status')).link.status, 'connected');
    const dashboard = await dashboardStream(c.controlUrl, c.controlToken);
    const activityBefore = (c.db.prepare('SELECT max(id) FROM activity').pluck().get() as number | null) ?? 0;
    let applied = 0;
    const onEvent = () => void applied++;
    c.link.on('event', onEvent);

    // The person's requests, timed one after another from the moment the flood starts until every
    // event has been applied: the status read the dashboard makes, and the kill switch.
    const timings: { what: string; ms: number; during: boolean }[] = [];
    const timed = async (what: string, fn: () => Promise<Response>) => {
      const during = applied > 0 && applied < EVENTS;
      const t0 = performance.now();
      const r = await fn();
      assert.equal(r.status, 200, what);
      await r.json();
      timings.push({ what, ms: performance.now() - t0, during });
    };
    const started = performance.now();
    let appliedAt = 0;
    c.link.on('event', () => applied === EVENTS && (appliedAt ||= performance.now()));
    const sent = addon.go();
    // The flood outpaces the companion (as a reconnect burst from NT8 does): hold the event loop for
    // a moment once it starts, so the socket's buffers are full and every read brings a full batch.
    while (applied === 0) await new Promise((r) => setImmediate(r));
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
    const end = Date.now() + 60_000;
    let engaged = false;
    while (applied < EVENTS && Date.now() < end) {
      await timed('GET /status', () => c.control('/status'));
      engaged = !engaged;
      await timed(`POST /kill-switch ${engaged ? 'on' : 'off'}`, () => c.control('/kill-switch', { body: { engaged } }));
    }
    await sent;
    c.link.off('event', onEvent);

    const during = timings.filter((x) => x.during);
    const worst = Math.max(...timings.map((x) => x.ms));
    t.diagnostic(`flood: ${timings.length} control requests, ${during.length} while events were being applied; worst ${worst.toFixed(0)} ms; ` +
      `median ${[...timings.map((x) => x.ms)].sort((a, b) => a - b)[Math.floor(timings.length / 2)]!.toFixed(1)} ms; all ${EVENTS} applied after ${(appliedAt - started).toFixed(0)} ms`);
    assert.ok(during.length >= 2, `the control requests were timed while the flood was applied (${JSON.stringify(timings)})`);
    assert.ok(worst < BOUND_MS, `a control request waited ${worst.toFixed(0)} ms behind the flood (bound ${BOUND_MS} ms): ${JSON.stringify(timings.map((x) => `${x.what} ${x.ms.toFixed(0)}`))}`);

    // Everything reflected: the mirror has every order in its last state, every event left its
    // activity row (in order), and the dashboard's stream carried every row.
    assert.equal(applied, EVENTS);
    const orders = c.link.mirror.orders('Sim101');
    assert.equal(orders.length, ORDERS);
    assert.ok(orders.every((o) => o.state === 'Cancelled'));
    const newest = await c.controlJson<{ rows: { message: string; account: string | null }[] }>('/activity?limit=1');
    assert.match(newest.rows[0]!.message, new RegExp(`^Order ORD-${ORDERS - 1} Sell 1 ES 12-26 Limit .* Cancelled`));
    assert.equal(newest.rows[0]!.account, 'Sim101');
    const logged = c.db.prepare("SELECT message FROM activity WHERE kind = 'order' AND id > ? ORDER BY id").pluck().all(activityBefore) as string[];
    assert.equal(logged.length, EVENTS, 'one activity row per order event');
    assert.match(logged[0]!, /^Order ORD-0 Buy .* Submitted/, 'in the order NinjaTrader reported them');
    assert.match(logged[ORDERS]!, /^Order ORD-0 Buy .* Accepted/);
    const deadline = Date.now() + 10_000;
    while (dashboard.counts.activityRows < EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(dashboard.counts.activityRows >= EVENTS, `the dashboard's stream carried ${dashboard.counts.activityRows} of ${EVENTS} activity rows`);
    await dashboard.stop();
  } finally {
    addon?.stop();
    await c.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
