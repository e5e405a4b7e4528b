// The risk rules editor in real Chromium (issue 11 item 3): the person sets a daily loss limit
// for Sim101 in the dashboard; the next MCP call is held to it; a loss past it (the simulator's
// scripted price) flattens and locks the account, and the dashboard shows the breach and the lock.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { manualClock } from '../../src/clock.ts';
import type { RiskAccountState } from '../../src/control/contract.ts';
import { tradingSetup, type TestCompanion } from '../helpers/companion.ts';
import type { ConnectedClient } from '../helpers/sdk-client.ts';
import { call } from '../helpers/tools.ts';
import { ensureRendererBuilt, launchBrowser, openDashboard, shot, until, type Dashboard } from './browser.ts';

let c: TestCompanion;
let conn: ConnectedClient;
let done: () => Promise<void>;
let browser: Browser;
let dash: Dashboard;
let page: Page;

before(async () => {
  await ensureRendererBuilt();
  // Wednesday 2026-11-18, 10:00 ET: a plain trading day.
  ({ c, conn, done } = await tradingSetup('Risk UI Bot', { confirmPolicy: 'never', limits: { maxOrderQuantity: 10, maxPositionPerInstrument: 50, maxOrdersPerMinute: 1000 } }, { clock: manualClock(Date.parse('2026-11-18T15:00:00Z')) }));
  browser = await launchBrowser();
  dash = await openDashboard(browser, c);
  page = dash.page;
});

after(async () => {
  await browser?.close();
  await done?.();
});

const sim101 = async () => (await c.controlJson<{ accounts: RiskAccountState[] }>('/risk-rules')).accounts.find((a) => a.account === 'Sim101')!;

test('the person sets a daily loss limit in the dashboard; it is enforced on the next call, and a breach flattens, locks and notifies', async () => {
  await page.getByTestId('tab-risk').click();
  const card = page.getByTestId('risk-account-Sim101');
  await card.waitFor();
  await card.getByTestId('risk-Sim101-daily').fill('500');
  await card.getByTestId('risk-Sim101-per').fill('3');
  await card.getByTestId('risk-Sim101-on-breach').selectOption('flatten_and_lock');
  await card.getByTestId('risk-Sim101-save').click();
  await card.getByTestId('risk-Sim101-message').filter({ hasText: 'Saved' }).waitFor();
  const saved = await sim101();
  assert.deepEqual(
    { daily: saved.rules?.dailyLossLimit, per: saved.rules?.maxContractsPerInstrument, onBreach: saved.rules?.onBreach },
    { daily: 500, per: 3, onBreach: 'flatten_and_lock' },
  );
  const audit = (await c.controlJson<{ rows: { event: string; detail: string }[] }>('/audit?limit=50')).rows;
  assert.ok(audit.some((r) => r.event === 'risk.rules' && r.detail.startsWith('the person at the desktop (dashboard)')), 'audited as the person');

  // Enforced on the next call: 4 contracts are over the limit of 3.
  const over = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 4, orderType: 'MARKET' });
  assert.equal(over.code, 'risk_max_contracts', over.text);
  assert.equal((await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 2, orderType: 'MARKET' })).isError, false);
  await card.getByTestId('risk-Sim101-room-contracts').filter({ hasText: 'ES 2 (room 1)' }).waitFor();
  await card.getByTestId('risk-Sim101-room-daily').filter({ hasText: /^\$4\d\d\.\d\d$/ }).waitFor();
  await shot(page, 'risk-rules');

  // The market falls: the watcher flattens and locks, the desktop shows it.
  c.simulator!.setQuote('ES', 5993);
  await page.getByTestId('risk-breach-banner').filter({ hasText: 'Daily loss limit $500 on Sim101' }).waitFor();
  await card.getByTestId('risk-Sim101-locked').waitFor();
  await until(async () => (c.simulator!.engine.positions('Sim101').length === 0 ? true : undefined), 'flattened');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'risk-rules-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  assert.equal((await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'MARKET' })).code, 'account_locked');

  // A wrong entry is refused in the form, with a sentence; nothing is saved.
  await card.getByTestId('risk-Sim101-per').fill('2.5');
  await card.getByTestId('risk-Sim101-save').click();
  await card.getByTestId('risk-Sim101-message').filter({ hasText: 'Max contracts per instrument must be a whole number' }).waitFor();
  assert.equal((await sim101()).rules?.maxContractsPerInstrument, 3);
  assert.deepEqual(dash.errors, []);
});
