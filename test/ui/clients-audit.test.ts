// Acceptance: the Audit view is live and exports CSV; the Clients view revokes with a confirm
// step and the revoked client's token stops working at once. Also screenshots the Activity view.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AUDIT_OUTCOMES, type AuditPage, type AuthorizedClient } from '../../src/control/contract.ts';
import { INIT, mcpPost, startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { connectWithOAuth, HeadlessProvider, type ConnectedClient } from '../helpers/sdk-client.ts';
import { ensureRendererBuilt, launchBrowser, openDashboard, shot, until, type Dashboard } from './browser.ts';

let c: TestCompanion;
let browser: Browser;
let dash: Dashboard;
let page: Page;
let conn: ConnectedClient;
let provider: HeadlessProvider;

/** Minimal RFC 4180 parser, to check the export's quoting for real. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

before(async () => {
  await ensureRendererBuilt();
  c = await startTestCompanion();
  browser = await launchBrowser();
  dash = await openDashboard(browser, c);
  page = dash.page;
  provider = new HeadlessProvider('http://127.0.0.1:9922/cb', 'Audit Bot');
  conn = await connectWithOAuth(
    c.mcpUrl,
    async () => {
      await page.getByTestId('consent-modal').waitFor({ timeout: 10_000 });
      await page.getByTestId('consent-allow').click();
      await page.getByTestId('consent-modal').waitFor({ state: 'detached' });
    },
    provider,
  );
});
after(async () => {
  await conn?.close().catch(() => {});
  await browser?.close();
  await c?.cleanup();
});

test('audit rows appear live (no re-fetch), filters work, and the CSV export contains them', async () => {
  await page.getByTestId('tab-audit').click();
  await page.getByTestId('audit-table').waitFor();
  const auditFetches: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/control/v1/audit')) auditFetches.push(r.url());
  });
  const before = await page.getByTestId('audit-row').count();
  assert.equal(await page.locator('[data-testid="audit-row"][data-tool="get_quote"]').count(), 0);
  const q = (await conn.client.callTool({ name: 'get_quote', arguments: { instrument: 'ES' } })) as CallToolResult;
  assert.ok(!q.isError);
  await conn.client.callTool({ name: 'list_accounts', arguments: {} });
  await conn.client.callTool({ name: 'get_status', arguments: {} });
  await page.locator('[data-testid="audit-row"][data-tool="get_status"]').first().waitFor({ timeout: 5000 });
  await page.locator('[data-testid="audit-row"][data-tool="get_quote"]').first().waitFor({ timeout: 5000 });
  assert.ok((await page.getByTestId('audit-row').count()) >= before + 3);
  assert.equal(await page.getByTestId('audit-row').first().getAttribute('data-tool'), 'get_status', 'newest first');
  assert.equal(auditFetches.length, 0, `rows arrived through the event stream, not by polling: ${auditFetches.join(' ')}`);
  await shot(page, 'audit-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'audit-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // Filter by tool: only those rows (served by the API with tool=…).
  await page.getByTestId('audit-filter-tool').selectOption('get_quote');
  await until(async () => ((await page.getByTestId('audit-row').count()) === 1 ? true : undefined), 'the tool filter');
  assert.ok(auditFetches.some((u) => u.includes('tool=get_quote')));
  await page.getByTestId('audit-filter-tool').selectOption('');
  await page.locator('[data-testid="audit-row"][data-tool="get_status"]').first().waitFor();

  // Outcome filter: exactly the taxonomy; a guard's refusal is "refused"; a row written before the
  // taxonomy (a refusal then recorded as "denied") still displays and filters as written.
  const options = await page.getByTestId('audit-filter-outcome').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  assert.deepEqual(options, ['', ...Object.keys(AUDIT_OUTCOMES)]);
  const notMine = (await conn.client.callTool({ name: 'get_account_summary', arguments: { account: 'Live999' } })) as CallToolResult;
  assert.equal(notMine.isError, true);
  const refusedRow = page.locator('[data-testid="audit-row"][data-tool="get_account_summary"][data-outcome="refused"]').first();
  await refusedRow.waitFor();
  assert.match(await refusedRow.innerText(), /account_not_allowed/);
  c.db.prepare("INSERT INTO audit (ts, kind, event, tool, outcome, detail) VALUES (?, 'trade', 'trade.refused', 'place_order', 'denied', 'kill_switch: a row from before the taxonomy')").run(Date.now());
  await page.getByTestId('audit-filter-outcome').selectOption('denied');
  await page.locator('[data-testid="audit-row"][data-outcome="denied"][data-tool="place_order"]').waitFor();
  assert.equal(await page.locator('[data-testid="audit-row"]:not([data-outcome="denied"])').count(), 0);
  await page.getByTestId('audit-filter-outcome').selectOption('refused');
  await until(async () => ((await page.locator('[data-testid="audit-row"][data-outcome="refused"]').count()) >= 1 && (await page.locator('[data-testid="audit-row"]:not([data-outcome="refused"])').count()) === 0) || undefined, 'the refused filter');
  assert.ok(auditFetches.some((u) => u.includes('outcome=refused')));
  await page.getByTestId('audit-filter-outcome').selectOption('');
  await page.locator('[data-testid="audit-row"][data-tool="get_status"]').first().waitFor();

  // Export: a real download of every row, properly quoted.
  const api = await c.controlJson<AuditPage>('/audit?limit=1000');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
  assert.match(download.suggestedFilename(), /^nt-mcp-audit-\d{8}-\d{6}\.csv$/);
  const csv = readFileSync((await download.path())!, 'utf8');
  const rows = parseCsv(csv);
  const header = rows[0]!;
  assert.deepEqual(header.slice(0, 4), ['id', 'ts', 'kind', 'event']);
  const body = rows.slice(1);
  assert.equal(body.length, api.rows.length, 'every audit row exported');
  const col = (name: string) => header.indexOf(name);
  const quoteRow = api.rows.find((r) => r.tool === 'get_quote')!;
  const exported = body.find((r) => r[col('id')] === String(quoteRow.id));
  assert.ok(exported, 'the get_quote row is in the CSV');
  assert.equal(exported[col('tool')], 'get_quote');
  assert.equal(exported[col('clientId')], quoteRow.clientId);
  assert.equal(exported[col('args')], quoteRow.args ?? '', 'JSON args survive the quoting');
  assert.ok(body.some((r) => r[col('tool')] === 'get_status' && r[col('outcome')] === 'ok'));
  assert.match(await page.getByTestId('audit-export-note').innerText(), new RegExp(`Exported ${api.rows.length} row`));
});

test('activity view shows the add-on activity and link state', async () => {
  await page.getByTestId('tab-activity').click();
  await page.getByTestId('view-activity').waitFor();
  await page.getByTestId('link-history').waitFor();
  assert.match(await page.getByTestId('link-history').innerText(), /Connected/);
  await page.getByTestId('activity-table').waitFor();
  const fetches: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/control/v1/activity')) fetches.push(r.url());
  });
  const before = await page.getByTestId('activity-row').count();
  // The trading layer's own recorder: the same path the NinjaTrader link's activity takes.
  c.trading.recordActivity('refused', 'UI test: a refused order, live');
  const live = page.getByTestId('activity-row').filter({ hasText: 'UI test: a refused order, live' });
  await live.waitFor({ timeout: 5000 });
  assert.equal(await page.getByTestId('activity-row').count(), before + 1);
  assert.equal(fetches.length, 0, 'arrived through the event stream');
  await shot(page, 'activity-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'activity-dark');
  await page.emulateMedia({ colorScheme: 'light' });
});

test('a flood of live activity rows keeps the page at 500 rows; older ones come back with Load older', async () => {
  await page.getByTestId('tab-activity').click();
  await page.getByTestId('activity-table').waitFor();
  for (let i = 1; i <= 650; i++) c.trading.recordActivity('refused', `UI flood row ${i}`);
  await page.getByTestId('activity-row').filter({ hasText: /UI flood row 650$/ }).waitFor({ timeout: 10_000 });
  assert.equal(await page.getByTestId('activity-row').count(), 500, 'the live list is capped');
  assert.equal(await page.getByTestId('activity-row').filter({ hasText: /UI flood row 151$/ }).count(), 1, 'the newest 500 are shown');
  assert.equal(await page.getByTestId('activity-row').filter({ hasText: /UI flood row 150$/ }).count(), 0);
  await page.getByTestId('activity-load-older').click();
  await page.getByTestId('activity-row').filter({ hasText: /UI flood row 150$/ }).waitFor({ timeout: 5000 });
  assert.equal(await page.getByTestId('activity-row').filter({ hasText: /UI flood row 151$/ }).count(), 1, 'no row twice after paging');
});

test('revoke in the Clients view (with a confirm step) → the row disappears and the client gets 401', async () => {
  const token = provider.saved!.access_token;
  assert.equal((await mcpPost(c.origin, token, INIT)).status, 200, 'the token works before the revoke');
  await page.getByTestId('tab-clients').click();
  const row = page.getByTestId('client-row').filter({ hasText: 'Audit Bot' });
  await row.waitFor();
  assert.match(await row.innerText(), /Read only/);
  assert.match(await row.innerText(), /Sim101, Sim102/);
  await shot(page, 'clients-light');
  await row.getByTestId('revoke').click();
  assert.equal((await mcpPost(c.origin, token, INIT)).status, 200, 'the first click only asks');
  assert.equal(await page.getByTestId('revoke-cancel').evaluate((el) => el === document.activeElement), true, 'the confirm step focuses Cancel');
  await shot(page, 'clients-revoke-confirm');
  await row.getByTestId('revoke-confirm').click();
  await row.waitFor({ state: 'detached' });
  await page.getByTestId('clients-empty').waitFor();
  assert.deepEqual((await c.controlJson<{ clients: AuthorizedClient[] }>('/clients')).clients, []);
  assert.equal((await mcpPost(c.origin, token, INIT)).status, 401);
  assert.deepEqual(dash.errors.filter((e) => /Content Security Policy|Refused/.test(e)), []);
});
