// The desktop shell's main-process logic, with `electron` replaced by fakes (test/electron/fakes.ts)
// and the REAL companion core started in a temp dir (real HTTP, SQLite, simulator over WebSocket).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCompanion, type Companion } from '../../src/companion.ts';
import type { PendingConsent } from '../../src/control/contract.ts';
import { createShell, type Shell } from '../../electron/shell.ts';
import { pkcePair, registerClient } from '../helpers/companion.ts';
import { fakeElectron, FakeBrowserWindow, FakeImage, FakeNotification, FakeTray, until, type FakeElectron } from './fakes.ts';

const ICON_DIR = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'no-such-icons');

function makeShell(electron: FakeElectron, dataDir: string, extra: { port?: number; start?: typeof startCompanion; startHidden?: boolean } = {}) {
  const lines: string[] = [];
  const shell = createShell<FakeImage>({
    electron,
    startCompanion: extra.start ?? startCompanion,
    companionOptions: { dataDir, port: extra.port ?? 0, link: 'simulator', quoteIntervalMs: 50 },
    preloadPath: '/app/dist-electron/preload.cjs',
    iconDirs: [ICON_DIR],
    startHidden: extra.startHidden ?? false,
    platform: 'linux',
    log: (l) => lines.push(l),
  });
  return { shell, lines };
}

async function control(c: Companion, path: string, body?: unknown): Promise<Response> {
  return fetch(`${c.controlUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${c.controlToken}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** An AI client starts the OAuth flow: register, then open /authorize (PKCE S256) → a pending consent. */
async function requestAccess(c: Companion, clientName: string): Promise<void> {
  const origin = c.urls.primary;
  const client = await registerClient(origin, { client_name: clientName });
  const { challenge } = pkcePair();
  const u = new URL(`${origin}/authorize`);
  u.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: 'http://127.0.0.1:33418/callback',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 's1',
    scope: 'mcp:read mcp:trade',
    resource: c.mcpUrl,
  }).toString();
  const r = await fetch(u, { redirect: 'manual', headers: { Accept: 'text/html' } });
  assert.equal(r.status, 303, `authorize answered ${r.status}`);
  await r.body?.cancel();
}

describe('desktop shell with a real companion', () => {
  let dir: string;
  let electron: FakeElectron;
  let shell: Shell<FakeImage>;
  let c: Companion;
  let win: FakeBrowserWindow;
  let tray: FakeTray;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ntmcp-desktop-'));
    electron = fakeElectron();
    ({ shell } = makeShell(electron, dir));
    assert.equal(await shell.start(), 'started');
    c = shell.companion!;
    win = FakeBrowserWindow.instances[0]!;
    tray = FakeTray.instances[0]!;
    await until(() => win.visible, 'the window to show');
  });

  after(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('one window, secure webPreferences, sandboxed CJS preload with the version argument', () => {
    assert.equal(FakeBrowserWindow.instances.length, 1);
    const wp = win.options.webPreferences;
    assert.equal(wp.contextIsolation, true);
    assert.equal(wp.sandbox, true);
    assert.equal(wp.nodeIntegration, false);
    assert.equal(wp.nodeIntegrationInWorker, false);
    assert.equal(wp.nodeIntegrationInSubFrames, false);
    assert.equal(wp.webSecurity, true);
    assert.equal(wp.allowRunningInsecureContent, false);
    assert.equal(wp.webviewTag, false);
    assert.equal(wp.preload, '/app/dist-electron/preload.cjs');
    assert.deepEqual(wp.additionalArguments, ['--nt-mcp-companion-version=0.1.0-test']);
    assert.equal(win.options.show, false, 'shown on ready-to-show, not blank');
  });

  test('the window loads a fresh one-time dashboard link from the core, never the control token', () => {
    const u = new URL(win.loadedUrl!);
    assert.equal(u.origin, c.urls.primary);
    assert.match(u.hash, /^#code=[A-Za-z0-9_-]{40,}$/);
    assert.ok(!win.loadedUrl!.includes(c.controlToken), 'the control token never goes in a URL');
    assert.equal(u.search, '', 'the code never goes in the query string');
    assert.notEqual(win.loadedUrl, c.dashboardLink(), 'each link is fresh');
  });

  test('navigation stays on the companion origin; https leaves for the browser; the rest is dropped', () => {
    const wc = win.webContents;
    const port = c.urls.port;
    assert.equal(wc.navigate(`http://127.0.0.1:${port}/authorize/wait/x`), false);
    assert.equal(wc.navigate(`http://localhost:${port}/#token=abc`), false);
    electron.shell.opened.length = 0;
    assert.equal(wc.navigate('https://evil.example/phish'), true);
    assert.deepEqual(electron.shell.opened, ['https://evil.example/phish'], 'https opens in the browser, not the window');
    for (const bad of [
      `http://127.0.0.1:${port + 1}/`,
      'http://example.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'ms-settings:privacy',
      'https://user:pw@example.com/',
      'not a url',
    ]) {
      assert.equal(wc.navigate(bad), true, bad);
    }
    assert.equal(wc.navigate('http://example.com/', 'will-redirect'), true, 'server redirects are guarded too');
    assert.deepEqual(electron.shell.opened, ['https://evil.example/phish'], 'nothing but https reached openExternal');
  });

  test('window.open is always denied; https targets go to the browser', () => {
    electron.shell.opened.length = 0;
    assert.deepEqual(win.webContents.open(`${c.urls.primary}/`), { action: 'deny' });
    assert.deepEqual(win.webContents.open('https://docs.example/help'), { action: 'deny' });
    assert.deepEqual(win.webContents.open('file:///C:/Windows/system32/calc.exe'), { action: 'deny' });
    assert.deepEqual(electron.shell.opened, ['https://docs.example/help']);
  });

  test('every permission request is denied and every permission check is false', () => {
    const s = electron.session.defaultSession;
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      let granted: boolean | null = null;
      s.requestHandler!(null, p, (g) => (granted = g));
      assert.equal(granted, false, p);
      assert.equal(s.checkHandler!(null, p), false, p);
    }
  });

  test('any other web contents (a webview, a devtools page) gets the same guard', async () => {
    const { FakeWebContents } = await import('./fakes.ts');
    const other = new FakeWebContents();
    electron.app.emit('web-contents-created', {}, other);
    assert.equal(other.navigate('http://example.com/'), true);
    assert.deepEqual(other.open('http://example.com/'), { action: 'deny' });
    let prevented = false;
    other.emit('will-attach-webview', { preventDefault: () => (prevented = true) });
    assert.equal(prevented, true, '<webview> is refused');
  });

  test('closing the window hides it to the tray; the core keeps serving', async () => {
    assert.equal(win.userClose(), false, 'close was prevented');
    assert.equal(win.visible, false);
    assert.equal(win.destroyed, false);
    assert.equal(electron.app.quitCalls, 0);
    const r = await control(c, '/status');
    assert.equal(r.status, 200);
    await r.body?.cancel();
  });

  test('a second launch shows, restores and focuses the first window', () => {
    win.minimize();
    electron.app.emit('second-instance', {}, ['app'], '/');
    assert.equal(win.visible, true);
    assert.equal(win.minimized, false);
    assert.equal(win.focused, true);
    assert.equal(FakeBrowserWindow.instances.length, 1, 'no second window');
  });

  test('the tray shows the link state; Copy MCP URL writes it to the clipboard', () => {
    assert.match(tray.tooltip, /^NT MCP Companion\nNinjaTrader: connected \(simulator\)$/);
    assert.ok(tray.image.source.startsWith('data:image/png;base64,'), 'no icon files: the drawn fallback is used');
    assert.equal(tray.item('NinjaTrader').enabled, false);
    tray.click('Copy MCP URL');
    assert.equal(electron.clipboard.text, c.mcpUrl);
    assert.match(electron.clipboard.text!, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  });

  test('tray "Dashboard in your browser" opens a fresh one-time link each time, never the control token', () => {
    electron.shell.opened.length = 0;
    tray.click('Dashboard in your browser');
    tray.click('Dashboard in your browser');
    assert.equal(electron.shell.opened.length, 2);
    const [a, b] = electron.shell.opened as [string, string];
    assert.match(a, new RegExp(`^${c.urls.primary}/#code=[A-Za-z0-9_-]{40,}$`));
    assert.notEqual(a, b, 'fresh each time');
    assert.ok(!a.includes(c.controlToken) && !b.includes(c.controlToken));
  });

  test('tray "Open" and a click on the icon show the window', () => {
    win.hide();
    tray.click('Open');
    assert.equal(win.visible, true);
    win.hide();
    tray.emit('click');
    assert.equal(win.visible, true);
  });

  test('the Kill switch item engages the core; a change elsewhere is mirrored in the menu', async () => {
    assert.equal(tray.item('Kill switch').type, 'checkbox');
    assert.equal(tray.item('Kill switch').checked, false);
    tray.click('Kill switch');
    assert.equal(c.status().killSwitch.engaged, true);
    assert.equal(tray.item('Kill switch').checked, true);
    assert.match(tray.tooltip, /Kill switch engaged/);

    // Released from the dashboard (control API): the tray follows the core's event.
    const r = await control(c, '/kill-switch', { engaged: false });
    assert.equal(r.status, 200);
    await r.body?.cancel();
    await until(() => tray.item('Kill switch').checked === false, 'the menu to mirror the release');
    assert.doesNotMatch(tray.tooltip, /Kill switch/);

    c.trading.setKillSwitch(true);
    assert.equal(tray.item('Kill switch').checked, true);
    tray.click('Kill switch');
    assert.equal(c.status().killSwitch.engaged, false);
  });

  test('a consent from the real OAuth flow notifies; clicking shows and focuses the window; the tray counts it', async () => {
    win.hide();
    const before = FakeNotification.instances.length;
    await requestAccess(c, 'Claude Desktop');
    await until(() => FakeNotification.instances.length > before, 'a notification');
    const n = FakeNotification.instances.at(-1)!;
    assert.equal(n.shown, true);
    // The name is isolated (FSI…PDI) so a right-to-left name cannot reorder the sentence around it.
    assert.equal(n.options.title, '\u2068Claude Desktop\u2069 asks for access');
    assert.match(n.options.body, /read and trade/);
    assert.match(n.options.body, /name given by the client/, 'the self-declared name is flagged as such');

    assert.match(tray.tooltip, /\n1 request waiting\n/);
    assert.equal(tray.image.source, 'data:image/png;base64,' + (await import('../../build/make-icons.mjs')).trayPng('attention', 32).toString('base64'));
    assert.ok(tray.item('1 request waiting'));
    assert.equal(electron.app.badge, 1);

    n.click();
    assert.equal(win.visible, true);
    assert.equal(win.focused, true);

    // A second request: the count follows.
    await requestAccess(c, 'Cursor');
    await until(() => /2 requests waiting/.test(tray.tooltip), 'two requests in the tooltip');

    // Deciding in the dashboard closes the notification and clears the count.
    const list = (await (await control(c, '/consents')).json()) as { consents: PendingConsent[] };
    for (const con of list.consents) {
      const r = await control(c, `/consents/${con.id}/deny`, {});
      assert.equal(r.status, 200);
      await r.body?.cancel();
    }
    await until(() => !/waiting/.test(tray.tooltip), 'the tooltip to clear');
    assert.equal(FakeNotification.instances.at(-1)!.closed, true, 'the open notification was withdrawn');
    assert.equal(electron.app.badge, 0);
    assert.equal(shell.notifications.size, 0);
  });

  test('a flooding client raises one notification, not one per request; Deny all withdraws it', async () => {
    const origin = c.urls.primary;
    const flood = await registerClient(origin, { client_name: 'Flooder', redirect_uris: ['http://127.0.0.1/callback'] });
    const before = FakeNotification.instances.length;
    for (let i = 0; i < 40; i++) {
      const u = new URL(`${origin}/authorize`);
      u.search = new URLSearchParams({
        response_type: 'code',
        client_id: flood.client_id,
        // Half repeats (coalesced), half distinct (capped).
        redirect_uri: `http://127.0.0.1:${i % 2 ? 40001 : 40002 + i}/callback`,
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        scope: 'mcp:read',
      }).toString();
      const r = await fetch(u, { redirect: 'manual' });
      assert.equal(r.status, 303);
      await r.body?.cancel();
    }
    await until(() => /3 requests waiting/.test(tray.tooltip), 'the capped count in the tooltip');
    const raised = FakeNotification.instances.slice(before);
    assert.equal(raised.length, 1, `${raised.length} notifications for one client`);
    assert.match(raised[0]!.options.title, /Flooder/);
    const r = await control(c, '/consents/deny-all', { clientId: flood.client_id });
    assert.equal(r.status, 200);
    await r.body?.cancel();
    await until(() => raised[0]!.closed, 'the notification to be withdrawn');
    assert.equal(shell.notifications.size, 0);
  });

  test('Quit stops the core cleanly, removes the tray, then really quits', async () => {
    const url = `${c.urls.primary}/control/v1/status`;
    tray.click('Quit');
    assert.equal(electron.app.quitted, false, 'the first quit waits for the core');
    await shell.stopped;
    await until(() => electron.app.quitted, 'the second, real quit');
    assert.equal(tray.destroyed, true);
    await assert.rejects(fetch(url), 'the HTTP server is closed');
    // After quitting, closing the window is not prevented.
    assert.equal(win.userClose(), true);
  });
});

describe('desktop shell lifecycle edges', () => {
  test('a second instance hands over and quits without starting a core', async () => {
    const electron = fakeElectron();
    electron.app.hasLock = false;
    let started = 0;
    const { shell } = makeShell(electron, '/nonexistent', {
      start: async () => {
        started++;
        throw new Error('must not start');
      },
    });
    assert.equal(await shell.start(), 'second-instance');
    assert.equal(started, 0);
    assert.equal(electron.app.quitCalls, 1);
    assert.equal(FakeTray.instances.length, 0);
    assert.equal(FakeBrowserWindow.instances.length, 0);
  });

  test('a port already in use shows a native error dialog with the core\'s message and exits 1', async () => {
    const dirA = mkdtempSync(join(tmpdir(), 'ntmcp-desktop-a-'));
    const dirB = mkdtempSync(join(tmpdir(), 'ntmcp-desktop-b-'));
    const first = await startCompanion({ dataDir: dirA, port: 0, quoteIntervalMs: 50 });
    try {
      const electron = fakeElectron();
      const { shell } = makeShell(electron, dirB, { port: first.urls.port });
      assert.equal(await shell.start(), 'failed');
      assert.equal(electron.dialog.errors.length, 1);
      assert.match(electron.dialog.errors[0]!.title, /port in use/);
      assert.match(electron.dialog.errors[0]!.content, new RegExp(`Port ${first.urls.port} on 127\\.0\\.0\\.1 is already in use`));
      assert.equal(electron.app.exitCode, 1);
      assert.equal(FakeTray.instances.length, 0);
    } finally {
      await first.stop();
      rmSync(dirA, { recursive: true, force: true });
      rmSync(dirB, { recursive: true, force: true });
    }
  });

  test('started hidden (login item): tray only until the person opens the window', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ntmcp-desktop-h-'));
    const electron = fakeElectron();
    const { shell } = makeShell(electron, dir, { startHidden: true });
    try {
      assert.equal(await shell.start(), 'started');
      const win = FakeBrowserWindow.instances[0]!;
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(win.visible, false);
      assert.equal(FakeTray.instances.length, 1);
      FakeTray.instances[0]!.click('Open');
      assert.equal(win.visible, true);
    } finally {
      electron.app.quit();
      await shell.stopped;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Quit while the core is still starting stops it once it is up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ntmcp-desktop-q-'));
    const electron = fakeElectron({ readyNow: false });
    let core = null as Companion | null;
    const { shell } = makeShell(electron, dir, {
      start: async (o) => (core = await startCompanion(o)),
    });
    try {
      const started = shell.start();
      electron.app.quit(); // before Electron is even ready
      electron.app.makeReady();
      assert.equal(await started, 'started');
      await shell.stopped;
      assert.ok(core);
      await assert.rejects(fetch(`${core!.urls.primary}/`), 'the late core was stopped');
      assert.equal(FakeBrowserWindow.instances.length, 0, 'no window for an app that is quitting');
      assert.equal(electron.app.quitted, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
