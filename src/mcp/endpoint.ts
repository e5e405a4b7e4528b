// /mcp: the Streamable HTTP endpoint (SDK transport, stateful sessions), behind bearer-token
// authentication. Order of checks on every request: Host/Origin (http/guard.ts) → bearer token
// valid, unexpired, unrevoked and issued for this server → per-tool scope (403 insufficient_scope)
// → session belongs to the same client → the SDK transport.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { AuditLog } from '../audit/audit.ts';
import type { AuditOutcome } from '../control/contract.ts';
import type { Urls } from '../http/urls.ts';
import type { GrantRecord, OAuthService } from '../oauth/service.ts';
import { scopeIncludes, scopeList } from '../oauth/policy.ts';
import { Refusal } from '../trading/refusal.ts';
import { endCancelledRequest, transportBacklog } from './transport.ts';
import { describeZodError, toolErrorResult, type ToolContext, type ToolRegistry } from './registry.ts';

export interface McpEndpointDeps {
  oauth: OAuthService;
  audit: AuditLog;
  urls: Urls;
  tools: ToolRegistry;
  version: string;
  now: () => number;
  /** Sessions idle longer than this are closed. */
  sessionIdleMs?: number;
  maxSessionsPerClient?: number;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
  clientId: string;
  lastSeen: number;
}

type AuthedRequest = IncomingMessage & { auth?: AuthInfo };

export class McpEndpoint {
  private readonly sessions = new Map<string, Session>();
  /**
   * Tool calls in progress, by session and request id, so that a dropped response stream can
   * cancel them: this server keeps no event store, so a client that loses the stream can never
   * receive the result (resumption is impossible). For a trade waiting on the person, going on would
   * leave a prompt whose order nobody hears about — so a drop counts as the client cancelling.
   */
  private readonly inflight = new Map<string, AbortController>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly deps: McpEndpointDeps) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Per-request state held by all sessions' transports: zero between calls (see transport.ts). */
  backlog(): { sessions: number; streams: number; requests: number; responses: number; inflight: number } {
    const out = { sessions: this.sessions.size, streams: 0, requests: 0, responses: 0, inflight: this.inflight.size };
    for (const s of this.sessions.values()) {
      const b = transportBacklog(s.transport);
      out.streams += b.streams;
      out.requests += b.requests;
      out.responses += b.responses;
    }
    return out;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(all.map((s) => s.transport.close()));
  }

  async handle(req: AuthedRequest, res: ServerResponse): Promise<void> {
    const origin = this.deps.urls.originOf(req);
    const prm = this.deps.urls.prm(origin);

    // ── authentication (RFC 6750, MCP authorization spec) ──
    const header = req.headers.authorization ?? '';
    const m = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
    if (!m) {
      return this.unauthorized(res, `Bearer resource_metadata="${prm}", scope="mcp:read"`, 'Authorization needed: send a Bearer token (see the resource metadata).');
    }
    const access = this.deps.oauth.verifyAccessToken(m[1]!);
    if (!access) {
      this.deps.audit.record({ kind: 'auth', event: 'token.rejected', outcome: 'refused', detail: 'invalid, expired, revoked or foreign access token at /mcp' });
      return this.unauthorized(
        res,
        `Bearer error="invalid_token", error_description="The access token is invalid, expired or revoked", resource_metadata="${prm}"`,
        'The access token is invalid, expired or revoked.',
      );
    }
    const grant = access.grant;
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readJsonBody(req, MAX_BODY);
      if (!read.ok) return this.jsonRpcError(res, read.status, read.status === 413 ? -32600 : -32700, read.message, null);
      body = read.value;
    }

    // ── per-tool scope: a read token calling a trade tool gets 403 + step-up challenge ──
    if (req.method === 'POST') {
      const calls = toolCallsIn(body);
      const needsTrade = calls.filter((name) => this.deps.tools.scopeOf(name) === 'mcp:trade');
      if (needsTrade.length && !scopeIncludes(grant.scope, 'mcp:trade')) {
        for (const tool of needsTrade) {
          this.deps.audit.record({
            kind: 'tool',
            event: 'tool.call',
            clientId: grant.clientId,
            grantId: grant.id,
            tool,
            outcome: 'refused',
            detail: 'insufficient_scope: the grant has mcp:read only',
          });
        }
        // RFC 6750 §3.1 + MCP 2025-11-25 "Scope Challenge Handling": name the scopes the request
        // needs, existing ones included (the spec's recommended approach; SDK 1.32 replaces its
        // scope with this value, so naming only mcp:trade would lose mcp:read).
        this.deps.oauth.noteInsufficientScope(grant.id);
        res.writeHead(403, {
          'Content-Type': 'application/json',
          'WWW-Authenticate': `Bearer error="insufficient_scope", scope="mcp:read mcp:trade", resource_metadata="${prm}", error_description="This tool needs the mcp:trade scope; the person approves the upgrade in NT MCP Companion"`,
        });
        res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            error: { code: -32003, message: `Forbidden: ${needsTrade.join(', ')} needs the mcp:trade scope; this token has ${grant.scope}.` },
            id: singleId(body),
          }),
        );
        return;
      }
    }

    req.auth = {
      token: '[redacted]',
      clientId: grant.clientId,
      scopes: scopeList(grant.scope),
      expiresAt: Math.floor(access.expiresAt / 1000),
      resource: new URL(grant.resource),
      extra: { grant },
    };

    // ── sessions: bound to the client that created them ──
    const sid = req.headers['mcp-session-id'];
    if (typeof sid === 'string' && sid) {
      const s = this.sessions.get(sid);
      if (!s || s.clientId !== grant.clientId) {
        return this.jsonRpcError(res, 404, -32001, 'Session not found: start a new session with initialize.', singleId(body));
      }
      s.lastSeen = this.deps.now();
      const ids = toolCallIdsIn(body);
      if (ids.length) {
        res.once('close', () => {
          if (res.writableFinished) return;
          for (const id of ids) this.inflight.get(callKey(sid, id))?.abort(new Error('the client closed the response stream'));
        });
      }
      await s.transport.handleRequest(req, res, body);
      return;
    }
    if (req.method !== 'POST' || !isInitialize(body)) {
      return this.jsonRpcError(res, 400, -32000, 'Bad Request: no valid session; send initialize first.', singleId(body));
    }
    this.evictIfCrowded(grant.clientId);
    // Responses to POSTs are SSE streams (the SDK's default), not plain JSON: a tool call that
    // waits for the person must be able to send notifications/progress before its result, and
    // only a stream can carry them. Every MCP client accepts both (Streamable HTTP spec).
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: false,
      onsessioninitialized: (id) => {
        this.sessions.set(id, { transport, server, clientId: grant.clientId, lastSeen: this.deps.now() });
      },
      onsessionclosed: (id) => {
        this.sessions.delete(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    const server = this.buildServer(transport);
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  private buildServer(transport: StreamableHTTPServerTransport): Server {
    const { tools, audit, oauth, version } = this.deps;
    const server = new Server(
      { name: 'nt-mcp-companion', title: 'NT MCP Companion', version },
      {
        // listChanged: the tool list depends on the grant's scope, which an upgrade (or a narrower
        // re-authorization) changes under a live session.
        capabilities: { tools: { listChanged: true } },
        instructions:
          'NinjaTrader 8 through NT MCP Companion. Read tools need mcp:read; order tools need mcp:trade and, by default, ' +
          'a human approves each trade in the desktop app (the call waits). Limits and a kill switch are enforced by the server. ' +
          'Always check get_status first: it says whether the link is the built-in simulator (simulated) or real NinjaTrader.',
      },
    );
    // The scope this session's client last listed tools with: when a later call arrives with a
    // grant of another scope (an approved step-up), tell it its tool list changed. Sent on the
    // call's own response stream, so it reaches the client without a standalone GET stream.
    let listedScope: string | null = null;
    server.setRequestHandler(ListToolsRequestSchema, (_req, extra) => {
      const grant = grantOf(extra.authInfo);
      listedScope = grant.scope;
      return { tools: tools.list(scopeIncludes(grant.scope, 'mcp:trade')) };
    });
    server.setRequestHandler(CallToolRequestSchema, async (req, extra): Promise<CallToolResult> => {
      const grant = grantOf(extra.authInfo);
      if (listedScope !== null && listedScope !== grant.scope) {
        listedScope = grant.scope;
        await extra.sendNotification({ method: 'notifications/tools/list_changed' }).catch(() => {});
      }
      const name = req.params.name;
      const started = performance.now();
      const def = tools.get(name);
      const audit1 = (outcome: AuditOutcome, detail: string | null) => {
        // The one audit row of this call, written before the response leaves (the SDK sends it
        // only after this handler returns). Its outcome comes from the taxonomy, never from text.
        audit.record(
          {
            kind: 'tool',
            event: 'tool.call',
            clientId: grant.clientId,
            grantId: grant.id,
            tool: name,
            args: req.params.arguments ?? {},
            outcome,
            detail,
            latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
          },
          { also: () => oauth.touchGrant(grant.id) },
        );
      };
      const fail = (e: Refusal, signal = extra.signal): CallToolResult => {
        audit1(e.outcome, `${e.code}: ${e.message}${cancelledNote(signal, e)}`);
        return toolErrorResult(e.code, e.message, e.data);
      };
      if (!def) {
        audit1('error', 'unknown tool');
        // A protocol error (MCP spec: unknown tools are -32602). Thrown as a plain coded error:
        // an McpError's message already carries "MCP error -32602:", which clients add again.
        throw Object.assign(new Error(`Unknown tool: ${name}. Call tools/list to see the tools this token may use.`), { code: ErrorCode.InvalidParams });
      }
      if (def.scope === 'mcp:trade' && !scopeIncludes(grant.scope, 'mcp:trade')) {
        return fail(new Refusal('insufficient_scope', `${name} needs the mcp:trade scope; this client has ${grant.scope}.`));
      }
      const parsed = def.input.safeParse(req.params.arguments ?? {});
      if (!parsed.success) return fail(new Refusal('invalid_arguments', describeZodError(parsed.error)));
      // Aborted when the client cancels (notifications/cancelled) or drops the response stream.
      const key = callKey(extra.sessionId, extra.requestId);
      const dropped = new AbortController();
      this.inflight.set(key, dropped);
      const signal = AbortSignal.any([extra.signal, dropped.signal]);
      const token = req.params._meta?.progressToken;
      const progress: ToolContext['progress'] =
        token === undefined
          ? () => {}
          : (p) => {
              extra
                .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: p.progress, total: p.total, message: p.message } })
                .catch(() => {}); // the client went away: the result (or the cancel) will settle the call
            };
      try {
        const out = await def.handler(parsed.data, { grant, signal, progress });
        audit1('ok', `${out.text.length > 300 ? `${out.text.slice(0, 300)}…` : out.text}${cancelledNote(signal)}`);
        return { content: [{ type: 'text', text: out.text }], structuredContent: out.structured as Record<string, unknown> };
      } catch (e) {
        if (e instanceof Refusal) return fail(e, signal);
        console.error(`[mcp] tool ${name} failed:`, e instanceof Error ? e.stack : e);
        return fail(new Refusal('internal_error', `The companion could not run ${name}: ${e instanceof Error ? e.message : String(e)}`), signal);
      } finally {
        if (this.inflight.get(key) === dropped) this.inflight.delete(key);
        // A cancelled request gets no response (the SDK drops it, as the spec allows): end its
        // response stream now instead of leaving it open until the session closes, and release
        // the transport's correlation for it, which the SDK would otherwise keep for the
        // session's life (one entry per cancelled call; see transport.ts).
        if (extra.signal.aborted || dropped.signal.aborted) setImmediate(() => endCancelledRequest(transport, extra.requestId));
      }
    });
    return server;
  }

  private unauthorized(res: ServerResponse, challenge: string, message: string): void {
    res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': challenge });
    res.end(JSON.stringify({ error: 'invalid_token', error_description: message }));
  }

  private jsonRpcError(res: ServerResponse, status: number, code: number, message: string, id: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: id ?? null }));
  }

  private sweep(): void {
    const cutoff = this.deps.now() - (this.deps.sessionIdleMs ?? 30 * 60_000);
    for (const [id, s] of this.sessions) {
      if (s.lastSeen < cutoff) {
        this.sessions.delete(id);
        void s.transport.close();
      }
    }
  }

  /** Bounded memory: a client that opens sessions in a loop loses its oldest ones. */
  private evictIfCrowded(clientId: string): void {
    const max = this.deps.maxSessionsPerClient ?? 32;
    const mine = [...this.sessions.entries()].filter(([, s]) => s.clientId === clientId);
    if (mine.length < max) return;
    mine.sort((a, b) => a[1].lastSeen - b[1].lastSeen);
    for (const [id, s] of mine.slice(0, mine.length - max + 1)) {
      this.sessions.delete(id);
      void s.transport.close();
    }
  }
}

const MAX_BODY = 1024 * 1024;

/**
 * Reads a JSON-RPC body. Hand-written rather than express.json() because this is the hot path of
 * every tool call and body-parser's generality (charsets, inflation, type sniffing) costs more
 * than the whole rest of our per-request work.
 */
function readJsonBody(req: IncomingMessage, limit: number): Promise<{ ok: true; value: unknown } | { ok: false; status: 400 | 413 | 415; message: string }> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    req.resume();
    return Promise.resolve({ ok: false, status: 415, message: 'Unsupported Media Type: send Content-Type: application/json.' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        resolve({ ok: false, status: 413, message: 'Request too large (limit 1 MB).' });
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      try {
        resolve({ ok: true, value: JSON.parse(Buffer.concat(chunks, size).toString('utf8')) });
      } catch {
        resolve({ ok: false, status: 400, message: 'Parse error: the body is not valid JSON.' });
      }
    });
    req.on('error', () => {
      if (!done) {
        done = true;
        resolve({ ok: false, status: 400, message: 'The request body could not be read.' });
      }
    });
  });
}

/** For the audit: a result that finished after the client had cancelled was never delivered. */
function cancelledNote(signal: AbortSignal, e?: Refusal): string {
  return signal.aborted && e?.outcome !== 'cancelled' ? ' (the client had cancelled: this result was not delivered)' : '';
}

function grantOf(authInfo: AuthInfo | undefined): GrantRecord {
  const grant = (authInfo?.extra as { grant?: GrantRecord } | undefined)?.grant;
  if (!grant) throw new McpError(ErrorCode.InternalError, 'request reached the MCP server without authentication');
  return grant;
}

function messages(body: unknown): Record<string, unknown>[] {
  const list = Array.isArray(body) ? body : [body];
  return list.filter((m): m is Record<string, unknown> => !!m && typeof m === 'object');
}

function callKey(sessionId: string | undefined, requestId: unknown): string {
  return `${sessionId ?? ''}\u0000${typeof requestId}:${String(requestId)}`;
}

/** JSON-RPC ids of the tools/call requests in a body. */
function toolCallIdsIn(body: unknown): unknown[] {
  return messages(body)
    .filter((m) => m.method === 'tools/call' && (typeof m.id === 'string' || typeof m.id === 'number'))
    .map((m) => m.id);
}

function toolCallsIn(body: unknown): string[] {
  const names: string[] = [];
  for (const m of messages(body)) {
    if (m.method !== 'tools/call') continue;
    const name = (m.params as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string') names.push(name);
  }
  return names;
}

function isInitialize(body: unknown): boolean {
  return messages(body).some((m) => m.method === 'initialize');
}

function singleId(body: unknown): unknown {
  return !Array.isArray(body) && body && typeof body === 'object' ? ((body as { id?: unknown }).id ?? null) : null;
}
