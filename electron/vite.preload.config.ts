// Vite config for Forge's plugin-vite, preload target (forge.config.ts). Sandboxed preloads must
// be CommonJS; the .cjs name keeps Node from reading it as ESM under "type": "module", and
// matches electron/main.ts (join(here, 'preload.cjs')).
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    rollupOptions: {
      external: ['electron'],
      input: 'electron/preload.ts',
      output: { format: 'cjs', entryFileNames: 'preload.cjs', inlineDynamicImports: true },
    },
  },
});
