// Hand-written stand-ins for the slice of Electron the shell uses (electron/deps.ts). They record
// what the shell did and let a test play the user (close the window, click a menu item or a
// notification, launch a second instance). The type checker holds them to the same interfaces
// as the real `electron` module in electron/main.ts.
import { existsSync } from 'node:fs';
import type {
  ElectronApi,
  MenuItemTemplate,
  MessageBoxOptions,
  MenuLike,
  NotificationLike,
  SessionLike,
  TrayLike,
  WebContentsLike,
  WindowLike,
  WindowOpenDetails,
  WindowOptions,
} from '../../electron/deps.ts';

type AnyListener = (...args: any[]) => void;

class Emitter {
  readonly listeners = new Map<string, AnyListener[]>();
  on(event: string, listener: AnyListener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) l(...args);
  }
  count(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

export interface FakeEvent {
  preventDefault(): void;
  readonly defaultPrevented: boolean;
  url?: string;
}

export function fakeEvent(extra: { url?: string } = {}): FakeEvent {
  let prevented = false;
  return {
    ...extra,
    preventDefault() {
      prevented = true;
    },
    get defaultPrevented() {
      return prevented;
    },
  };
}

export class FakeImage {
  constructor(
    readonly source: string,
    private readonly empty: boolean,
  ) {}
  isEmpty(): boolean {
    return this.empty;
  }
}

export class FakeApp extends Emitter {
  hasLock = true;
  quitCalls = 0;
  exitCode: number | null = null;
  /** True once a quit went through (before-quit not prevented). */
  quitted = false;
  badge: number | null = null;
  private readyResolve!: () => void;
  private readonly ready = new Promise<void>((r) => (this.readyResolve = r));
  constructor({ readyNow = true } = {}) {
    super();
    if (readyNow) this.readyResolve();
  }
  makeReady(): void {
    this.readyResolve();
  }
  requestSingleInstanceLock(): boolean {
    return this.hasLock;
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  quit(): void {
    this.quitCalls++;
    const e = fakeEvent();
    this.emit('before-quit', e);
    if (!e.defaultPrevented) this.quitted = true;
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
  getVersion(): string {
    return '0.1.0-test';
  }
  setBadgeCount(count = 0): boolean {
    this.badge = count;
    return true;
  }
}

export class FakeWebContents extends Emitter implements WebContentsLike {
  openHandler: ((d: WindowOpenDetails) => { action: 'deny' } | { action: 'allow' }) | null = null;
  setWindowOpenHandler(handler: (d: WindowOpenDetails) => { action: 'deny' } | { action: 'allow' }): void {
    this.openHandler = handler;
  }
  /** The page tries to navigate; returns whether the shell stopped it. Electron 45 passes (details, url). */
  navigate(url: string, event: 'will-navigate' | 'will-redirect' = 'will-navigate'): boolean {
    const e = fakeEvent({ url });
    this.emit(event, e, url);
    return e.defaultPrevented;
  }
  /** The page calls window.open(url). */
  open(url: string): { action: string } {
    if (!this.openHandler) return { action: 'allow' };
    return this.openHandler({ url });
  }
}

export class FakeBrowserWindow extends Emitter implements WindowLike {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  visible = false;
  focused = false;
  minimized = false;
  destroyed = false;
  constructor(readonly options: WindowOptions<FakeImage>) {
    super();
    FakeBrowserWindow.instances.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    queueMicrotask(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
    this.focused = false;
  }
  focus(): void {
    this.focused = true;
  }
  restore(): void {
    this.minimized = false;
  }
  minimize(): void {
    this.minimized = true;
    this.focused = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('closed');
  }
  /** The person clicks the window's close button; returns whether the window really closed. */
  userClose(): boolean {
    const e = fakeEvent();
    this.emit('close', e);
    if (e.defaultPrevented) return false;
    this.destroy();
    return true;
  }
}

export class FakeMenu implements MenuLike {
  constructor(readonly items: MenuItemTemplate[]) {}
  static buildFromTemplate(template: MenuItemTemplate[]): FakeMenu {
    return new FakeMenu(template);
  }
}

export class FakeTray extends Emitter implements TrayLike<FakeImage> {
  static instances: FakeTray[] = [];
  tooltip = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  constructor(public image: FakeImage) {
    super();
    FakeTray.instances.push(this);
  }
  setImage(image: FakeImage): void {
    this.image = image;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: MenuLike | null): void {
    this.menu = menu as FakeMenu | null;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** The menu item whose label starts with `label`. */
  item(label: string): MenuItemTemplate {
    const item = this.menu?.items.find((i) => i.label?.startsWith(label));
    if (!item) throw new Error(`no tray menu item "${label}" in ${JSON.stringify(this.menu?.items.map((i) => i.label))}`);
    return item;
  }
  /** Clicks a menu item the way Electron does: a checkbox flips itself before `click` runs. */
  click(label: string): void {
    const item = this.item(label);
    if (item.type === 'checkbox') item.checked = !item.checked;
    item.click?.({ checked: item.checked ?? false });
  }
}

export class FakeNotification extends Emitter implements NotificationLike {
  static instances: FakeNotification[] = [];
  static supported = true;
  shown = false;
  closed = false;
  constructor(readonly options: { title: string; body: string }) {
    super();
    FakeNotification.instances.push(this);
  }
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
    this.emit('close');
  }
  click(): void {
    this.emit('click');
  }
}

export class FakeSession implements SessionLike {
  requestHandler: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | null = null;
  checkHandler: ((wc: unknown, permission: string) => boolean) | null = null;
  setPermissionRequestHandler(h: FakeSession['requestHandler']): void {
    this.requestHandler = h;
  }
  setPermissionCheckHandler(h: FakeSession['checkHandler']): void {
    this.checkHandler = h;
  }
}

export interface FakeElectron extends ElectronApi<FakeImage> {
  app: FakeApp;
  clipboard: { text: string | null; writeText(text: string): void };
  dialog: {
    errors: { title: string; content: string }[];
    showErrorBox(title: string, content: string): void;
    /** Every message box shown; `answers` are the button indexes the "person" clicks, in order (default 0). */
    boxes: MessageBoxOptions[];
    answers: number[];
    showMessageBox(options: MessageBoxOptions): Promise<{ response: number }>;
  };
  shell: { opened: string[]; openExternal(url: string): Promise<void> };
  session: { defaultSession: FakeSession };
}

/** A fresh fake `electron` module; class-level instance lists are reset. */
export function fakeElectron(opts: { readyNow?: boolean } = {}): FakeElectron {
  FakeBrowserWindow.instances = [];
  FakeTray.instances = [];
  FakeNotification.instances = [];
  FakeNotification.supported = true;
  const clipboard = {
    text: null as string | null,
    writeText(text: string) {
      clipboard.text = text;
    },
  };
  const dialog = {
    errors: [] as { title: string; content: string }[],
    showErrorBox(title: string, content: string) {
      dialog.errors.push({ title, content });
    },
    boxes: [] as MessageBoxOptions[],
    answers: [] as number[],
    async showMessageBox(options: MessageBoxOptions) {
      dialog.boxes.push(options);
      return { response: dialog.answers.shift() ?? 0 };
    },
  };
  const shell = {
    opened: [] as string[],
    async openExternal(url: string) {
      shell.opened.push(url);
    },
  };
  return {
    app: new FakeApp(opts),
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Menu: FakeMenu,
    Notification: FakeNotification,
    nativeImage: {
      createFromPath: (p: string) => new FakeImage(p, !existsSync(p)),
      createFromDataURL: (u: string) => new FakeImage(u, false),
    },
    clipboard,
    dialog,
    shell,
    session: { defaultSession: new FakeSession() },
  };
}

/** Waits until `cond` holds (the core's events arrive on its own schedule). */
export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
