// The one loopback HTTP server: Host/Origin guard first, then OAuth, control API, /mcp, the
// add-on WebSocket (upgrade on /addon) and the dashboard.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { checkHostAndOrigin, refuse } from './guard.ts';
import type { Urls } from './urls.ts';

export interface Routes {
  mount(app: Express): void;
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

/** Binds 127.0.0.1 only. Resolves with the port actually bound (useful with port 0). */
export async function listenLoopback(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host: '127.0.0.1', exclusive: true });
  });
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('unexpected server address');
  return addr.port;
}

export function createHttpServer(): Server {
  const server = createServer({ requestTimeout: 0, headersTimeout: 30_000, keepAliveTimeout: 65_000 });
  return server;
}

/** Attaches the request and upgrade handlers once the port (and therefore the URLs) is known. */
export function attachApp(server: Server, urls: Urls, routes: Routes): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  routes.mount(app);
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found', error_description: 'No such endpoint.' });
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const type = (err as { type?: string }).type;
    const status = type === 'entity.parse.failed' ? 400 : type === 'entity.too.large' ? 413 : 500;
    if (status === 500) console.error('[http] error:', err);
    if (res.headersSent) return;
    if (req.path === '/mcp') {
      res.status(status).json({ jsonrpc: '2.0', error: { code: status === 400 ? -32700 : -32603, message: status === 400 ? 'Parse error: the body is not valid JSON.' : status === 413 ? 'Request too large.' : 'Internal error.' }, id: null });
    } else {
      res.status(status).json({ error: status === 500 ? 'server_error' : 'invalid_request', error_description: status === 400 ? 'The body could not be parsed.' : status === 413 ? 'The body is too large.' : 'Internal error.' });
    }
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const verdict = checkHostAndOrigin(req, urls);
    if (!verdict.ok) return refuse(req, res, verdict);
    app(req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const verdict = checkHostAndOrigin(req, urls);
    if (!verdict.ok || !routes.upgrade?.(req, socket, head)) {
      socket.end(`HTTP/1.1 ${verdict.ok ? '404 Not Found' : '403 Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
  });
  return app;
}
