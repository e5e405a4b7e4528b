// The whole API the desktop window's page gets from the preload, as `window.ntDesktop`. The
// renderer talks to the core over HTTP (the control API), so it needs almost nothing here:
// only enough to know it runs inside the desktop app. No ipcRenderer, no Node, no functions.
// Types and a pure builder only: no `electron` import, so the renderer may import the type.

export const VERSION_ARG = '--nt-mcp-companion-version=';

export interface DesktopApi {
  readonly desktop: true;
  readonly platform: string;
  /** The app's version, or null when the main process did not pass it. */
  readonly version: string | null;
}

declare global {
  interface Window {
    /** Present only inside the desktop app. */
    ntDesktop?: DesktopApi;
  }
}

/** Builds the frozen object exposed through contextBridge, from the preload's own argv. */
export function desktopApi(argv: readonly string[], platform: string): DesktopApi {
  const raw = argv.find((a) => a.startsWith(VERSION_ARG))?.slice(VERSION_ARG.length) ?? '';
  const version = /^[0-9A-Za-z.+-]{1,64}$/.test(raw) ? raw : null;
  return Object.freeze({ desktop: true as const, platform, version });
}
