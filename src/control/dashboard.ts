// Serves the built renderer (renderer/dist) at / — the dashboard link carries the control token
// in the URL fragment, which browsers never send to the server. Without a build, a plain page
// says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';

export const RENDERER_DIST = fileURLToPath(new URL('../../renderer/dist/', import.meta.url));

export function serveDashboard(app: Express, dist = RENDERER_DIST): void {
  const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  app.use((req, res, next) => {
    if (req.method === 'GET' && !req.path.startsWith('/control/') && req.path !== '/mcp') {
      res.setHeader('Content-Security-Policy', csp);
      res.setHeader('X-Frame-Options', 'DENY');
      res.setHeader('Referrer-Policy', 'no-referrer');
    }
    next();
  });
  if (existsSync(`${dist}index.html`)) {
    app.use(express.static(dist, { index: 'index.html', fallthrough: true, etag: false }));
    return;
  }
  app.get('/', (_req, res) => {
    res
      .type('html')
      .send(
        '<!doctype html><meta charset="utf-8"><title>NT MCP Companion</title><main style="font-family:system-ui;max-width:40rem;margin:3rem auto">' +
          '<h1>NT MCP Companion is running</h1><p>The dashboard has not been built. Run <code>npm run build:renderer</code> and reload.</p></main>',
      );
  });
}
