// The slice of the Electron API the shell uses, as plain interfaces. electron/main.ts passes the
// real `electron` module (the type checker proves it fits); tests pass hand-written fakes, so the
// shell's logic runs in plain Node without the Electron binary. Nothing here imports `electron`.
import type { Companion, CompanionOptions } from '../src/companion.ts';

// Listener arguments differ per event; each call site in shell.ts annotates what it receives.
type Listener = (...args: any[]) => void;

export interface PreventableEvent {
  preventDefault(): void;
}

export interface ImageLike {
  isEmpty(): boolean;
}

export interface AppLike {
  requestSingleInstanceLock(): boolean;
  whenReady(): Promise<unknown>;
  on(event: string, listener: Listener): unknown;
  quit(): void;
  exit(code?: number): void;
  getVersion(): string;
  setBadgeCount?(count?: number): boolean;
}

export interface WindowOpenDetails {
  url: string;
}

export interface WebContentsLike {
  on(event: string, listener: Listener): unknown;
  setWindowOpenHandler(handler: (details: WindowOpenDetails) => { action: 'deny' } | { action: 'allow' }): void;
}

export interface WindowOptions<Img extends ImageLike = ImageLike> {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  autoHideMenuBar: boolean;
  backgroundColor: string;
  icon?: Img;
  webPreferences: {
    preload: string;
    contextIsolation: boolean;
    sandbox: boolean;
    nodeIntegration: boolean;
    nodeIntegrationInWorker: boolean;
    nodeIntegrationInSubFrames: boolean;
    webSecurity: boolean;
    allowRunningInsecureContent: boolean;
    webviewTag: boolean;
    spellcheck: boolean;
    additionalArguments: string[];
  };
}

export interface WindowLike {
  readonly webContents: WebContentsLike;
  on(event: string, listener: Listener): unknown;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isVisible(): boolean;
  isDestroyed(): boolean;
  destroy(): void;
}

export interface MenuItemTemplate {
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox';
  checked?: boolean;
  enabled?: boolean;
  visible?: boolean;
  click?: (item: { checked: boolean }) => void;
}

export interface MenuLike {
  readonly items: unknown[];
}

export interface TrayLike<Img extends ImageLike = ImageLike> {
  on(event: string, listener: Listener): unknown;
  setImage(image: Img): void;
  setToolTip(text: string): void;
  setContextMenu(menu: MenuLike | null): void;
  destroy(): void;
}

export interface NotificationLike {
  on(event: string, listener: Listener): unknown;
  show(): void;
  close(): void;
}

export interface SessionLike {
  setPermissionRequestHandler(
    handler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null,
  ): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string) => boolean) | null): void;
}

export interface MessageBoxOptions {
  type: 'none' | 'info' | 'error' | 'question' | 'warning';
  title: string;
  message: string;
  detail?: string;
  buttons: string[];
  defaultId?: number;
  cancelId?: number;
  noLink?: boolean;
}

/** `Img` is Electron's NativeImage in main.ts and a fake in tests. */
export interface ElectronApi<Img extends ImageLike = ImageLike> {
  app: AppLike;
  BrowserWindow: new (options: WindowOptions<Img>) => WindowLike;
  Tray: new (image: Img) => TrayLike<Img>;
  Menu: { buildFromTemplate(template: MenuItemTemplate[]): MenuLike };
  Notification: { new (options: { title: string; body: string; silent?: boolean; icon?: Img }): NotificationLike; isSupported(): boolean };
  nativeImage: { createFromPath(path: string): Img; createFromDataURL(dataUrl: string): Img };
  clipboard: { writeText(text: string): void };
  dialog: {
    showErrorBox(title: string, content: string): void;
    /** A native question or notice (Install NinjaTrader add-on…); resolves with the index of the button. */
    showMessageBox(options: MessageBoxOptions): Promise<{ response: number }>;
  };
  shell: { openExternal(url: string): Promise<void> };
  session: { defaultSession: SessionLike };
}

export interface ShellDeps<Img extends ImageLike = ImageLike> {
  electron: ElectronApi<Img>;
  /** The core's entry point (src/companion.ts); tests pass the real one with a temp data dir. */
  startCompanion(options: CompanionOptions): Promise<Companion>;
  /** Data dir, port and link mode for the core (electron/main.ts reads them from the environment). */
  companionOptions: CompanionOptions;
  /** Absolute path of the bundled preload script (CommonJS: sandboxed preloads cannot be ESM). */
  preloadPath: string;
  /** Folders searched for tray-<state>.png and icon.png; missing files fall back to drawn icons. */
  iconDirs: string[];
  /** Start with the window hidden (launched at login): only the tray icon shows. */
  startHidden?: boolean;
  platform?: NodeJS.Platform;
  log?: (line: string) => void;
}
