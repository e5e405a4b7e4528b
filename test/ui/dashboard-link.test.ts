// Issue 9 item 9 in real Chromium: the printed link (`/#code=…`) opens the dashboard, the code
// leaves the address bar and cannot be used again, a reload keeps working on the session cookie,
// and nothing Chromium writes to its profile (History, sessions, cookies, caches) holds the
// control token.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startTestCompanion, type TestCompanion } from '../helpers/companion.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, ensureRendererBuilt, launchBrowser } from './browser.ts';

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

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return [];
    return st.isDirectory() ? filesUnder(p) : st.isFile() ? [p] : [];
  });
}

test('the printed link opens the dashboard once; the code leaves the URL; reload works on the cookie; the profile never holds the control token', async () => {
  const profile = mkdtempSync(join(tmpdir(), 'ntmcp-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
    const page = context.pages()[0] ?? (await context.newPage());
    const link = c.dashboardLink();
    const code = new URL(link).hash.slice('#code='.length);
    await page.goto(link);
    await page.getByTestId('view-overview').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('mcp-url').inputValue(), c.mcpUrl);
    // The code is gone from the address bar and from the current history entry.
    assert.ok(!page.url().includes(code) && !page.url().includes('code='), page.url());
    assert.equal(await page.evaluate(() => location.hash), '');
    // The session is an HttpOnly, SameSite=Strict cookie for /control; scripts and storage hold nothing.
    const cookies = await context.cookies();
    assert.equal(cookies.length, 1, JSON.stringify(cookies));
    assert.equal(cookies[0]!.name, `ntmcp_session_${c.urls.port}`);
    assert.equal(cookies[0]!.httpOnly, true);
    assert.equal(cookies[0]!.sameSite, 'Strict');
    assert.equal(cookies[0]!.path, '/control');
    assert.equal(cookies[0]!.secure, false);
    assert.equal(await page.evaluate(() => document.cookie), '');
    assert.equal(await page.evaluate(() => sessionStorage.length + localStorage.length), 0);

    // Reload: the cookie keeps the dashboard working.
    await page.reload();
    await page.getByTestId('view-overview').waitFor();
    assert.equal(await page.getByTestId('mcp-url').inputValue(), c.mcpUrl);
    // A decision through the cookie session works (a state-changing request).
    await c.controlJson('/kill-switch', { body: { engaged: true } });
    await page.getByTestId('kill-banner').waitFor();
    await c.controlJson('/kill-switch', { body: { engaged: false } });

    // The same link a second time (another browser, e.g. someone who read the history): refused,
    // with the help text saying how to get a fresh link.
    const other = await browser.newContext();
    const p2 = await other.newPage();
    await p2.goto(link);
    await p2.getByTestId('no-token').waitFor();
    assert.match(await p2.getByTestId('no-token-reason').innerText(), /already used or has expired/);
    assert.match(await p2.locator('body').innerText(), /npm start/);
    assert.ok(!(await p2.locator('body').innerText()).includes(c.mcpUrl), 'no data');
    assert.ok(!p2.url().includes(code));
    assert.deepEqual(await other.cookies(), []);
    await other.close();

    // The session ends (sign-out here; a companion restart does the same): the next request
    // shows the help text saying so, and no data.
    const ended = await page.evaluate(async () => (await fetch('./control/v1/session/end', { method: 'POST', headers: { 'X-NTMCP-Dashboard': '1' } })).status);
    assert.equal(ended, 200);
    await page.keyboard.press('Alt+3'); // the audit view loads its rows → 401
    await page.getByTestId('no-token').waitFor();
    assert.match(await page.getByTestId('no-token-reason').innerText(), /session ended/);
    assert.ok(!(await page.locator('body').innerText()).includes(c.mcpUrl), 'no data once the session ended');

    await context.close();
    // Chromium has written its profile (History, Current Session, Cookies, Preferences…).
    const files = filesUnder(profile);
    const history = files.find((f) => /[/\\]History$/.test(f));
    assert.ok(history, `no History DB in ${files.map((f) => f.slice(profile.length)).join(', ')}`);
    assert.ok(readFileSync(history).includes(`127.0.0.1:${c.urls.port}`), 'the visit is in History (the search below is meaningful)');
    for (const f of files) {
      const bytes = readFileSync(f);
      assert.ok(!bytes.includes(c.controlToken), `${f.slice(profile.length)} holds the control token`);
      assert.ok(!bytes.includes(Buffer.from(c.controlToken, 'utf16le')), `${f.slice(profile.length)} holds the control token (UTF-16)`);
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});
