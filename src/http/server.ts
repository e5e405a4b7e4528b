// The one loopback HTTP server: Host/Origin guard first, then OAuth, control API, /mcp, the
// add-on WebSocket (upgrade on /addon) and the dashboard.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { clientErrorOf, DoorKeeper, doorOf, doorErrorBody, resolveLimits, type HttpLimits } from './doors.ts';
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

const keepers = new WeakMap<Server, DoorKeeper>();

export type HttpLimitOptions = Partial<Omit<HttpLimits, 'doors'>> & { doors?: Partial<HttpLimits['doors']> };

/**
 * Timeouts, per-door budgets and the socket cap are described in doors.ts. requestTimeout bounds
 * only the time to *receive* a request (Node's semantics): a tool call streaming progress for two
 * minutes while the person decides is not affected; `timeout` (socket inactivity) stays 0 for the
 * same reason.
 */
export function createHttpServer(options: HttpLimitOptions = {}): Server {
  const limits = resolveLimits(options);
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
  });
  const keeper = new DoorKeeper(limits);
  keeper.watch(server);
  keepers.set(server, keeper);
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
    const { status, message } = clientErrorOf(err);
    if (status === 500) console.error('[http] error:', err);
    if (res.headersSent) return;
    const door = doorOf(req.originalUrl);
    const code =
      status === 500
        ? door === 'control'
          ? 'internal_error'
          : 'server_error'
        : door === 'control' && status === 413
          ? 'too_large'
          : door === 'control' && status === 415
            ? 'unsupported_media_type'
            : 'invalid_request';
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).json(doorErrorBody(door, status, code, message));
  });

  const keeper = keepers.get(server);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const verdict = checkHostAndOrigin(req, urls);
    if (!verdict.ok) return refuse(req, res, verdict);
    if (keeper && !keeper.admit(req, res)) return;
    app(req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const verdict = checkHostAndOrigin(req, urls);
    if (verdict.ok && keeper && !keeper.admitUpgrade(req)) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!verdict.ok || !routes.upgrade?.(req, socket, head)) {
      socket.end(`HTTP/1.1 ${verdict.ok ? '404 Not Found' : '403 Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
  });
  return app;
}
