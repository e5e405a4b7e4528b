// Orders of unknown outcome in the dashboard (issue 9): the person sees each one appear by itself,
// with what is known about it, and resolves it — never placed, placed under its name, or placed as
// the NT8 order they pick — in real Chromium. The client's retry then behaves by the answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { tradingSetup } from '../helpers/companion.ts';
import { call, until } from '../helpers/tools.ts';
import type { AuditPage } from '../../src/control/contract.ts';
import { ensureRendererBuilt, launchBrowser, openDashboard, shot, type Dashboard } from './browser.ts';

let t: Awaited<ReturnType<typeof tradingSetup>>;
let browser: Browser;
let dash: Dashboard;
let page: Page;

before(async () => {
  await ensureRendererBuilt();
  t = await tradingSetup('Desk Bot', { confirmPolicy: 'never' }, { trading: { addonTimeoutMs: 300 } });
  browser = await launchBrowser();
  dash = await openDashboard(browser, t.c);
  page = dash.page;
});
after(async () => {
  await browser?.close();
  await t?.done();
});

const limitBuy = (clientOrderId: string, limitPrice = 5990) => ({ account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice, clientOrderId });
const nt8Orders = (suffix: string) => t.c.simulator!.engine.orders('Sim101').filter((o) => o.name.endsWith(`:${suffix}`));

/** The request reaches "NinjaTrader" and is not answered in time; then it is lost, or processed late. */
async function lose(clientOrderId: string, fate: 'lost' | 'late', limitPrice = 5990) {
  const sim = t.c.simulator!;
  sim.pauseResponses();
  const r = await call(t.conn, 'place_order', limitBuy(clientOrderId, limitPrice));
  assert.equal(r.code, 'outcome_unknown', r.text);
  if (fate === 'lost') sim.dropHeldRequests();
  sim.resumeResponses();
  if (fate === 'late') await until(async () => t.c.link.mirror.orders('Sim101').some((o) => o.name.endsWith(`:${clientOrderId}`)), 'the late order');
}

test('an order of unknown outcome appears by itself; "It was never placed" (confirmed) clears it and the retry sends it once', async () => {
  assert.equal(await page.getByTestId('unknown-orders').count(), 0, 'nothing shown while nothing is unknown');
  await lose('ui-lost-1', 'lost');
  const card = page.getByTestId('unknown-order-ui-lost-1');
  await card.waitFor({ timeout: 10_000 });
  assert.match(await page.getByTestId('unknown-orders').locator('h2').innerText(), /Needs you: 1 order of unknown outcome/);
  assert.match(await page.getByTestId('unknown-summary-ui-lost-1').innerText(), /^Buy 1 ES \d\d-\d\d LIMIT @ 5990\.00 DAY on Sim101\s+SIMULATED$/);
  assert.match(await page.getByTestId('unknown-client-ui-lost-1').innerText(), /^Desk Bot \(name given by the client\)$/);
  assert.match(await page.getByTestId('unknown-reason-ui-lost-1').innerText(), /Outcome unknown/);
  assert.match(await page.getByTestId('unknown-none-ui-lost-1').innerText(), /lists no order on Sim101 that could be it/);
  assert.ok(await page.getByTestId('unknown-placed-ui-lost-1').isDisabled(), 'no order to name');
  await shot(page, 'unknown-order');

  // One click is not an answer: it asks first; Cancel leaves it as it was.
  await page.getByTestId('unknown-not-placed-ui-lost-1').click();
  assert.match(await page.getByTestId('unknown-confirm-text-ui-lost-1').innerText(), /never placed\? The client’s retry with the same id will then send it/);
  await page.getByTestId('unknown-cancel-ui-lost-1').click();
  assert.equal((await t.c.controlJson<{ orders: unknown[] }>('/unknown-orders')).orders.length, 1);
  await page.getByTestId('unknown-not-placed-ui-lost-1').click();
  await page.getByTestId('unknown-confirm-ui-lost-1').click();
  await page.getByTestId('unknown-orders').waitFor({ state: 'detached' });
  assert.equal((await t.c.controlJson<{ orders: unknown[] }>('/unknown-orders')).orders.length, 0);

  const audit = (await t.c.controlJson<AuditPage>('/audit?limit=50')).rows.find((r) => r.event === 'order.resolved')!;
  assert.match(audit.detail!, /^the person at the desktop \(dashboard\): never placed: .*"ui-lost-1"/);
  const retry = await call(t.conn, 'place_order', limitBuy('ui-lost-1'));
  assert.equal(retry.isError, false, retry.text);
  assert.notEqual(retry.s.duplicate, true);
  assert.equal(nt8Orders('ui-lost-1').length, 1);
  assert.equal((await call(t.conn, 'place_order', limitBuy('ui-lost-1'))).s.duplicate, true);
  assert.equal(nt8Orders('ui-lost-1').length, 1, 'sent once');
});

test('an order NinjaTrader lists under its name: "never placed" is not offered; "It was placed" returns it to the retry', async () => {
  await lose('ui-late-2', 'late', 5985);
  await page.getByTestId('unknown-order-ui-late-2').waitFor({ timeout: 10_000 });
  const orderId = nt8Orders('ui-late-2')[0]!.orderId;
  assert.match(await page.getByTestId('unknown-found-ui-late-2').innerText(), new RegExp(`lists order ${orderId}: Buy 1 ES \\d\\d-\\d\\d Limit @ 5,?985\\.00 — Working under this order's name`));
  assert.ok(await page.getByTestId('unknown-not-placed-ui-late-2').isDisabled());
  assert.equal(await page.getByTestId('unknown-placed-ui-late-2').innerText(), `It was placed — it is ${orderId}`);
  await page.getByTestId('unknown-placed-ui-late-2').click();
  await page.getByTestId('unknown-confirm-ui-late-2').click();
  await page.getByTestId('unknown-orders').waitFor({ state: 'detached' });
  const retry = await call(t.conn, 'place_order', limitBuy('ui-late-2', 5985));
  assert.equal(retry.s.duplicate, true);
  assert.equal(retry.s.orders[0].orderId, orderId);
  assert.equal(nt8Orders('ui-late-2').length, 1, 'no duplicate');
});

test('the person picks the NT8 order it is among those that could be it; the list follows what NinjaTrader reports', async () => {
  await lose('ui-lost-3', 'lost', 5975);
  await page.getByTestId('unknown-none-ui-lost-3').waitFor({ timeout: 10_000 });
  // NinjaTrader reports orders placed by hand: one buy of the same contract (it could be it), one sell.
  const sim = t.c.simulator!;
  const es = sim.engine.contractFor('ES')!;
  const manual = (action: string, limitPrice: number, name: string) => {
    const r = sim.engine.handle('placeOrder', { account: 'Sim101', instrument: es, action, orderType: 'Limit', limitPrice, quantity: 1, timeInForce: 'Day', name }, t.c.clock.now());
    assert.ok(r.ok);
    sim.publish(r.events);
    return (r.result as { order: { orderId: string } }).order.orderId;
  };
  const buy = manual('Buy', 5975, 'Manual buy');
  const sell = manual('Sell', 6100, 'Manual sell');
  const pick = page.getByTestId(`unknown-candidate-${buy}-ui-lost-3`);
  await pick.waitFor({ timeout: 10_000 });
  assert.equal(await page.getByTestId(`unknown-candidate-${sell}-ui-lost-3`).count(), 0, 'a sell cannot be this buy');
  assert.ok(await page.getByTestId('unknown-placed-ui-lost-3').isDisabled(), 'nothing picked yet');
  await pick.check();
  assert.equal(await page.getByTestId('unknown-placed-ui-lost-3').innerText(), `It was placed — it is ${buy}`);
  await shot(page, 'unknown-order-pick');
  await page.getByTestId('unknown-placed-ui-lost-3').click();
  assert.match(await page.getByTestId('unknown-confirm-text-ui-lost-3').innerText(), new RegExp(`placed as NT8 order ${buy}\\? The client's retry will get that order`));
  await page.getByTestId('unknown-confirm-ui-lost-3').click();
  await page.getByTestId('unknown-orders').waitFor({ state: 'detached' });
  const retry = await call(t.conn, 'place_order', limitBuy('ui-lost-3', 5975));
  assert.equal(retry.s.duplicate, true);
  assert.equal(retry.s.orders[0].orderId, buy);
  assert.equal(nt8Orders('ui-lost-3').length, 0, 'nothing sent');
  assert.deepEqual(dash.errors.filter((e) => /Content Security Policy|Refused/.test(e)), []);
});
