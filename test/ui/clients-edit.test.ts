// Acceptance (issue 11 item 4): in Clients the person edits a grant — a limit lowered in the UI
// refuses the client's very next place_order over it (through the real MCP SDK client); accounts
// can be changed; widening a read-only client to trade warns and is audited as the person's act.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { AuditPage, AuthorizedClient } from '../../src/control/contract.ts';
import { approveNext, startTestCompanion, tradingSetup } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider } from '../helpers/sdk-client.ts';
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

test('a limit lowered in Clients is enforced on the next call; accounts edited there apply too', async () => {
  const { c, conn, done } = await tradingSetup('Limit Bot', { confirmPolicy: 'never' });
  try {
    const first = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 3, orderType: 'LIMIT', limitPrice: 5900, clientOrderId: 'lim-1' });
    assert.equal(first.isError, false, first.text);

    const dash = await openDashboard(browser, c);
    const page = dash.page;
    await page.getByTestId('tab-clients').click();
    const row = page.getByTestId('client-row').filter({ hasText: 'Limit Bot' });
    await row.waitFor();
    assert.match(await row.innerText(), /≤5\/order/);
    await row.getByTestId('edit-grant').click();
    const editor = page.getByTestId('grant-editor');
    await editor.waitFor();
    await editor.getByTestId('edit-limit-maxOrderQuantity').fill('2');
    await editor.getByTestId('edit-account-Sim102').check();
    await shot(page, 'clients-edit');
    await editor.getByTestId('edit-save').click();
    await editor.waitFor({ state: 'detached' });
    await until(async () => (/≤2\/order/.test(await row.innerText()) ? true : undefined), 'the row shows the new limit');
    assert.match(await row.innerText(), /Sim101, Sim102/);

    // The very next call runs under the edited grant.
    const over = await call(conn, 'place_order', { account: 'Sim101', instrument: 'ES', action: 'BUY', quantity: 3, orderType: 'LIMIT', limitPrice: 5900, clientOrderId: 'lim-2' });
    assert.equal(over.isError, true);
    assert.equal(over.code, 'limit_max_order_quantity');
    assert.match(over.text, /maximum of 2 per order/);
    const within = await call(conn, 'place_order', { account: 'Sim102', instrument: 'ES', action: 'BUY', quantity: 2, orderType: 'LIMIT', limitPrice: 5900, clientOrderId: 'lim-3' });
    assert.equal(within.isError, false, within.text);

    const audit = await c.controlJson<AuditPage>('/audit?limit=30');
    const changed = audit.rows.find((r) => r.event === 'grant.changed');
    assert.ok(changed);
    assert.match(changed.detail!, /^the person at the desktop \(dashboard\): accounts Sim101 → Sim101, Sim102; limits 5\/order/);

    // Invalid input never leaves the page: Save stays disabled.
    await row.getByTestId('edit-grant').click();
    await editor.getByTestId('edit-limit-maxOrdersPerMinute').fill('0');
    assert.equal(await editor.getByTestId('edit-save').isDisabled(), true);
    await editor.getByTestId('edit-cancel').click();
    await dash.context.close();
  } finally {
    await done();
  }
});

test('widening a read-only client to trade in Clients warns, is audited as the person, and the client sees the trade tools', async () => {
  const c = await startTestCompanion();
  try {
    const conn = await connectWithOAuth(c.mcpUrl, (id) => approveNext(c, { scope: 'mcp:read' }, id).then(() => {}), new HeadlessProvider('http://127.0.0.1:9003/cb', 'Reader Bot'));
    const dash = await openDashboard(browser, c);
    const page = dash.page;
    await page.getByTestId('tab-clients').click();
    const row = page.getByTestId('client-row').filter({ hasText: 'Reader Bot' });
    await row.getByTestId('edit-grant').click();
    const editor = page.getByTestId('grant-editor');
    await editor.getByTestId('edit-scope-trade').check();
    await editor.getByTestId('edit-widen-warning').waitFor();
    assert.match(await editor.getByTestId('edit-save').innerText(), /Allow trading/);
    await editor.getByTestId('edit-save').click();
    await editor.waitFor({ state: 'detached' });
    await until(async () => (/Read \+ trade/.test(await row.innerText()) ? true : undefined), 'read + trade');
    const clients = (await c.controlJson<{ clients: AuthorizedClient[] }>('/clients')).clients;
    assert.equal(clients[0]!.scope, 'mcp:read mcp:trade');
    const tools = await conn.client.listTools();
    assert.ok(tools.tools.some((t) => t.name === 'place_order'));
    const audit = await c.controlJson<AuditPage>('/audit?limit=20');
    const row2 = audit.rows.find((r) => r.event === 'grant.widened');
    assert.ok(row2);
    assert.match(row2.detail!, /^the person at the desktop \(dashboard\): scope mcp:read → mcp:read mcp:trade/);
    await conn.close();
    await dash.context.close();
  } finally {
    await c.cleanup();
  }
});
