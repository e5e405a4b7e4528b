// The companion's doors, and what keeps a slow or hostile client at one door from locking the
// others (issue 9, finding 5). One HTTP server serves four doors: /mcp, the OAuth endpoints, the
// add-on WebSocket upgrade, and the control API with the dashboard. The control door is where the
// person presses the kill switch, so nothing that happens at another door may make it unreachable.
//
// Three rules, all enforced before any route runs:
// 1. Timeouts (Node's own): headers must arrive within `headersTimeoutMs`, the whole request
//    (headers + body) within `requestTimeoutMs`; the server answers 408 and closes. Node's
//    requestTimeout covers only *receiving* the request, so a tools/call that streams progress for
//    minutes while the person decides is not cut off.
// 2. A budget per door of requests still being received: a request over its door's budget gets 503
//    at once (door-shaped JSON, Retry-After, Connection: close), so the control door's budget is its
//    own. Requests being answered (long-lived streams) do not count.
// 3. A cap on open sockets: past `maxSockets`, the oldest socket that is not being served (idle
//    keep-alive, still sending headers, or still sending its body) is closed. New connections are
//    always accepted, so the newest one — the kill switch — always gets in; file descriptors stay
//    bounded whatever the door.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { MCP_PATH } from './urls.ts';

export type Door = 'mcp' | 'oauth' | 'control' | 'addon';

export interface HttpLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** How often Node checks the two timeouts above (its default, 30 s, would let them overrun). */
  checkIntervalMs: number;
  maxSockets: number;
  /**
   * Requests per door that are still being *received* (headers in, body not complete). A request
   * whose body has arrived and is being answered — a dashboard's event stream, a tool call streaming
   * progress while the person decides — no longer counts: those are bounded by their own rules
   * (credentials, sessions per client), and counting them would let long-lived streams lock a door.
   */
  doors: Record<Door, number>;
  /** Bodies larger than this (by Content-Length) are refused with 413 before anything reads them. */
  maxBodyBytes: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
  maxSockets: 512,
  // mcp: every session's standalone GET stream plus calls that wait up to 120 s for the person.
  doors: { mcp: 128, oauth: 64, control: 64, addon: 8 },
  // The largest body any route accepts (/mcp, 1 MB); each route has its own smaller limit too.
  maxBodyBytes: 1024 * 1024,
};

export function resolveLimits(over: Partial<Omit<HttpLimits, 'doors'>> & { doors?: Partial<HttpLimits['doors']> } = {}): HttpLimits {
  return { ...DEFAULT_HTTP_LIMITS, ...over, doors: { ...DEFAULT_HTTP_LIMITS.doors, ...(over.doors ?? {}) } };
}

const OAUTH_PATHS = ['/.well-known/', '/authorize', '/token', '/register', '/revoke', '/docs/'];

/** The door a request path belongs to; the dashboard's pages count with the control API. */
export function doorOf(url: string | undefined): Door {
  const path = (url ?? '/').split('?')[0]!;
  if (path === MCP_PATH || path.startsWith(`${MCP_PATH}/`)) return 'mcp';
  if (path === '/addon') return 'addon';
  if (OAUTH_PATHS.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`))) return 'oauth';
  return 'control';
}

/** The error body each door documents: JSON-RPC for /mcp, OAuth error JSON, the control API's shape. */
export function doorErrorBody(door: Door, status: number, code: string, message: string): unknown {
  if (door === 'mcp') {
    const rpc = status === 400 ? -32700 : status === 413 || status === 415 ? -32600 : status >= 500 && status !== 503 ? -32603 : -32000;
    return { jsonrpc: '2.0', error: { code: rpc, message }, id: null };
  }
  if (door === 'control') return { error: code, message };
  return { error: code, error_description: message };
}

export function sendDoorError(res: ServerResponse, door: Door, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(doorErrorBody(door, status, code, message));
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

interface SocketState {
  /** The request being served on this socket, if any. */
  current: { req: IncomingMessage; res: ServerResponse } | null;
  upgraded: boolean;
}

export class DoorKeeper {
  private readonly sockets = new Map<Socket, SocketState>();
  /** Admitted requests per door whose body may still be arriving (pruned lazily). */
  private readonly receiving: Record<Door, Set<IncomingMessage>> = { mcp: new Set(), oauth: new Set(), control: new Set(), addon: new Set() };

  constructor(private readonly limits: HttpLimits) {}

  /** Installs the socket tracking on a server (call before any request handler). */
  watch(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.sockets.set(socket, { current: null, upgraded: false });
      socket.once('close', () => this.sockets.delete(socket));
      if (this.sockets.size > this.limits.maxSockets) this.evictOne(socket);
    });
  }

  /**
   * Admits a request at its door, or answers it (503/413/415) and returns false. An admitted
   * request holds one place in its door's budget until its response has ended.
   */
  admit(req: IncomingMessage, res: ServerResponse): boolean {
    const door = doorOf(req.url);
    const state = this.sockets.get(req.socket as Socket);
    const receiving = this.receiving[door];
    for (const r of receiving) if (r.complete || r.destroyed || r.socket.destroyed) receiving.delete(r);
    if (receiving.size >= this.limits.doors[door]) {
      sendDoorError(
        res,
        door,
        503,
        door === 'mcp' ? 'busy' : door === 'control' ? 'busy' : 'temporarily_unavailable',
        'The companion is busy at this door (too many requests in progress); try again in a moment.',
        { 'Retry-After': '1', Connection: 'close' },
      );
      return false;
    }
    if (!req.complete) receiving.add(req);
    if (state) state.current = { req, res };
    const release = () => {
      receiving.delete(req);
      if (state && state.current?.res === res) state.current = null;
    };
    res.once('close', release);

    const length = Number(req.headers['content-length'] ?? 0);
    if (Number.isFinite(length) && length > this.limits.maxBodyBytes) {
      sendDoorError(res, door, 413, door === 'mcp' || door === 'control' ? 'too_large' : 'invalid_request', `The body is too large (limit ${this.limits.maxBodyBytes} bytes).`, { Connection: 'close' });
      return false;
    }
    // Compressed bodies are refused everywhere: no client of a loopback server needs them, and
    // inflating them is a way to make a small request cost a lot of memory.
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity' && encoding !== '') {
      sendDoorError(res, door, 415, door === 'oauth' ? 'invalid_request' : 'unsupported_media_type', `Content-Encoding "${encoding.slice(0, 40)}" is not supported; send the body uncompressed.`, { Connection: 'close' });
      return false;
    }
    return true;
  }

  /**
   * An upgrade (the add-on WebSocket) is admitted at the addon door while fewer than its budget of
   * upgraded sockets are open; an admitted socket is never evicted (it is the link to NinjaTrader).
   */
  admitUpgrade(req: IncomingMessage): boolean {
    let upgraded = 0;
    for (const s of this.sockets.values()) if (s.upgraded) upgraded++;
    if (upgraded >= this.limits.doors.addon) return false;
    const state = this.sockets.get(req.socket as Socket);
    if (state) state.upgraded = true;
    return true;
  }

  /** Closes the oldest socket that is not being served; never the one that just arrived. */
  private evictOne(newcomer: Socket): void {
    for (const [socket, state] of this.sockets) {
      if (socket === newcomer || state.upgraded) continue;
      const c = state.current;
      const beingServed = c !== null && c.req.complete && !c.res.writableEnded;
      if (beingServed) continue;
      this.sockets.delete(socket);
      socket.destroy();
      return;
    }
  }
}

/**
 * What a failed request tells its client. Body-parser and friends throw http-errors with a 4xx
 * `status` and `expose: true` for every problem with the request itself (malformed JSON, an
 * unsupported charset or encoding, a body over the limit, a body shorter than its Content-Length):
 * those are the client's errors and are answered as such. Anything else is ours: 500, with no
 * detail and no stack trace in the response.
 */
export function clientErrorOf(err: unknown): { status: number; message: string } {
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown; type?: unknown } | null;
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status < 400 || status > 499) return { status: 500, message: 'Internal error.' };
  switch (e?.type) {
    case 'entity.parse.failed':
      return { status: 400, message: 'The body could not be parsed.' };
    case 'entity.too.large':
      return { status: 413, message: 'The body is too large.' };
    case 'charset.unsupported':
      return { status: 415, message: 'Unsupported charset: send the body as UTF-8.' };
    case 'encoding.unsupported':
      return { status: 415, message: 'Unsupported Content-Encoding: send the body uncompressed.' };
    case 'request.size.invalid':
    case 'request.aborted':
      return { status: 400, message: 'The body did not match its Content-Length.' };
    default:
      return { status: status === 413 || status === 415 ? status : 400, message: 'The request could not be read.' };
  }
}
