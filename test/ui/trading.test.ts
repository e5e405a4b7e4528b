// Acceptance (issue 11 item 4): the Trading view shows a client's position and its live P&L chart
// (lightweight-charts' canvas, redrawn as the market moves); the person's Flatten click, after its
// confirm step, closes the position (gone in the mirror and the UI; the audit row names the
// person); a closed market is refused with the calendar's sentence shown in the page.
// Screenshots of the view in light and dark (test-artifacts/trading-*.png → docs/screenshots/).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { AuditPage } from '../../src/control/contract.ts';
import { tradingSetup } from '../helpers/companion.ts';
import { call } from '../helpers/tools.ts';
import { ensureRendererBuilt, launchBrowser, openDashboard, shot, until } from './browser.ts';

let browser: Browser;

before(async () => {
  await ensureRendererBuilt();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** The chart's main pane as a data URL: changes when lightweight-charts redraws the line. */
const paneImage = (page: Page, account: string) =>
  page.locator(`[data-testid="pnl-chart"][data-account="${account}"]`).evaluate((el) => {
    const canvases = Array.from(el.querySelectorAll('canvas'));
    const biggest = canvases.sort((a, b) => b.width * b.height - a.width * a.height)[0];
    return biggest ? biggest.toDataURL() : '';
  });

test('Trading view: a client position and its live P&L chart; Flatten (confirm step) closes it as the person', async () => {
  const { c, conn, done } = await tradingSetup('Trading Bot', { confirmPolicy: 'never' });
  try {
    const buy = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 2, clientOrderId: 'ui-entry' });
    assert.equal(buy.isError, false, buy.text);
    const tp = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'SELL', quantity: 2, orderType: 'LIMIT', limitPrice: 6020, clientOrderId: 'ui-target' });
    assert.equal(tp.isError, false, tp.text);
    const contract: string = buy.s.orders[0].instrument;

    const dash = await openDashboard(browser, c);
    const page = dash.page;
    await page.getByTestId('tab-trading').click();
    const card = page.locator('[data-testid="trading-account"][data-account="Sim101"]');
    const row = card.locator(`[data-testid="position-row"][data-instrument="${contract}"]`);
    await row.waitFor({ timeout: 10_000 });
    const text = await row.innerText();
    assert.match(text, new RegExp(contract));
    assert.match(text, /Long/);
    assert.match(text, /\b2\b/);
    assert.match(text, /6,000\.\d\d/);
    assert.match(text, /\$/, 'money in the account currency (USD)');
    const order = card.getByTestId('order-row').first();
    assert.match(await order.innerText(), /Trading Bot/);
    assert.match(await order.innerText(), /ui-target/);
    assert.match(await card.getByTestId('executions-table').innerText(), /Trading Bot/);

    // The chart is lightweight-charts' canvas, and it redraws as the P&L moves.
    const chart = card.getByTestId('pnl-chart');
    await chart.locator('canvas').first().waitFor();
    assert.ok((await chart.locator('canvas').count()) >= 1);
    const img0 = await paneImage(page, 'Sim101');
    const pnl0 = await chart.getAttribute('data-last-pnl');
    for (const px of [6004, 6008, 6012]) {
      c.simulator!.setQuote('ES', px);
      await new Promise((r) => setTimeout(r, 600));
    }
    await until(async () => {
      const v = Number(await chart.getAttribute('data-last-pnl'));
      return v > 0 && String(v) !== pnl0 ? v : undefined;
    }, 'a live positive P&L point');
    await until(async () => ((await paneImage(page, 'Sim101')) !== img0 ? true : undefined), 'the chart redrawn');
    assert.match(await card.getByTestId('stat-pnl').innerText(), /\$/);
    assert.match(await row.getByTestId('position-pnl').innerText(), /^\$1,1\d\d\.\d\d$/, 'unrealized ≈ 12 points × $50 × 2, less the spread paid at entry');

    // The person's risk rules are drawn against the P&L: set at the desktop, they appear at once.
    const rules = { dailyLossLimit: 500, trailingDrawdown: 2000, maxContractsPerInstrument: null, maxContractsTotal: null, tradingHours: null, onBreach: 'refuse' };
    assert.equal((await c.control('/risk-rules/Sim101', { body: rules })).status, 200);
    const limits = card.getByTestId('pnl-limits');
    await limits.waitFor({ timeout: 5000 });
    assert.match(await limits.innerText(), /Daily loss limit \(red line\): P&L -\$500\.00/);
    assert.match(await limits.innerText(), /Trailing drawdown \(red line\): P&L -\$\d/, 'the floor sits 2,000 below the session high');

    await shot(page, 'trading-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await new Promise((r) => setTimeout(r, 300));
    await shot(page, 'trading-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Flatten the position: the first click only asks (focus on Cancel), Cancel keeps it.
    await row.getByTestId('flatten-position').click();
    await page.getByTestId('flatten-cancel').waitFor();
    assert.equal(await page.getByTestId('flatten-cancel').evaluate((el) => el === document.activeElement), true);
    assert.match(await page.getByTestId('flatten-confirm-row').innerText(), new RegExp(`Flatten ${contract} on Sim101 now`));
    await page.getByTestId('flatten-cancel').click();
    assert.ok(c.link.mirror.positions('Sim101').some((p) => p.marketPosition === 'Long'), 'Cancel sends nothing');
    await row.getByTestId('flatten-position').click();
    await page.getByTestId('flatten-confirm').click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    await card.getByTestId('no-positions').waitFor();
    assert.match(await page.getByTestId('flatten-result').innerText(), /closing order/);
    assert.equal(c.link.mirror.positions('Sim101').filter((p) => p.marketPosition !== 'Flat').length, 0, 'flat in the mirror');
    await card.getByTestId('no-orders').waitFor();
    assert.equal((await c.controlJson<{ confirmations: unknown[] }>('/confirmations')).confirmations.length, 0, 'no prompt');
    const audit = await c.controlJson<AuditPage>('/audit?limit=30');
    const submit = audit.rows.find((r) => r.event === 'trade.submit' && r.clientId === null);
    assert.ok(submit);
    assert.match(submit.detail!, new RegExp(`^the person at the desktop \\(dashboard\\): Flatten ${contract} on Sim101`));
    assert.deepEqual(dash.errors.filter((e) => /Content Security Policy|Refused/.test(e)), []);
    await dash.context.close();
  } finally {
    await done();
  }
});

test('Trading view: Flatten while the market is closed is refused, and the page says why', async () => {
  // Friday 2026-11-20 16:00 ET (open), then 17:30 ET (closed for the weekend).
  let t = Date.parse('2026-11-20T21:00:00Z');
  const { c, conn, done } = await tradingSetup('Weekend Bot', { confirmPolicy: 'never' }, { simHours: 'cme', now: () => t });
  try {
    const buy = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, clientOrderId: 'wk-1' });
    assert.equal(buy.isError, false, buy.text);
    const dash = await openDashboard(browser, c);
    const page = dash.page;
    await page.getByTestId('tab-trading').click();
    await page.getByTestId('position-row').first().waitFor({ timeout: 10_000 });
    t = Date.parse('2026-11-20T22:30:00Z');
    await page.getByTestId('flatten-everything').click();
    await page.getByTestId('flatten-confirm').click();
    const err = page.getByTestId('flatten-error');
    await err.waitFor();
    assert.match(await err.innerText(), /closed for the weekend/);
    assert.match(await err.innerText(), /nothing was sent/);
    assert.ok(c.link.mirror.positions('Sim101').some((p) => p.marketPosition === 'Long'), 'still long');
    await page.getByTestId('position-row').first().waitFor();
    await dash.context.close();
  } finally {
    await done();
  }
});
