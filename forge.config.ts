// Electron Forge configuration (the alternative to electron-builder.yml; `npm run dist` uses
// electron-builder). Needs @electron-forge/cli, plugin-vite, maker-squirrel and maker-zip installed,
// and package.json "main" pointing at ".vite/build/main.js" — plugin-vite refuses to package
// otherwise (see docs/desktop.md, "Packaging"). Packaging cannot run on the machines here.
//
// Plugins and makers are named as { name, config } rather than imported, so this file
// type-checks with or without the Forge packages installed.
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';
import { TRAY_STATES, writeIcons } from './build/make-icons.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The subset of Forge's ForgeConfig used here (@electron-forge/shared-types). */
interface ForgeConfigSubset {
  packagerConfig: {
    name: string;
    executableName: string;
    appBundleId: string;
    icon: string;
    asar: { unpack: string };
    extraResource: string[];
  };
  rebuildConfig: { onlyModules: string[]; force: boolean };
  makers: { name: string; platforms?: string[]; config: Record<string, unknown> }[];
  plugins: { name: string; config: Record<string, unknown> }[];
  hooks: {
    generateAssets?: () => Promise<void>;
    packageAfterCopy?: (config: unknown, buildPath: string, electronVersion: string, platform: string, arch: string) => Promise<void>;
  };
}

const config: ForgeConfigSubset = {
  packagerConfig: {
    name: 'NT MCP Companion',
    executableName: 'nt-mcp-companion',
    appBundleId: 'com.ntmcpcompanion.desktop', // = electron/app-id.ts
    icon: 'build/icon', // packager adds .ico / .icns per platform
    // better-sqlite3's compiled addon cannot be loaded from inside the asar archive.
    asar: { unpack: '**/node_modules/better-sqlite3/**/*.node' },
    // Tray icons land in resources/ (electron/main.ts looks there when packaged).
    extraResource: TRAY_STATES.map((s) => `build/tray-${s}.png`),
  },
  // Rebuild the native SQLite binding against Electron's ABI.
  rebuildConfig: { onlyModules: ['better-sqlite3'], force: true },
  makers: [
    { name: '@electron-forge/maker-squirrel', platforms: ['win32'], config: { name: 'nt_mcp_companion', setupIcon: 'build/icon.ico' } },
    { name: '@electron-forge/maker-zip', platforms: ['win32', 'linux', 'darwin'], config: {} },
  ],
  plugins: [
    {
      name: '@electron-forge/plugin-vite',
      config: {
        build: [
          { entry: 'electron/main.ts', config: 'electron/vite.main.config.ts', target: 'main' },
          { entry: 'electron/preload.ts', config: 'electron/vite.preload.config.ts', target: 'preload' },
        ],
        // The dashboard is built by renderer/vite.config.ts (below) and served by the core over
        // HTTP, not loaded from a Forge renderer target.
        renderer: [],
      },
    },
  ],
  hooks: {
    async generateAssets() {
      writeIcons({ dir: join(root, 'build') });
      await viteBuild({ configFile: join(root, 'renderer', 'vite.config.ts'), mode: 'production' });
    },
    // plugin-vite ships only .vite/ and package.json: add the dashboard the core serves
    // (src/control/dashboard.ts looks for renderer/dist/ next to the app root).
    async packageAfterCopy(_config, buildPath) {
      const dist = join(root, 'renderer', 'dist');
      if (!existsSync(join(dist, 'index.html'))) throw new Error('renderer/dist is missing: the generateAssets hook should have built it');
      cpSync(dist, join(buildPath, 'renderer', 'dist'), { recursive: true });
    },
  },
};

export default config;
