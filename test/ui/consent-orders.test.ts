// Acceptance: a real SDK client asks for access and the person decides in the page; orders wait
// for the confirmation prompt; the kill switch refuses new orders but still lets a client flatten.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Status } from '../../src/control/contract.ts';
import { startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider, type ConnectedClient } from '../helpers/sdk-client.ts';
import { ensureRendererBuilt, launchBrowser, openDashboard, shot, type Dashboard } from './browser.ts';

let c: TestCompanion;
let browser: Browser;
let dash: Dashboard;
let page: Page;
let conn: ConnectedClient | undefined;

before(async () => {
  await ensureRendererBuilt();
  c = await startTestCompanion();
  browser = await launchBrowser();
  dash = await openDashboard(browser, c);
  page = dash.page;
});
after(async () => {
  await conn?.close().catch(() => {});
  await browser?.close();
  await c?.cleanup();
});

const focused = (p: Page) => p.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? null);
const insideModal = (p: Page, id: string) => p.evaluate((tid) => !!document.querySelector(`[data-testid="${tid}"]`)?.contains(document.activeElement), id);
/** Approve buttons are disarmed for a moment after a prompt appears: wait until they are live. */
const armed = (p: Page, id: string) => p.waitForFunction((tid) => (document.querySelector(`[data-testid="${tid}"]`) as HTMLButtonElement | null)?.disabled === false, id);
const text = (r: CallToolResult) => r.content.map((x) => (x.type === 'text' ? x.text : '')).join('\n');

test('consent: the prompt appears by itself; Sim102 unticked, Allow → the client sees only Sim101', async () => {
  const provider = new HeadlessProvider('http://127.0.0.1:9911/cb', 'Trader Bot', 'mcp:read mcp:trade');
  conn = await connectWithOAuth(
    c.mcpUrl,
    async () => {
      const modal = page.getByTestId('consent-modal');
      await modal.waitFor({ timeout: 10_000 });
      // What the person is told.
      assert.equal(await page.getByTestId('consent-client-name').innerText(), 'Trader Bot');
      assert.match(await modal.innerText(), /name given by the client — not verified/);
      assert.equal(await page.getByTestId('consent-redirect-host').innerText(), '127.0.0.1:9911');
      // The SDK asks for the smallest scope the server advertises (mcp:read): read is the default.
      assert.match(await page.getByTestId('consent-scope').innerText(), /See your accounts, positions, orders and prices/);
      assert.ok(await page.getByTestId('consent-scope-read').isChecked(), 'grant what was asked by default');
      assert.equal(await page.getByTestId('consent-policy-always').count(), 0, 'no trade policy for read access');
      assert.match(await page.getByTestId('consent-countdown').innerText(), /left/);
      assert.ok(await page.getByTestId('consent-account-Sim101').isChecked());
      assert.ok(await page.getByTestId('consent-account-Sim102').isChecked());
      // Allow is never the accidental default.
      assert.equal(await focused(page), 'consent-deny', 'initial focus on Deny');
      await armed(page, 'consent-allow');
      await page.getByTestId('consent-allow').focus();
      assert.equal(await focused(page), 'consent-allow');
      await page.keyboard.press('Enter');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await c.controlJson<{ consents: unknown[] }>('/consents')).consents.length, 1, 'Enter on Allow did not approve');
      assert.ok(await modal.isVisible());
      // The person may grant trading: it is said plainly, and the policy choice appears.
      await page.getByTestId('consent-scope-trade').check();
      assert.match(await page.getByTestId('consent-widen-warning').innerText(), /place, change and cancel orders/);
      assert.ok(await page.getByTestId('consent-policy-always').isChecked(), 'default: ask before every trade');
      // Focus stays trapped in the dialog.
      for (let i = 0; i < 14; i++) {
        await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
        assert.ok(await insideModal(page, 'consent-modal'), `focus escaped the dialog after ${i + 1} tab(s)`);
      }
      // "Don't ask" warns.
      await page.getByTestId('consent-policy-never').check();
      assert.match(await page.getByTestId('consent-policy-warning').innerText(), /without asking you/);
      await page.getByTestId('consent-policy-always').check();
      // No account → Allow disabled.
      await page.getByTestId('consent-account-Sim101').uncheck();
      await page.getByTestId('consent-account-Sim102').uncheck();
      assert.ok(await page.getByTestId('consent-allow').isDisabled());
      await page.getByTestId('consent-account-Sim101').check();
      assert.ok(await page.getByTestId('consent-allow').isEnabled());
      await shot(page, 'consent-modal-light');
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'consent-modal-dark');
      await page.emulateMedia({ colorScheme: 'light' });
      await page.getByTestId('consent-allow').click();
      await modal.waitFor({ state: 'detached' });
    },
    provider,
  );
  assert.equal(provider.saved?.scope, 'mcp:read mcp:trade');
  const r = (await conn.client.callTool({ name: 'list_accounts', arguments: {} })) as CallToolResult;
  assert.ok(!r.isError, text(r));
  const names = (r.structuredContent as { accounts: { name: string }[] }).accounts.map((a) => a.name);
  assert.deepEqual(names, ['Sim101']);
});

test('orders wait for the confirmation prompt: Escape denies (tool error), Approve places it', async () => {
  assert.ok(conn, 'needs the client from the consent test');
  const first = conn.client.callTool({
    name: 'place_order',
    arguments: { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'MARKET', clientOrderId: 'ui-denied-1' },
  }) as Promise<CallToolResult>;
  const modal = page.getByTestId('confirmation-modal');
  await modal.waitFor({ timeout: 10_000 });
  assert.match(await page.getByTestId('confirmation-summary').innerText(), /Buy 1 ES/i);
  assert.equal(await page.getByTestId('confirmation-account').innerText(), 'Sim101');
  assert.match(await page.getByTestId('confirmation-client').innerText(), /Trader Bot/);
  assert.equal(await page.getByTestId('confirmation-simulated').innerText(), 'SIMULATED');
  assert.equal(await page.getByTestId('confirmation-quantity').innerText(), '1');
  assert.equal(await page.getByTestId('confirmation-risk').innerText(), 'Not limited: no protective stop is attached to this order.');
  assert.match(await page.getByTestId('confirmation-countdown').innerText(), /left/);
  assert.notEqual(await focused(page), 'confirmation-approve', 'no auto-focus on Approve');
  await shot(page, 'confirmation-modal-light');
  await page.keyboard.press('Escape');
  const denied = await first;
  assert.equal(denied.isError, true);
  assert.match(text(denied), /denied/);
  await modal.waitFor({ state: 'detached' });

  const second = conn.client.callTool({
    name: 'place_order',
    arguments: { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 2, orderType: 'MARKET', clientOrderId: 'ui-approved-1' },
  }) as Promise<CallToolResult>;
  await modal.waitFor({ timeout: 10_000 });
  assert.match(await page.getByTestId('confirmation-summary').innerText(), /Buy 2 ES/i);
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'confirmation-modal-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await armed(page, 'confirmation-approve');
  await page.getByTestId('confirmation-approve').focus();
  assert.equal(await focused(page), 'confirmation-approve');
  await page.keyboard.press('Enter');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await c.controlJson<{ confirmations: unknown[] }>('/confirmations')).confirmations.length, 1, 'Enter did not approve');
  await page.getByTestId('confirmation-approve').click();
  const placed = await second;
  assert.ok(!placed.isError, text(placed));
  await modal.waitFor({ state: 'detached' });

  const orders = (await conn.client.callTool({ name: 'list_orders', arguments: { account: 'Sim101', status: 'all' } })) as CallToolResult;
  const list = (orders.structuredContent as { orders: { name: string; quantity: number; action: string }[] }).orders;
  assert.equal(list.filter((o) => o.name.includes('ui-approved-1')).length, 1, JSON.stringify(list));
  assert.equal(list.find((o) => o.name.includes('ui-approved-1'))!.quantity, 2);
  assert.equal(list.filter((o) => o.name.includes('ui-denied-1')).length, 0, 'the denied order never reached the simulator');
});

test('the client cancels while the prompt is open: the prompt leaves the dashboard at once and nothing is placed', async () => {
  assert.ok(conn, 'needs the client from the consent test');
  const ac = new AbortController();
  const cancelled = conn.client.callTool(
    { name: 'place_order', arguments: { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'MARKET', clientOrderId: 'ui-cancelled-1' } },
    undefined,
    { signal: ac.signal },
  );
  const modal = page.getByTestId('confirmation-modal');
  await modal.waitFor({ timeout: 10_000 });
  assert.match(await page.getByTestId('confirmation-summary').innerText(), /Buy 1 ES/i);
  ac.abort('the user pressed Esc in the host');
  await assert.rejects(cancelled);
  await modal.waitFor({ state: 'detached', timeout: 5_000 });
  assert.equal((await c.controlJson<{ confirmations: unknown[] }>('/confirmations')).confirmations.length, 0);
  assert.equal(c.simulator!.engine.orders('Sim101').filter((o) => o.name.endsWith(':ui-cancelled-1')).length, 0, 'nothing placed');
});

test('kill switch: one click engages; a new order is refused, flatten_everything still works; release asks first', async () => {
  assert.ok(conn, 'needs the client from the consent test');
  await page.getByTestId('tab-overview').click();
  await page.getByTestId('kill-switch-engage').click();
  await page.getByTestId('kill-banner').waitFor();
  assert.equal((await c.controlJson<Status>('/status')).killSwitch.engaged, true);
  await shot(page, 'kill-switch-engaged');

  const refused = (await conn.client.callTool({
    name: 'place_order',
    arguments: { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 1, orderType: 'MARKET', clientOrderId: 'ui-killed-1' },
  })) as CallToolResult;
  assert.equal(refused.isError, true);
  assert.match(text(refused), /kill switch/);
  assert.equal(await page.getByTestId('confirmation-modal').count(), 0, 'a refused order never asks the person');

  // Flattening reduces risk: allowed, and (policy "always") still confirmed by the person.
  const flatten = conn.client.callTool({ name: 'flatten_everything', arguments: {} }) as Promise<CallToolResult>;
  await page.getByTestId('confirmation-modal').waitFor({ timeout: 10_000 });
  await page.getByTestId('confirmation-approve').click();
  const flat = await flatten;
  assert.ok(!flat.isError, text(flat));

  // Release needs a confirm step.
  await page.getByTestId('kill-switch-release').click();
  assert.equal((await c.controlJson<Status>('/status')).killSwitch.engaged, true, 'one click does not release');
  await page.getByTestId('kill-switch-release-confirm').click();
  await page.getByTestId('kill-banner').waitFor({ state: 'detached' });
  assert.equal((await c.controlJson<Status>('/status')).killSwitch.engaged, false);
  assert.deepEqual(dash.errors.filter((e) => /Content Security Policy|Refused/.test(e)), []);
});
