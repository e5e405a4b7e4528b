// The dashboard without a valid control token shows how to open the right link and no data;
// with the right token it drops the token from the address bar and keeps it out of durable storage.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { ensureRendererBuilt, launchBrowser, openDashboard, shot } from './browser.ts';

let c: TestCompanion;
let browser: Browser;
before(async () => {
  await ensureRendererBuilt();
  c = await startTestCompanion();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await c?.cleanup();
});

test('without a token: only the help text, and not a single control API request', async () => {
  const { page, context } = await openDashboard(browser, c, { token: null });
  const controlRequests: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/control/')) controlRequests.push(r.url());
  });
  await page.reload();
  await page.getByTestId('no-token').waitFor();
  const text = await page.locator('body').innerText();
  assert.match(text, /npm start/);
  assert.match(text, /Dashboard/);
  assert.match(text, /tray menu → Open/);
  assert.ok(!text.includes(c.mcpUrl), 'the MCP URL is data: not shown');
  assert.ok(!text.includes('Sim101'), 'no account names');
  assert.equal(await page.getByTestId('tab-overview').count(), 0, 'no navigation');
  assert.deepEqual(controlRequests, []);
  await shot(page, 'no-token');
  await context.close();
});

test('with a wrong token: the help text, no data, and the bad token is forgotten', async () => {
  const { page, context } = await openDashboard(browser, c, { token: 'x'.repeat(43), waitReady: false });
  await page.getByTestId('no-token').waitFor();
  assert.match(await page.getByTestId('no-token-reason').innerText(), /did not accept/);
  const text = await page.locator('body').innerText();
  assert.ok(!text.includes(c.mcpUrl) && !text.includes('Sim101') && !text.includes('SIMULATED'), text);
  assert.ok(!page.url().includes('token='), 'the token is dropped from the address bar');
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assert.equal(await page.getByTestId('mcp-url').count(), 0);
  await context.close();
});

test('with the right token: data shown, token removed from the URL, kept only in sessionStorage; reload works', async () => {
  const { page, context, errors } = await openDashboard(browser, c);
  assert.equal(await page.getByTestId('mcp-url').inputValue(), c.mcpUrl);
  assert.ok(!page.url().includes('token='), page.url());
  assert.ok(!page.url().includes(c.controlToken));
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'never localStorage');
  assert.deepEqual(await context.cookies(), [], 'never a cookie');
  assert.deepEqual(await page.evaluate(() => Object.values(sessionStorage)), [c.controlToken]);
  await page.getByTestId('simulated-badge').waitFor();
  assert.equal(await page.getByTestId('link-status').innerText(), 'Connected');
  assert.match(await page.getByTestId('link-accounts').innerText(), /Sim101, Sim102/);
  // Snippets carry the real URL.
  assert.equal(await page.getByTestId('snippet-claude-code').innerText(), `claude mcp add --transport http ninjatrader ${c.mcpUrl}`);
  await page.getByTestId('snippet-tab-vscode').click();
  assert.deepEqual(JSON.parse(await page.getByTestId('snippet-vscode').innerText()), { servers: { ninjatrader: { type: 'http', url: c.mcpUrl } } });
  await page.getByTestId('snippet-tab-claude-desktop').click();
  assert.deepEqual(JSON.parse(await page.getByTestId('snippet-claude-desktop').innerText()), { mcpServers: { ninjatrader: { command: 'npx', args: ['mcp-remote', c.mcpUrl] } } });
  await page.getByTestId('snippet-tab-cursor').click();
  assert.deepEqual(JSON.parse(await page.getByTestId('snippet-cursor').innerText()), { mcpServers: { ninjatrader: { url: c.mcpUrl } } });
  await page.getByTestId('snippet-tab-claude-code').click();
  await shot(page, 'overview-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'overview-dark');
  await page.reload();
  await page.getByTestId('view-overview').waitFor();
  assert.equal(await page.getByTestId('mcp-url').inputValue(), c.mcpUrl, 'reload keeps working from sessionStorage');
  // Keyboard navigation: Alt+3 opens the audit log.
  await page.keyboard.press('Alt+3');
  await page.getByTestId('view-audit').waitFor();
  assert.deepEqual(errors.filter((e) => /Content Security Policy|Refused/.test(e)), [], 'no CSP violations');
  await context.close();
});

test('control API unreachable → banner with Retry; a dropped event stream shows "reconnecting" and recovers', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.route('**/control/v1/status', (r) => r.abort('connectionrefused'));
  await page.goto(`${c.origin}/#token=${c.controlToken}`);
  await page.getByTestId('unreachable-banner').waitFor();
  assert.equal(await page.getByTestId('mcp-url').count(), 0);
  await page.unroute('**/control/v1/status');
  await page.route('**/control/v1/events', (r) => r.abort('connectionreset'));
  await page.getByTestId('retry').click();
  await page.getByTestId('view-overview').waitFor();
  await page.getByTestId('reconnecting-banner').waitFor();
  assert.match(await page.getByTestId('reconnecting-banner').innerText(), /reconnecting/);
  await page.unroute('**/control/v1/events');
  await page.getByTestId('reconnecting-banner').waitFor({ state: 'detached', timeout: 15_000 });
  // Live again: a kill-switch change made elsewhere shows up without a reload.
  await c.controlJson('/kill-switch', { body: { engaged: true } });
  await page.getByTestId('kill-banner').waitFor();
  await c.controlJson('/kill-switch', { body: { engaged: false } });
  await page.getByTestId('kill-banner').waitFor({ state: 'detached' });
  await context.close();
});
