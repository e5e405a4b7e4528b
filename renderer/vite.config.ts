// Vite build for the dashboard: `npx vite build --config renderer/vite.config.ts` → renderer/dist/
// (served by the core at / under a strict CSP: no inline scripts, so Vite's module script is fine).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // No modulepreload polyfill: it would be an inline script under a CSP that forbids those.
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
  server: { host: '127.0.0.1' },
});
