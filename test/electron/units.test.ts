// Pure parts of the desktop shell: navigation rule, tray words and icon choice, preload API,
// drawn icons, Squirrel flags. No Electron, no core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { decideNavigation } from '../../electron/navigation.ts';
import { trayIconState, trayTooltip } from '../../electron/tray-state.ts';
import { desktopApi, VERSION_ARG } from '../../electron/preload-api.ts';
import { handleSquirrelEvent } from '../../electron/squirrel.ts';
import { appIconPng, encodeIco, iconFiles, trayPng, TRAY_STATES } from '../../build/make-icons.mjs';
import type { Status } from '../../src/control/contract.ts';

const OWN = ['http://127.0.0.1:47600', 'http://localhost:47600'];

test('navigation: only the companion origin loads in the window', () => {
  assert.equal(decideNavigation('http://127.0.0.1:47600/', OWN), 'allow');
  assert.equal(decideNavigation('http://LOCALHOST:47600/authorize/wait/1?k=2', OWN), 'allow');
  assert.equal(decideNavigation('http://127.0.0.1:47601/', OWN), 'block');
  assert.equal(decideNavigation('https://127.0.0.1:47600/', OWN), 'external', 'another origin (scheme differs)');
  assert.equal(decideNavigation('http://127.0.0.1:47600@evil.example/', OWN), 'block');
  assert.equal(decideNavigation('https://ninjatrader.com/', OWN), 'external');
  assert.equal(decideNavigation('https://a:b@ninjatrader.com/', OWN), 'block', 'credentials in URL');
  for (const u of ['http://example.com', 'file:///c:/x', 'javascript:1', 'data:,x', 'blob:http://127.0.0.1:47600/x', 'ms-calculator:', 'chrome://gpu', '']) {
    assert.equal(decideNavigation(u, OWN), 'block', u);
  }
  assert.equal(decideNavigation('http://127.0.0.1:47600/', []), 'block', 'before the core is up nothing is own');
});

function status(p: Partial<{ link: Status['link']['status']; consents: number; confirmations: number; kill: boolean; simulated: boolean }> = {}): Status {
  return {
    version: '0.1.0',
    mcpUrl: 'http://127.0.0.1:47600/mcp',
    dashboardUrl: 'http://127.0.0.1:47600/',
    link: {
      mode: 'simulator',
      status: p.link ?? 'connected',
      simulated: p.simulated ?? true,
      nt8Version: null,
      addonVersion: null,
      protocolVersion: 1,
      protocolMinor: 1,
      protocol: '1.1',
      accounts: [],
      connections: [],
      since: new Date(0).toISOString(),
      detail: '',
    },
    killSwitch: { engaged: p.kill ?? false, since: null },
    pending: { consents: p.consents ?? 0, confirmations: p.confirmations ?? 0 },
  };
}

test('tray icon: waiting requests outrank the link state', () => {
  assert.equal(trayIconState(status()), 'connected');
  assert.equal(trayIconState(status({ link: 'waiting' })), 'waiting');
  assert.equal(trayIconState(status({ link: 'disconnected' })), 'disconnected');
  assert.equal(trayIconState(status({ link: 'disconnected', confirmations: 1 })), 'attention');
});

test('tray tooltip: counts, link, kill switch; within Windows\' 127 characters', () => {
  assert.equal(trayTooltip(status()), 'NT MCP Companion\nNinjaTrader: connected (simulator)');
  assert.equal(trayTooltip(status({ simulated: false, link: 'waiting' })), 'NT MCP Companion\nNinjaTrader: waiting for the NT8 add-on');
  assert.equal(trayTooltip(status({ consents: 1 })).split('\n')[1], '1 request waiting');
  assert.equal(trayTooltip(status({ consents: 1, confirmations: 1, kill: true })), 'NT MCP Companion\n2 requests waiting\nNinjaTrader: connected (simulator)\nKill switch engaged');
  assert.ok(trayTooltip(status({ consents: 99999, kill: true })).length <= 127);
});

test('preload API: frozen data only, version from the argument the main process passes', () => {
  const api = desktopApi(['electron', `${VERSION_ARG}0.1.0`], 'win32');
  assert.deepEqual({ ...api }, { desktop: true, platform: 'win32', version: '0.1.0' });
  assert.ok(Object.isFrozen(api));
  assert.ok(Object.values(api).every((v) => typeof v !== 'function'), 'no functions cross the bridge');
  assert.equal(desktopApi([`${VERSION_ARG}<script>`], 'linux').version, null);
  assert.equal(desktopApi([], 'linux').version, null);
});

function pngSize(buf: Buffer): { w: number; h: number } {
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(buf.subarray(12, 16).toString('ascii'), 'IHDR');
  return { w: buf.readUInt32BE(16), h: buf.readUInt32BE(20) };
}

test('icons: valid PNGs of the promised sizes, an ICO holding a 256 px PNG, distinct tray states', () => {
  assert.deepEqual(pngSize(appIconPng(512)), { w: 512, h: 512 });
  const seen = new Set<string>();
  for (const s of TRAY_STATES) {
    const png = trayPng(s, 32);
    assert.deepEqual(pngSize(png), { w: 32, h: 32 });
    // The image data inflates to exactly 32 rows of (1 filter byte + 32 RGBA pixels).
    const idatLen = png.readUInt32BE(33);
    assert.equal(png.subarray(37, 41).toString('ascii'), 'IDAT');
    assert.equal(inflateSync(png.subarray(41, 41 + idatLen)).length, 32 * (1 + 32 * 4));
    seen.add(png.toString('base64'));
  }
  assert.equal(seen.size, TRAY_STATES.length, 'each state looks different');
  const ico = encodeIco(appIconPng(256), 256);
  assert.equal(ico.readUInt16LE(2), 1, 'type: icon');
  assert.equal(ico.readUInt16LE(4), 1, 'one image');
  assert.equal(ico[6], 0, '0 = 256 px');
  assert.deepEqual(pngSize(ico.subarray(ico.readUInt32LE(18))), { w: 256, h: 256 });
  assert.deepEqual(Object.keys(iconFiles()).filter((n) => !n.includes('@2x')).sort(), [
    'icon.ico',
    'icon.png',
    'tray-attention.png',
    'tray-connected.png',
    'tray-disconnected.png',
    'tray-waiting.png',
  ]);
});

test('Squirrel install flags are handled only on Windows, and only when present', () => {
  let quits = 0;
  const quit = () => quits++;
  assert.equal(handleSquirrelEvent(['app', '--squirrel-install'], '/x/app.exe', 'linux', quit), false);
  assert.equal(handleSquirrelEvent(['app.exe'], 'C:\\x\\app.exe', 'win32', quit), false);
  assert.equal(handleSquirrelEvent(['app.exe', '--squirrel-obsolete'], 'C:\\x\\app.exe', 'win32', quit), true);
  assert.equal(quits, 1);
});
