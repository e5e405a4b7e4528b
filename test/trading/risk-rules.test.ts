// Account risk rules (issue 11 item 3), on the simulator with a scripted price path: set only at
// the desktop (control API), enforced in the one guarded path and by the watcher on every P&L
// change. The MCP side is the real SDK client; the market moves with the simulator's setQuote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualClock } from '../../src/clock.ts';
import type { ControlEvent, RiskAccountState, RiskRules } from '../../src/control/contract.ts';
import { nextOpen } from '../../src/market/calendar.ts';
import { startTestCompanion, type TestCompanion, tradingSetup } from '../helpers/companion.ts';
import { call, until } from '../helpers/tools.ts';

// Wednesday 2026-11-18, 10:00 ET: a plain trading day (the session started Tue 18:00 ET).
const WED_10_ET = Date.parse('2026-11-18T15:00:00Z');
const RULES: RiskRules = { dailyLossLimit: null, trailingDrawdown: null, maxContractsPerInstrument: null, maxContractsTotal: null, tradingHours: null, onBreach: 'refuse' };
const LIMITS = { maxOrderQuantity: 10, maxPositionPerInstrument: 50, maxOrdersPerMinute: 1000 };

const order = (action: 'BUY' | 'SELL', quantity: number, instrument = 'ES') => ({ account: 'Sim101', instrument, action, quantity, orderType: 'MARKET' });
const held = (c: TestCompanion, root = 'ES') =>
  c.simulator!.engine.positions('Sim101').filter((p) => p.instrument.startsWith(`${root} `)).reduce((s, p) => s + (p.marketPosition === 'Short' ? -p.quantity : p.quantity), 0);

async function setRules(c: TestCompanion, rules: Partial<RiskRules>): Promise<RiskAccountState> {
  return c.controlJson<RiskAccountState>('/risk-rules/Sim101', { body: { ...RULES, ...rules } });
}

async function setup(name: string) {
  const clock = manualClock(WED_10_ET);
  const s = await tradingSetup(name, { confirmPolicy: 'never', limits: LIMITS }, { clock });
  return { ...s, clock };
}

test('daily loss (refuse): room left shown before the breach; past the limit the next place_order is refused with the room left; closing still passes', async () => {
  const { c, conn, done } = await setup('Risk Daily Loss');
  try {
    await setRules(c, { dailyLossLimit: 500 });
    assert.equal((await call(conn, 'place_order', order('BUY', 1))).isError, false);
    // A scripted path down: −$9.75 × $50 per point is about −$490 with the entry commission.
    c.simulator!.setQuote('ES', 5990.5);
    const wm = await until(async () => {
      const r = await call(conn, 'get_watermarks', { account: 'Sim101' });
      return r.s.watermarks[0].pnl < -480 ? r : undefined;
    }, 'the loss in the watermarks');
    const risk = wm.s.watermarks[0].risk as RiskAccountState;
    assert.equal(risk.rules?.dailyLossLimit, 500);
    assert.ok(risk.room.dailyLoss! > 0 && risk.room.dailyLoss! < 20, `room left ${risk.room.dailyLoss}`);
    assert.match(risk.summary, /Daily loss limit \$500: today's P&L is −\$4\d\d\.\d\d, room left \$\d+\.\d\d\./);
    const status = await call(conn, 'get_status');
    assert.equal(status.s.riskRules[0].account, 'Sim101');
    assert.match(status.text, /Risk rules \(set by the person at the desktop; no tool can change them\): Sim101: Daily loss limit \$500/);

    // Past the limit.
    c.simulator!.setQuote('ES', 5988);
    await until(async () => (await c.controlJson<{ accounts: RiskAccountState[] }>('/risk-rules')).accounts.find((a) => a.account === 'Sim101')!.breaches.length > 0, 'the breach');
    const refused = await call(conn, 'place_order', order('BUY', 1));
    assert.equal(refused.code, 'risk_daily_loss', refused.text);
    assert.match(refused.text, /Daily loss limit \$500 on Sim101: today's P&L is −\$[5-9]\d\d\.\d\d, room left \$0\.00/);
    assert.equal(held(c), 1, 'nothing new was placed');
    // Adding to the position by a different path (a reversal) is new risk too.
    assert.equal((await call(conn, 'reverse_position', { account: 'Sim101', instrument: 'ES' })).code, 'risk_daily_loss');
    // onBreach 'refuse': the position is not touched, and closing it passes.
    const close = await call(conn, 'place_order', order('SELL', 1));
    assert.equal(close.isError, false, close.text);
    await until(async () => held(c) === 0, 'the closing fill');
    const audit = (await c.controlJson<{ rows: { event: string; detail: string }[] }>('/audit?limit=200')).rows;
    assert.ok(audit.some((r) => r.event === 'risk.breach' && /Daily loss limit \$500/.test(r.detail)), 'the breach is audited');
    assert.ok(audit.some((r) => r.event === 'risk.rules'), 'the rule change is audited');
    const row = (await c.controlJson<{ rows: { tool: string | null; outcome: string; detail: string | null }[] }>('/audit?limit=200&tool=place_order&outcome=refused')).rows;
    assert.ok(row.some((r) => /risk_daily_loss/.test(r.detail ?? '')), 'the refused call is one audit row with outcome refused');
  } finally {
    await done();
  }
});

test('daily loss (flatten_and_lock): a breach with no call in flight flattens and locks the account; it unlocks at the next session', async () => {
  const { c, conn, clock, done } = await setup('Risk Lock');
  const events: ControlEvent[] = [];
  const off = c.bus.subscribe((e) => events.push(e));
  try {
    await setRules(c, { dailyLossLimit: 500, onBreach: 'flatten_and_lock' });
    assert.equal((await call(conn, 'place_order', order('BUY', 2))).isError, false);
    await until(async () => held(c) === 2, 'the entry fill');
    // Nothing in flight: only the market moves.
    c.simulator!.setQuote('ES', 5993);
    await until(async () => held(c) === 0, 'the watcher flattens the account');
    const state = (await c.controlJson<{ accounts: RiskAccountState[] }>('/risk-rules')).accounts.find((a) => a.account === 'Sim101')!;
    assert.ok(state.locked, 'locked');
    assert.equal(state.locked.code, 'risk_daily_loss');
    const nextSession = nextOpen('ES', WED_10_ET);
    assert.equal(state.locked.until, new Date(nextSession).toISOString(), 'until the next session start');
    const breach = events.find((e) => e.type === 'risk.breach');
    assert.ok(breach && breach.type === 'risk.breach' && breach.action === 'flatten_and_lock', 'the desktop is notified');
    const audit = (await c.controlJson<{ rows: { event: string; tool: string | null; detail: string; outcome: string }[] }>('/audit?limit=200')).rows;
    assert.ok(audit.some((r) => r.event === 'risk.breach'), 'audited: risk.breach');
    assert.ok(audit.some((r) => r.event === 'trade.submit' && r.tool === 'risk.flatten' && /on the person's behalf/.test(r.detail)), 'the flatten is audited as the companion acting for the person');
    assert.ok(audit.some((r) => r.event === 'trade.result' && r.tool === 'risk.flatten' && r.outcome === 'ok'));

    // Locked: the next order is refused, even after the market recovers.
    c.simulator!.setQuote('ES', 6050);
    const refused = await call(conn, 'place_order', order('BUY', 1));
    assert.equal(refused.code, 'account_locked', refused.text);
    assert.match(refused.text, /locked by its risk rules until the next session \(Wed 2026-11-18 18:00 ET\)/);
    assert.match((await call(conn, 'get_status')).text, /Sim101: LOCKED until Wed 2026-11-18 18:00 ET \(Daily loss limit \$500/);
    // Cancel and flatten still work while locked.
    assert.equal((await call(conn, 'flatten_position', { account: 'Sim101' })).isError, false);

    // The next session starts: unlocked.
    clock.set(nextSession + 60_000);
    const again = await call(conn, 'place_order', order('BUY', 1));
    assert.equal(again.isError, false, again.text);
    assert.equal((await c.controlJson<{ accounts: RiskAccountState[] }>('/risk-rules')).accounts.find((a) => a.account === 'Sim101')!.locked, null);
    assert.ok((await c.controlJson<{ rows: { event: string }[] }>('/audit?limit=200')).rows.some((r) => r.event === 'risk.unlocked'));
  } finally {
    off();
    await done();
  }
});

test('trailing drawdown from the session net-liquidation high refuses new risk', async () => {
  const { c, conn, done } = await setup('Risk Trailing');
  try {
    await setRules(c, { trailingDrawdown: 300 });
    assert.equal((await call(conn, 'place_order', order('BUY', 1))).isError, false);
    c.simulator!.setQuote('ES', 6010); // a new high (about +$490)
    await until(async () => ((await call(conn, 'get_watermarks', { account: 'Sim101' })).s.watermarks[0].unrealizedHigh as number) > 400, 'the high');
    c.simulator!.setQuote('ES', 6004); // −$300 from the high
    const refused = await until(async () => {
      const r = await call(conn, 'place_order', order('BUY', 1));
      return r.isError ? r : undefined;
    }, 'the refusal', 3000);
    assert.equal(refused.code, 'risk_trailing_drawdown', refused.text);
    assert.match(refused.text, /Trailing drawdown \$300 on Sim101: net liquidation \$[\d,.]+ is \$300\.00 below the session high of \$[\d,.]+, room left \$0\.00/);
  } finally {
    await done();
  }
});

test('max contracts per instrument: two parallel orders cannot both pass; the total counts every instrument', async () => {
  const { c, conn, done } = await setup('Risk Contracts');
  try {
    await setRules(c, { maxContractsPerInstrument: 3, maxContractsTotal: 4 });
    // NinjaTrader holds its answers: both orders are in flight at once.
    c.simulator!.pauseResponses();
    const settled = [false, false];
    const calls = [0, 1].map((i) => call(conn, 'place_order', order('BUY', 2)).finally(() => (settled[i] = true)));
    await until(async () => c.simulator!.heldRequests() + settled.filter(Boolean).length === 2, 'both sent or refused');
    c.simulator!.resumeResponses();
    const rs = await Promise.all(calls);
    const refused = rs.filter((r) => r.isError);
    assert.equal(refused.length, 1, rs.map((r) => r.text).join(' | '));
    assert.equal(refused[0]!.code, 'risk_max_contracts');
    assert.match(refused[0]!.text, /max 3 contracts per instrument; this could take ES \(all months, working and pending orders included\) from 2 to 4, room left 1/);
    await until(async () => held(c) === 2, 'one fill');
    // Within the per-instrument room, but over the total across instruments.
    const nq = await call(conn, 'place_order', order('BUY', 3, 'NQ'));
    assert.equal(nq.code, 'risk_max_contracts', nq.text);
    assert.match(nq.text, /max 4 contracts in total; this could take the account from 2 to 5 contracts/);
    assert.equal((await call(conn, 'place_order', order('BUY', 2, 'NQ'))).isError, false);
    // Reducing always passes.
    assert.equal((await call(conn, 'place_order', order('SELL', 1))).isError, false);
  } finally {
    await done();
  }
});

test('trading-hours window: new risk only inside it; closing passes outside; flatten_and_lock flattens a position held after it', async () => {
  const { c, conn, clock, done } = await setup('Risk Hours');
  try {
    await setRules(c, { tradingHours: { start: '09:30', end: '15:45' } });
    assert.equal((await call(conn, 'place_order', order('BUY', 2))).isError, false);
    clock.set(Date.parse('2026-11-18T20:50:00Z')); // 15:50 ET
    const late = await call(conn, 'place_order', order('BUY', 1));
    assert.equal(late.code, 'risk_outside_hours', late.text);
    assert.match(late.text, /new risk only between 09:30 and 15:45 ET; it is Wed 2026-11-18 15:50 ET/);
    assert.equal((await call(conn, 'place_order', order('SELL', 1))).isError, false, 'closing passes');
    await until(async () => held(c) === 1, 'the closing fill');
    // flatten_and_lock: the sweep flattens a position held outside the window.
    await setRules(c, { tradingHours: { start: '09:30', end: '15:45' }, onBreach: 'flatten_and_lock' });
    await until(async () => held(c) === 0, 'flattened after the window', 5000);
    const state = (await c.controlJson<{ accounts: RiskAccountState[] }>('/risk-rules')).accounts.find((a) => a.account === 'Sim101')!;
    assert.equal(state.locked?.code, 'risk_outside_hours');
  } finally {
    await done();
  }
});

test('no MCP tool can change a risk rule: none is listed, and the control endpoints refuse an MCP bearer token', async () => {
  const { c, conn, done } = await setup('Risk Door');
  try {
    const tools = (await conn.client.listTools()).tools;
    assert.ok(tools.length > 10);
    for (const t of tools) {
      assert.doesNotMatch(t.name, /risk|rule|lock|limit/i, `${t.name} looks like a tool about risk rules`);
      // No tool that writes takes an argument that could name a rule, a limit or a lock.
      if (t.annotations?.readOnlyHint) continue;
      const props = Object.keys((t.inputSchema as { properties?: Record<string, unknown> }).properties ?? {});
      // stopLoss is an order's own protective stop (a bracket leg), not an account rule.
      for (const p of props.filter((p) => p !== 'stopLoss')) assert.doesNotMatch(p, /risk|rule|loss|drawdown|lock|onBreach|tradingHours|maxContracts/i, `${t.name} takes "${p}"`);
    }
    const token = (await conn.provider.tokens())!.access_token;
    const r = await c.control('/risk-rules/Sim101', { body: { ...RULES, dailyLossLimit: 1 }, token });
    assert.equal(r.status, 401);
    assert.equal((await c.control('/risk-rules', { token })).status, 401);
    // With the control token: saved; invalid rules are refused with a sentence.
    const bad = await c.control('/risk-rules/Sim101', { body: { ...RULES, tradingHours: { start: '25:00', end: '10:00' } } });
    assert.equal(bad.status, 400);
    const bad2 = await c.control('/risk-rules/Sim101', { body: { ...RULES, maxContractsPerInstrument: 5, maxContractsTotal: 2 } });
    assert.equal(bad2.status, 400);
    assert.match(((await bad2.json()) as { message: string }).message, /total \(2\) is below the per-instrument maximum \(5\)/);
    const extra = await c.control('/risk-rules/Sim101', { body: { ...RULES, dailyLossLimit: 100, owner: 'model' } });
    assert.equal(extra.status, 400);
    const ok = await setRules(c, { dailyLossLimit: 250 });
    assert.equal(ok.rules?.dailyLossLimit, 250);
    // Persisted: a restart of the rules' store reads them back (the same SQLite file).
    const row = c.db.prepare('SELECT rules FROM risk_rules WHERE account = ?').pluck().get('Sim101') as string;
    assert.equal((JSON.parse(row) as RiskRules).dailyLossLimit, 250);
  } finally {
    await done();
  }
});

test('an order waiting for the person is re-checked at approval: a breach meanwhile refuses it', async () => {
  const clock = manualClock(WED_10_ET);
  const { c, conn, done } = await tradingSetup('Risk Approval', { confirmPolicy: 'always', limits: LIMITS }, { clock });
  try {
    await setRules(c, { dailyLossLimit: 500 });
    const first = call(conn, 'place_order', order('BUY', 1));
    await c.controlJson(`/confirmations/${(await c.waitForConfirmation()).id}/approve`, { method: 'POST' });
    assert.equal((await first).isError, false);
    const second = call(conn, 'place_order', order('BUY', 1));
    const pending = await c.waitForConfirmation();
    c.simulator!.setQuote('ES', 5988); // the loss passes the limit while the person decides
    await until(async () => (await c.controlJson<{ accounts: RiskAccountState[] }>('/risk-rules')).accounts.find((a) => a.account === 'Sim101')!.breaches.length > 0, 'the breach');
    await c.control(`/confirmations/${pending.id}/approve`, { method: 'POST' });
    const r = await second;
    assert.equal(r.code, 'risk_daily_loss', r.text);
    assert.equal(held(c), 1, 'nothing new was placed');
  } finally {
    await done();
  }
});

test('rules and a lock survive a restart of the companion (SQLite)', async () => {
  const clock = manualClock(WED_10_ET);
  const { c, conn } = await tradingSetup('Risk Restart', { confirmPolicy: 'never', limits: LIMITS }, { clock });
  let c2: TestCompanion | null = null;
  try {
    await setRules(c, { dailyLossLimit: 300, onBreach: 'flatten_and_lock' });
    assert.equal((await call(conn, 'place_order', order('BUY', 1))).isError, false);
    c.simulator!.setQuote('ES', 5990);
    await until(async () => (await c.controlJson<{ accounts: RiskAccountState[] }>('/risk-rules')).accounts.find((a) => a.account === 'Sim101')!.locked ?? undefined, 'the lock');
    await conn.close();
    await c.stop();
    c2 = await startTestCompanion({ dataDir: c.dir, clock });
    const after = (await c2.controlJson<{ accounts: RiskAccountState[] }>('/risk-rules')).accounts.find((a) => a.account === 'Sim101')!;
    assert.equal(after.rules?.dailyLossLimit, 300);
    assert.equal(after.locked?.code, 'risk_daily_loss');
    assert.equal(after.locked?.untilEt, 'Wed 2026-11-18 18:00 ET');
  } finally {
    await (c2 ?? c).cleanup();
  }
});
