// The desktop shell: starts the companion core in the main process, keeps one instance, shows a
// tray icon and a secure window on the core's dashboard, and raises native notifications when a
// client asks for access or an order waits for confirmation. Every Electron object comes in
// through `deps.electron` (see electron/deps.ts), so this file runs in tests without Electron.
import { join } from 'node:path';
import { PortInUseError, type Companion } from '../src/companion.ts';
import { installAddon, planAddonInstall } from '../src/addon/install.ts';
import type { ControlEvent, OrderConfirmation, PendingConsent, Status } from '../src/control/contract.ts';
import { isolateText } from '../src/util/display-safe.ts';
import { trayPng, type TrayState } from '../build/make-icons.mjs';
import type { ImageLike, MenuItemTemplate, NotificationLike, PreventableEvent, ShellDeps, TrayLike, WindowLike } from './deps.ts';
import { decideNavigation } from './navigation.ts';
// Passed to the preload through argv: a sandboxed preload cannot read package.json.
import { VERSION_ARG } from './preload-api.ts';
import { linkLine, pendingCount, pendingLine, PRODUCT_NAME, trayIconState, trayTooltip } from './tray-state.ts';


export interface Shell<Img extends ImageLike = ImageLike> {
  /** Takes the single-instance lock, waits for Electron, starts the core, shows the tray and window. */
  start(): Promise<'started' | 'second-instance' | 'failed'>;
  /** Shows, restores and focuses the window (tray "Open", notification click, second launch). */
  showWindow(): void;
  /** Quits for real: stops the core, removes the tray, then lets Electron exit. */
  quit(): void;
  /** Resolves once the core has stopped during quit. */
  readonly stopped: Promise<void>;
  readonly companion: Companion | null;
  readonly window: WindowLike | null;
  readonly tray: TrayLike<Img> | null;
  /** Notifications currently shown, by request id. */
  readonly notifications: ReadonlyMap<string, NotificationLike>;
  /** The tray menu as last built (for tests and diagnostics). */
  readonly menuTemplate: readonly MenuItemTemplate[];
}

export function createShell<Img extends ImageLike>(deps: ShellDeps<Img>): Shell<Img> {
  const { app, BrowserWindow, Tray, Menu, Notification, nativeImage, clipboard, dialog, shell, session } = deps.electron;
  const log = deps.log ?? ((line: string) => console.log(`[desktop] ${line}`));
  const platform = deps.platform ?? process.platform;

  let companion: Companion | null = null;
  let win: WindowLike | null = null;
  let tray: TrayLike<Img> | null = null;
  let menuTemplate: MenuItemTemplate[] = [];
  let unsubscribe: (() => void) | null = null;
  let quitting = false;
  let showWhenReady = false;
  let stopping: Promise<void> | null = null;
  let coreStopped = false;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const notifications = new Map<string, NotificationLike>();
  /** Pending consent id → its client, to keep one consent notification per client. */
  const consentClients = new Map<string, string>();
  const images = new Map<string, Img>();

  // ── images ────────────────────────────────────────────────────────────────────────────────

  /** build/<name> when present (nicer, @2x aware), else an icon drawn in memory: never a blank tray. */
  function trayImage(state: TrayState): Img {
    const cached = images.get(state);
    if (cached) return cached;
    let img: Img | null = null;
    for (const dir of deps.iconDirs) {
      const candidate = nativeImage.createFromPath(join(dir, `tray-${state}.png`));
      if (!candidate.isEmpty()) {
        img = candidate;
        break;
      }
    }
    img ??= nativeImage.createFromDataURL(`data:image/png;base64,${trayPng(state, 32).toString('base64')}`);
    images.set(state, img);
    return img;
  }

  function windowIcon(): Img | undefined {
    if (platform === 'win32') return undefined; // the .exe's own icon is used
    for (const dir of deps.iconDirs) {
      const img = nativeImage.createFromPath(join(dir, 'icon.png'));
      if (!img.isEmpty()) return img;
    }
    return undefined;
  }

  // ── window ────────────────────────────────────────────────────────────────────────────────

  function ownOrigins(): string[] {
    return companion ? companion.urls.origins : [];
  }

  /** https: links leave for the person's browser; anything else is dropped. Logged either way. */
  function openOutside(url: string): void {
    if (decideNavigation(url, []) === 'external') {
      shell.openExternal(url).catch((e: unknown) => log(`could not open ${url}: ${(e as Error).message}`));
    } else {
      log(`blocked navigation to ${url}`);
    }
  }

  /** Applied to every web contents the app creates (Electron security checklist §13, §14, §12). */
  function guardContents(contents: { on: WindowLike['webContents']['on']; setWindowOpenHandler?: WindowLike['webContents']['setWindowOpenHandler'] }): void {
    const guard = (event: PreventableEvent & { url?: string }, url?: string) => {
      const target = event.url ?? url ?? '';
      if (decideNavigation(target, ownOrigins()) === 'allow') return;
      event.preventDefault();
      openOutside(target);
    };
    contents.on('will-navigate', guard);
    contents.on('will-redirect', guard);
    contents.on('will-attach-webview', (event: PreventableEvent) => event.preventDefault());
    contents.setWindowOpenHandler?.(({ url }) => {
      if (decideNavigation(url, ownOrigins()) !== 'allow') openOutside(url);
      return { action: 'deny' };
    });
  }

  function createWindow(c: Companion): WindowLike {
    const icon = windowIcon();
    const w = new BrowserWindow({
      width: 1180,
      height: 820,
      minWidth: 720,
      minHeight: 520,
      show: false,
      title: PRODUCT_NAME,
      autoHideMenuBar: true,
      backgroundColor: '#101826',
      ...(icon ? { icon } : {}),
      webPreferences: {
        preload: deps.preloadPath,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        spellcheck: false,
        additionalArguments: [`${VERSION_ARG}${app.getVersion()}`],
      },
    });
    guardContents(w.webContents);
    w.on('ready-to-show', () => {
      if (!deps.startHidden || showWhenReady) showWindow();
    });
    // Hide to tray: the core keeps serving MCP clients while the window is closed.
    w.on('close', (event: PreventableEvent) => {
      if (quitting) return;
      event.preventDefault();
      w.hide();
    });
    w.on('closed', () => {
      if (win === w) win = null;
    });
    // A fresh one-time link for each window: the code travels in the fragment (never sent over
    // HTTP) and is traded for a session cookie; the control token never goes in a URL.
    w.loadURL(c.dashboardLink()).catch((e: unknown) => log(`dashboard failed to load: ${(e as Error).message}`));
    return w;
  }

  function showWindow(): void {
    if (!win || win.isDestroyed()) {
      if (!companion) {
        showWhenReady = true; // still starting: show as soon as the window exists
        return;
      }
      win = createWindow(companion);
      showWhenReady = true;
      return;
    }
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  // ── tray ──────────────────────────────────────────────────────────────────────────────────

  function toggleKillSwitch(): void {
    if (!companion) return;
    // From the core's state, not the menu item's: the item may already have flipped itself.
    const engaged = companion.status().killSwitch.engaged;
    companion.trading.setKillSwitch(!engaged);
    log(`kill switch ${engaged ? 'released' : 'engaged'} from the tray`);
    refresh();
  }

  /**
   * Tray → "Install NinjaTrader add-on…": the same core function as the dashboard button
   * (src/addon/install.ts), after a native question naming where the files go.
   */
  async function installAddonFromTray(): Promise<void> {
    const opts = deps.companionOptions.addonInstall;
    const title = 'Install NinjaTrader add-on';
    try {
      const plan = planAddonInstall(opts);
      const { response } = await dialog.showMessageBox({
        type: 'question',
        title,
        message: 'Copy the NinjaTrader add-on into NinjaTrader 8?',
        detail: `${plan.files.length} source files go to ${plan.target}${plan.installedBefore ? ' (replacing the add-on there)' : ''}.${plan.nt8Found ? '' : " NinjaTrader 8's folder was not found for this user: start NinjaTrader 8 once first."}`,
        buttons: ['Install', 'Cancel'],
        defaultId: 0,
        cancelId: 1,
        noLink: true,
      });
      if (response !== 0) return;
      const result = await installAddon(opts);
      companion?.audit.record({ kind: 'control', event: 'addon.install', outcome: 'ok', detail: `from the tray: ${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed in ${result.target}` });
      log(`add-on installed from the tray into ${result.target}`);
      await dialog.showMessageBox({ type: 'info', title, message: 'NinjaTrader add-on installed', detail: result.message, buttons: ['OK'], noLink: true });
    } catch (e) {
      const message = (e as Error).message;
      companion?.audit.record({ kind: 'control', event: 'addon.install', outcome: 'refused', detail: `from the tray: ${message}` });
      log(`add-on install failed: ${message}`);
      await dialog.showMessageBox({ type: 'error', title, message: 'The add-on was not installed', detail: message, buttons: ['OK'], noLink: true });
    }
  }

  function buildMenu(status: Status): MenuItemTemplate[] {
    const waiting = pendingLine(status);
    return [
      { label: `Open ${PRODUCT_NAME}`, click: () => showWindow() },
      ...(waiting ? [{ label: `${waiting}…`, click: () => showWindow() }] : []),
      { type: 'separator' },
      { label: linkLine(status), enabled: false },
      { label: 'Copy MCP URL', click: () => companion && clipboard.writeText(companion.mcpUrl) },
      // A fresh one-time link each click (the control token never goes in a URL); nothing is logged.
      {
        label: 'Dashboard in your browser',
        click: () => {
          if (companion) shell.openExternal(companion.dashboardLink()).catch((e: unknown) => log(`could not open the browser: ${(e as Error).message}`));
        },
      },
      { label: 'Install NinjaTrader add-on…', click: () => void installAddonFromTray() },
      { type: 'separator' },
      { label: 'Kill switch (refuse new orders)', type: 'checkbox', checked: status.killSwitch.engaged, click: () => toggleKillSwitch() },
      { type: 'separator' },
      { label: 'Quit', click: () => quit() },
    ];
  }

  /** Mirrors the core into the tray: icon, tooltip, menu (kill switch checkbox) and badge. */
  function refresh(): void {
    if (!companion || !tray) return;
    const status = companion.status();
    tray.setImage(trayImage(trayIconState(status)));
    tray.setToolTip(trayTooltip(status));
    menuTemplate = buildMenu(status);
    tray.setContextMenu(Menu.buildFromTemplate(menuTemplate));
    app.setBadgeCount?.(pendingCount(status));
  }

  // ── notifications ─────────────────────────────────────────────────────────────────────────

  function notify(id: string, title: string, body: string): void {
    if (!Notification.isSupported()) return;
    const n = new Notification({ title, body });
    // Keep a reference until it is clicked or closed: a collected notification loses its click.
    notifications.set(id, n);
    n.on('click', () => {
      notifications.delete(id);
      showWindow();
    });
    n.on('close', () => notifications.delete(id));
    n.show();
  }

  // Client names are display-safe already (the core serves them through src/util/display-safe.ts);
  // in plain text they are also isolated (FSI…PDI, the text form of <bdi>) so a right-to-left
  // name cannot reorder the words around it — the same function the core uses.
  function consentNotice(c: PendingConsent): [string, string] {
    const trade = c.requestedScope.includes('mcp:trade');
    const name = isolateText(c.clientName);
    if (c.upgradeOf) {
      const widening = trade && !c.upgradeOf.scope.includes('mcp:trade');
      return [
        widening ? `${name} asks for an upgrade` : `${name} signs in again`,
        `“${name}”, already connected with ${c.upgradeOf.scope}, now asks to ${trade ? 'read and trade' : 'read'} your NinjaTrader accounts. Open ${PRODUCT_NAME} to approve or deny.`,
      ];
    }
    return [
      `${name} asks for access`,
      `“${name}” (name given by the client, sends you back to ${c.redirectLabel}) wants to ${trade ? 'read and trade' : 'read'} your NinjaTrader accounts. Open ${PRODUCT_NAME} to approve or deny.`,
    ];
  }

  function confirmationNotice(c: OrderConfirmation): [string, string] {
    return [`Confirm order from ${isolateText(c.clientName)}`, `${c.summary}${c.simulated ? ' (simulated)' : ''}. Open ${PRODUCT_NAME} to approve or deny.`];
  }

  function onEvent(e: ControlEvent): void {
    switch (e.type) {
      case 'consent.created': {
        // One notification per client at a time, however many requests it makes (a flood of
        // /authorize calls must not become a flood of notifications).
        consentClients.set(e.consent.id, e.consent.clientId);
        const key = `consent-client:${e.consent.clientId}`;
        if (!notifications.has(key)) notify(key, ...consentNotice(e.consent));
        break;
      }
      case 'consent.decided': {
        const clientId = consentClients.get(e.id);
        consentClients.delete(e.id);
        if (clientId === undefined || [...consentClients.values()].includes(clientId)) break;
        const key = `consent-client:${clientId}`;
        const n = notifications.get(key);
        notifications.delete(key);
        n?.close();
        break;
      }
      case 'confirmation.created':
        notify(e.confirmation.id, ...confirmationNotice(e.confirmation));
        break;
      case 'confirmation.decided': {
        const n = notifications.get(e.id);
        notifications.delete(e.id);
        n?.close();
        break;
      }
      case 'risk.breach':
        // A risk rule broke (src/trading/risk-rules.ts): the person hears it even with the window closed.
        notify(`risk:${e.account}`, `Risk rule broken on ${e.account}`, e.message);
        return;
      case 'link':
      case 'killswitch':
        break;
      default:
        return; // audit rows, activity, client changes: nothing in the tray depends on them
    }
    refresh();
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────────────────────

  function quit(): void {
    quitting = true;
    app.quit();
  }

  async function stopCore(c: Companion | null): Promise<void> {
    unsubscribe?.();
    unsubscribe = null;
    for (const n of notifications.values()) n.close();
    notifications.clear();
    tray?.destroy();
    tray = null;
    if (c) {
      log('stopping the companion core');
      await c.stop().catch((e: unknown) => log(`core stop failed: ${(e as Error).message}`));
    }
  }

  async function start(): Promise<'started' | 'second-instance' | 'failed'> {
    // One companion per user: a second launch hands over to the first and leaves.
    if (!app.requestSingleInstanceLock()) {
      log('another instance is running; handing over to it');
      app.quit();
      return 'second-instance';
    }
    const starting = deps.startCompanion(deps.companionOptions);
    app.on('second-instance', () => showWindow());
    app.on('activate', () => showWindow());
    // With no listener Electron quits when the last window closes; we live in the tray.
    app.on('window-all-closed', () => undefined);
    app.on('web-contents-created', (_event: unknown, contents: WindowLike['webContents']) => guardContents(contents));
    app.on('before-quit', (event: PreventableEvent) => {
      quitting = true;
      if (coreStopped) return; // the core is down: let Electron quit
      event.preventDefault();
      // Stop the core first (close sockets, flush SQLite), then quit for real. A second Quit
      // while stopping waits for the first.
      stopping ??= (async () => {
        // A core still starting is stopped once it is up.
        await stopCore(await starting.catch(() => null));
      })().finally(() => {
        coreStopped = true;
        resolveStopped();
        app.quit();
      });
    });

    const [core, ready] = await Promise.allSettled([starting, app.whenReady()]);
    if (ready.status === 'rejected') throw ready.reason;
    if (core.status === 'rejected') {
      const e = core.reason as Error;
      const title = e instanceof PortInUseError ? `${PRODUCT_NAME}: port in use` : `${PRODUCT_NAME} could not start`;
      log(`${title}: ${e.message}`);
      dialog.showErrorBox(title, e.message);
      coreStopped = true;
      resolveStopped();
      app.exit(1);
      return 'failed';
    }
    companion = core.value;
    log(`core started: MCP at ${companion.mcpUrl}`);
    if (quitting) return 'started'; // Quit arrived while starting: before-quit is stopping the core

    // No web permission is ever needed by the dashboard: deny every request and every check.
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);

    tray = new Tray(trayImage(trayIconState(companion.status())));
    tray.on('click', () => showWindow());
    unsubscribe = companion.bus.subscribe(onEvent);
    refresh();

    win = createWindow(companion);
    return 'started';
  }

  return {
    start,
    showWindow,
    quit,
    stopped,
    get companion() {
      return companion;
    },
    get window() {
      return win;
    },
    get tray() {
      return tray;
    },
    notifications,
    get menuTemplate() {
      return menuTemplate;
    },
  };
}
