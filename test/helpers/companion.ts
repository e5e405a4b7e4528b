// Test harness: a real companion (real HTTP on port 0, real SQLite in a temp dir, the real
// simulator over a real WebSocket), plus a headless "browser" and control-API helpers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { startCompanion, type Companion, type CompanionOptions } from '../../src/companion.ts';
import type { PendingConsent, ApproveConsentBody, OrderConfirmation } from '../../src/control/contract.ts';

export interface TestCompanion extends Companion {
  dir: string;
  origin: string;
  control(path: string, init?: { method?: string; body?: unknown; token?: string | null }): Promise<Response>;
  controlJson<T = Record<string, unknown>>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  waitForConsent(timeoutMs?: number): Promise<PendingConsent>;
  waitForConfirmation(timeoutMs?: number): Promise<OrderConfirmation>;
  cleanup(): Promise<void>;
}

export async function startTestCompanion(opts: Partial<CompanionOptions> = {}): Promise<TestCompanion> {
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'ntmcp-test-'));
  // simHours 24x7: tests that fill orders must not depend on today being a trading day. Tests of
  // the calendar pass simHours 'cme' and a pinned clock explicitly.
  const c = await startCompanion({ port: 0, quoteIntervalMs: 0, waitHoldMs: 100, simHours: '24x7', ...opts, dataDir: dir });
  const origin = c.urls.primary;
  const control: TestCompanion['control'] = (path, init = {}) =>
    fetch(`${origin}/control/v1${path}`, {
      method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
      headers: {
        ...(init.token === null ? {} : { Authorization: `Bearer ${init.token ?? c.controlToken}` }),
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : init.method === 'POST' ? undefined : undefined,
    });
  const controlJson = async <T,>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const r = await control(path, init);
    const body = (await r.json()) as T;
    if (!r.ok) throw new Error(`control ${path} → ${r.status} ${JSON.stringify(body)}`);
    return body;
  };
  const poll = async <T,>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> => {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const v = await fn();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  return Object.assign(c, {
    dir,
    origin,
    control,
    controlJson,
    waitForConsent: (timeoutMs = 5000) =>
      poll(async () => (await controlJson<{ consents: PendingConsent[] }>('/consents')).consents[0], timeoutMs, 'a pending consent'),
    waitForConfirmation: (timeoutMs = 5000) =>
      poll(async () => (await controlJson<{ confirmations: OrderConfirmation[] }>('/confirmations')).confirmations[0], timeoutMs, 'a pending confirmation'),
    async cleanup() {
      await c.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/**
 * The control API of a companion running as its own process (`npm start`): GET without a body, POST
 * JSON with one; the parsed answer, or an error naming the path and status.
 */
export function controlOfProcess(controlUrl: string, token: string) {
  return async <T,>(path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${controlUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const j = (await r.json()) as T;
    if (!r.ok) throw new Error(`control ${path} → ${r.status} ${JSON.stringify(j)}`);
    return j;
  };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A public client registered the way mcp-remote / Claude Code do. */
export async function registerClient(origin: string, meta: Record<string, unknown> = {}): Promise<{ client_id: string; client_secret?: string; [k: string]: unknown }> {
  const r = await fetch(`${origin}/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Test Client',
      redirect_uris: ['http://127.0.0.1:33418/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...meta,
    }),
  });
  const body = (await r.json()) as { client_id: string };
  if (r.status !== 201) throw new Error(`register → ${r.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * The person's browser: opens the authorization URL, follows the companion's redirects to the
 * waiting page, and returns where the companion finally sends the browser (the client's redirect).
 * `decide` runs once the waiting page is shown: it is the person acting in the desktop app.
 */
export async function browse(authorizationUrl: string, decide: (consentId: string) => Promise<void>, opts: { maxPolls?: number } = {}): Promise<URL> {
  let url = authorizationUrl;
  let decided = false;
  for (let i = 0; i < (opts.maxPolls ?? 200); i++) {
    const r = await fetch(url, { redirect: 'manual', headers: { Accept: 'text/html' } });
    if (r.status === 303 || r.status === 302) {
      const loc = new URL(r.headers.get('location')!, url);
      const own = new URL(authorizationUrl).origin;
      if (loc.origin !== own) return loc; // left the companion: this is the client's redirect_uri
      url = loc.href;
      continue;
    }
    const text = await r.text();
    if (r.status !== 200) throw new Error(`authorization page answered ${r.status}: ${text.slice(0, 300)}`);
    if (!decided) {
      decided = true;
      const id = /\/authorize\/wait\/([^/?]+)/.exec(new URL(url).pathname)?.[1];
      if (!id) throw new Error(`not a waiting page: ${url}`);
      await decide(id);
    }
  }
  throw new Error('the browser never left the waiting page');
}

/** The person approves a consent at the desktop: the given one, or else the oldest pending. */
export async function approveNext(c: TestCompanion, body: ApproveConsentBody = {}, id?: string): Promise<PendingConsent> {
  const consent = id
    ? (await c.controlJson<{ consents: PendingConsent[] }>('/consents')).consents.find((x) => x.id === id)
    : await c.waitForConsent();
  if (!consent) throw new Error(`consent ${id} is not pending`);
  await c.controlJson(`/consents/${consent.id}/approve`, { body });
  return consent;
}

/** Full code flow with raw HTTP: register → authorize → approve → code → tokens. */
export async function authorizeRaw(
  c: TestCompanion,
  opts: { scope?: string; approve?: ApproveConsentBody; clientMeta?: Record<string, unknown>; host?: string } = {},
): Promise<{ clientId: string; tokens: { access_token: string; refresh_token: string; scope: string; expires_in: number }; verifier: string; redirectUri: string }> {
  const origin = opts.host ? c.origin.replace('127.0.0.1', opts.host) : c.origin;
  const client = await registerClient(origin, opts.clientMeta);
  const redirectUri = 'http://127.0.0.1:33418/callback';
  const { verifier, challenge } = pkcePair();
  const u = new URL(`${origin}/authorize`);
  u.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'st-1',
    scope: opts.scope ?? 'mcp:read',
    resource: `${origin}/mcp`,
  }).toString();
  const back = await browse(u.href, async (id) => {
    await approveNext(c, opts.approve ?? {}, id);
  });
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code in ${back.href}`);
  const tr = await fetch(`${origin}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirectUri, client_id: client.client_id, resource: `${origin}/mcp` }),
  });
  const tokens = (await tr.json()) as { access_token: string; refresh_token: string; scope: string; expires_in: number };
  if (tr.status !== 200) throw new Error(`token → ${tr.status} ${JSON.stringify(tokens)}`);
  return { clientId: client.client_id, tokens, verifier, redirectUri };
}

/**
 * A JSON-RPC POST to /mcp with a bearer token (raw HTTP, no SDK). The companion answers requests
 * with an SSE stream (so a tool call can send progress first); this reads it to the end and gives
 * back the JSON-RPC response as a JSON body, keeping status and headers; `notifications` holds any
 * notifications that came before it.
 */
export async function mcpPost(origin: string, token: string | null, body: unknown, headers: Record<string, string> = {}): Promise<Response & { notifications?: unknown[] }> {
  const r = await fetch(`${origin}/mcp`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  if (!/^text\/event-stream/.test(r.headers.get('content-type') ?? '')) return r;
  const messages = (await r.text())
    .split('\n\n')
    .map((ev) => ev.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n'))
    .filter(Boolean)
    .map((d) => JSON.parse(d) as { id?: unknown; method?: string });
  const responses = messages.filter((m) => m.id !== undefined && m.method === undefined);
  const h = new Headers(r.headers);
  h.set('content-type', 'application/json');
  const out = new Response(JSON.stringify(responses.length === 1 ? responses[0] : responses), { status: r.status, headers: h });
  return Object.assign(out, { notifications: messages.filter((m) => m.method !== undefined) });
}

export const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-test', version: '1' } },
};

/**
 * A companion with ES at 6000 and one SDK client granted trade on Sim101 (the grant's other fields
 * from `approve`), listing tools first as hosts do. `done()` closes both.
 */
export async function tradingSetup(name: string, approve: ApproveConsentBody, opts: Partial<CompanionOptions> = {}) {
  const { connectWithOAuth, HeadlessProvider } = await import('./sdk-client.ts');
  const c = await startTestCompanion(opts);
  c.simulator!.setQuote('ES', 6000);
  const conn = await connectWithOAuth(
    c.mcpUrl,
    (id) => approveNext(c, { scope: 'mcp:read mcp:trade', accounts: ['Sim101'], ...approve }, id).then(() => {}),
    new HeadlessProvider('http://127.0.0.1:9000/cb', name),
  );
  return {
    c,
    conn,
    done: async () => {
      await conn.close().catch(() => {});
      await c.cleanup();
    },
  };
}
