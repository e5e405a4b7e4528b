// Electron entry point: the only file that wires the real `electron` module into the shell.
// Bundled by scripts/desktop.mjs (ESM) into dist-electron/main.js next to preload.cjs.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, clipboard, dialog, Menu, nativeImage, Notification, session, shell, Tray, type NativeImage } from 'electron';
import { startCompanion } from '../src/companion.ts';
import { ConfigError, parseConfig } from '../src/config.ts';
import { APP_ID } from './app-id.ts';
import { createShell } from './shell.ts';
import { handleSquirrelEvent } from './squirrel.ts';
import { PRODUCT_NAME } from './tray-state.ts';

const here = dirname(fileURLToPath(import.meta.url));

function main(): void {
  if (handleSquirrelEvent(process.argv, process.execPath, process.platform, () => app.quit())) return;
  app.setName(PRODUCT_NAME);
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

  // Port, data dir and link mode come from the same environment variables as `npm start`
  // (NT_MCP_PORT, NT_MCP_DATA_DIR, NT_MCP_LINK); Electron's own argv is not the core's.
  let config;
  try {
    const parsed = parseConfig([], process.env);
    if (typeof parsed === 'string') throw new ConfigError('unexpected');
    config = parsed;
  } catch (e) {
    dialog.showErrorBox(`${PRODUCT_NAME}: bad configuration`, (e as Error).message);
    app.exit(1);
    return;
  }

  const iconDirs = app.isPackaged
    ? [join(process.resourcesPath, 'tray'), process.resourcesPath]
    : [join(app.getAppPath(), 'build')];

  const desktop = createShell<NativeImage>({
    electron: { app, BrowserWindow, Tray, Menu, Notification, nativeImage, clipboard, dialog, shell, session },
    startCompanion,
    companionOptions: {
      dataDir: config.dataDir,
      port: config.port,
      link: config.link,
      simSeed: config.simSeed,
      quoteIntervalMs: config.quoteIntervalMs,
      ...(config.pairingFile ? { pairingFile: config.pairingFile } : {}),
      // The add-on's C# sources: shipped as resources/addon (electron-builder.yml), the repository in development.
      addonInstall: { sourceRoot: app.isPackaged ? process.resourcesPath : app.getAppPath() },
    },
    preloadPath: join(here, 'preload.cjs'),
    iconDirs,
    // Launched at login with --hidden: only the tray icon shows.
    startHidden: process.argv.includes('--hidden'),
  });
  // Ctrl+C in `npm run desktop`, or a service manager: stop the core cleanly, as Quit does.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => desktop.quit());
  desktop.start().catch((e: unknown) => {
    dialog.showErrorBox(`${PRODUCT_NAME} could not start`, (e as Error).stack ?? String(e));
    app.exit(1);
  });
}

main();
