// Vite config for Forge's plugin-vite, main-process target (forge.config.ts). Forge merges this
// over its own defaults (lib build of electron/main.ts into .vite/build/).
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = fileURLToPath(new URL('../.vite/build/', import.meta.url));

/**
 * The core finds package.json and renderer/dist through `import.meta.url` of its source files;
 * give each src/ file the URL it would have had, so those relative paths still hold in the
 * bundle (same rule as scripts/desktop.mjs's esbuild plugin).
 */
function keepSourceUrls(): Plugin {
  const srcDir = `${root}src${sep}`;
  return {
    name: 'keep-source-import-meta-url',
    enforce: 'pre',
    transform(code, id) {
      if (!id.startsWith(srcDir) || !code.includes('import.meta.url')) return null;
      const rel = relative(outDir, id).split(sep).join('/');
      return { code: code.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), map: null };
    },
  };
}

export default defineConfig({
  plugins: [keepSourceUrls()],
  build: {
    // package.json has "type": "module": the main bundle is an ES module (Electron ≥ 28 loads it).
    lib: { entry: 'electron/main.ts', formats: ['es'], fileName: () => 'main.js' },
    rollupOptions: {
      // Native: loaded from node_modules (unpacked from the asar), rebuilt for Electron by Forge.
      external: ['electron', 'better-sqlite3', /^node:/],
    },
  },
});
