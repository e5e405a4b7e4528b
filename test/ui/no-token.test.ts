// The dashboard without a session shows how to get a fresh link and no data; a used or made-up
// code says the link was used or expired; a fresh link drops its code from the address bar and
// keeps nothing in script-readable storage (the session is an HttpOnly cookie).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { ensureRendererBuilt, launchBrowser, openDashboard, shot, until } from './browser.ts';

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

test('without a link: only the help text; the one control API request (a session check) is refused', async () => {
  const { page, context } = await openDashboard(browser, c, { code: null });
  await page.getByTestId('no-token').waitFor(); // the first load's check is over before counting
  const controlRequests: string[] = [];
  page.on('response', (r) => {
    if (r.url().includes('/control/')) controlRequests.push(`${new URL(r.url()).pathname} ${r.status()}`);
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
  // The response event may reach the test just after the page rendered the help text.
  await until(() => (controlRequests.length > 0 ? true : undefined), 'the session check');
  assert.deepEqual(controlRequests, ['/control/v1/status 401']);
  assert.match(await page.getByTestId('no-token-reason').innerText(), /one-time code/);
  await shot(page, 'no-token');
  await context.close();
});

test('with a made-up code, or an old link carrying the control token: the help text, no data, nothing kept', async () => {
  const { page, context } = await openDashboard(browser, c, { code: 'x'.repeat(43), waitReady: false });
  await page.getByTestId('no-token').waitFor();
  assert.match(await page.getByTestId('no-token-reason').innerText(), /already used or has expired/);
  const text = await page.locator('body').innerText();
  assert.ok(!text.includes(c.mcpUrl) && !text.includes('Sim101') && !text.includes('SIMULATED'), text);
  assert.ok(!page.url().includes('code='), 'the code is dropped from the address bar');
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assert.deepEqual(await context.cookies(), []);
  // A bookmarked link from before (#token=…) no longer opens anything, and leaves the address bar.
  await page.goto(`${c.origin}/#token=${c.controlToken}`);
  await page.waitForFunction(() => !location.href.includes('token='));
  await page.getByTestId('no-token').waitFor();
  assert.match(await page.getByTestId('no-token-reason').innerText(), /old link with a token/);
  assert.ok(!page.url().includes(c.controlToken), page.url());
  assert.deepEqual(await context.cookies(), []);
  assert.equal(await page.getByTestId('mcp-url').count(), 0);
  await context.close();
});

test('with a fresh link: data shown, code removed from the URL, nothing in script storage; reload works', async () => {
  const { page, context, errors } = await openDashboard(browser, c);
  assert.equal(await page.getByTestId('mcp-url').inputValue(), c.mcpUrl);
  assert.ok(!page.url().includes('code='), page.url());
  assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0, 'nothing in script-readable storage');
  assert.deepEqual((await context.cookies()).map((k) => [k.name, k.httpOnly, k.sameSite, k.path]), [[`ntmcp_session_${c.urls.port}`, true, 'Strict', '/control']]);
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
  assert.equal(await page.getByTestId('mcp-url').inputValue(), c.mcpUrl, 'reload keeps working on the session cookie');
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
  await page.goto(c.dashboardLink());
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
