// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-02, section numbers
// below are that revision's; MCP 2025-11-25
// authorization, "the registration clients now prefer"): a client_id that is an https URL names a
// JSON document, published by the client, that holds its metadata. The companion fetches it itself,
// so the host that served it is verified (by TLS), unlike a name sent to /register.
//
// Fetch rules (docs/security.md, "Client ID Metadata Documents"; CIMD §5 discovery, §5.2 caching,
// §8.6 SSRF, §8.7 maximum response size):
// - https only; the URL has a path, no fragment, no credentials, no dot segments.
// - The host must resolve to public addresses only. Loopback is allowed only with the opt-in
//   `allowLoopback` (tests, development), and then only when *every* address is loopback; other
//   private, link-local, CGNAT, multicast and reserved ranges are always refused. The connection uses
//   the very address that was checked (a custom `lookup`), so DNS cannot rebind between check and use.
// - No redirects: a 3xx is an error (the document must live at its own client_id).
// - At most `maxBytes` (5 KB) and `timeoutMs` (5 s) for the whole exchange; 200 and JSON only.
// - Cached for Cache-Control max-age (no-store / no-cache: not cached), at most 24 h, default 5 min.
// - At most 8 different documents in flight at once; concurrent requests for one URL share a fetch.
// - The TLS certificate is verified as usual; NODE_EXTRA_CA_CERTS adds trusted CAs (tests).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { redirectUriProblem } from './policy.ts';

export interface CimdOptions {
  now: () => number;
  /** Opt-in: accept documents on loopback addresses (tests and development only). */
  allowLoopback?: boolean;
  maxBytes?: number;
  timeoutMs?: number;
  /** Test seam: trust exactly these CA certificates (PEM) instead of the system store. */
  ca?: string;
}

/** A document that passed every check. */
export interface ClientMetadataDocument {
  clientId: string;
  /** host[:port] of the client_id URL: what TLS verified. */
  host: string;
  clientName: string | null;
  redirectUris: string[];
  metadata: Record<string, unknown>;
}

export class CimdError extends Error {}

const MAX_CACHE_MS = 24 * 60 * 60_000;
const DEFAULT_CACHE_MS = 5 * 60_000;
const MAX_CONCURRENT_FETCHES = 8;

/** True when a client_id should be treated as a metadata document URL (CIMD §3 Client Identifier URL). */
export function isMetadataDocumentClientId(clientId: string): boolean {
  return clientId.startsWith('https://');
}

/** CIMD §3: https scheme, a path component, no fragment, no user info, no dot segments. */
export function clientIdUrlProblem(clientId: string): string | null {
  let u: URL;
  try {
    u = new URL(clientId);
  } catch {
    return 'is not a URL';
  }
  if (u.protocol !== 'https:') return 'must use https';
  if (u.href !== clientId) return 'must be in normalized form';
  if (u.pathname === '/' || u.pathname === '') return 'must contain a path';
  if (u.hash || clientId.includes('#')) return 'must not contain a fragment';
  if (u.username || u.password) return 'must not contain credentials';
  if (/\/\.\.?(\/|$)/.test(clientId.slice(u.origin.length))) return 'must not contain dot segments';
  return null;
}

// Addresses a metadata fetch must never reach (RFC 6890 special-purpose ranges and friends).
const FORBIDDEN = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  FORBIDDEN.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  FORBIDDEN.addSubnet(net, bits, 'ipv6');
}
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 'public', 'loopback' or 'private' (everything a fetch must not reach). */
export function classifyAddress(address: string): 'public' | 'loopback' | 'private' {
  const family = isIP(address);
  if (family === 0) return 'private';
  const mapped = family === 6 ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address) : null;
  if (mapped) return classifyAddress(mapped[1]!);
  // IPv4-mapped in hex form (::ffff:a00:1): not worth decoding, never a public document host.
  if (family === 6 && /^(0{0,4}:){0,5}:?ffff:/i.test(address)) return 'private';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  try {
    if (LOOPBACK.check(address, type)) return 'loopback';
    if (FORBIDDEN.check(address, type)) return 'private';
  } catch {
    return 'private'; // whatever BlockList cannot read is never fetched
  }
  return 'public';
}

const CacheControl = (header: string | undefined): number => {
  const v = (header ?? '').toLowerCase();
  if (/(^|,)\s*(no-store|no-cache)\s*(,|$)/.test(v)) return 0;
  const m = /(^|,)\s*max-age\s*=\s*"?(\d+)"?/.exec(v);
  if (!m) return DEFAULT_CACHE_MS;
  return Math.min(Number(m[2]) * 1000, MAX_CACHE_MS);
};

// The document (CIMD §4): RFC 7591 client metadata plus client_id. We support public clients only.
const Document = z
  .object({
    client_id: z.string(),
    redirect_uris: z.array(z.string().max(2000)).min(1).max(20),
    client_name: z.string().max(500).optional(),
    token_endpoint_auth_method: z.string().optional(),
    grant_types: z.array(z.string()).optional(),
    response_types: z.array(z.string()).optional(),
    client_uri: z.string().max(2000).optional(),
    logo_uri: z.string().max(2000).optional(),
    scope: z.string().max(1000).optional(),
    software_id: z.string().max(200).optional(),
    software_version: z.string().max(200).optional(),
  })
  .passthrough();

export class ClientMetadataFetcher {
  private readonly cache = new Map<string, { doc: ClientMetadataDocument; until: number }>();
  private readonly inflight = new Map<string, Promise<ClientMetadataDocument>>();
  private readonly maxBytes: number;
  private readonly timeoutMs: number;

  constructor(private readonly opts: CimdOptions) {
    this.maxBytes = opts.maxBytes ?? 5 * 1024;
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  /** The validated document for this client_id, from the cache or fetched now. Throws CimdError. */
  async resolve(clientId: string): Promise<ClientMetadataDocument> {
    const problem = clientIdUrlProblem(clientId);
    if (problem) throw new CimdError(`client_id ${problem}`);
    const hit = this.cache.get(clientId);
    if (hit && hit.until > this.opts.now()) return hit.doc;
    const running = this.inflight.get(clientId);
    if (running) return running;
    // /authorize is reachable by any page the browser navigates: bound the outbound fetches.
    if (this.inflight.size >= MAX_CONCURRENT_FETCHES) throw new CimdError('too many client metadata documents are being fetched; try again');
    const p = this.fetchAndValidate(clientId).finally(() => this.inflight.delete(clientId));
    this.inflight.set(clientId, p);
    return p;
  }

  private async fetchAndValidate(clientId: string): Promise<ClientMetadataDocument> {
    const { body, cacheMs } = await this.fetchDocument(new URL(clientId));
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new CimdError('the client metadata document is not valid JSON');
    }
    const parsed = Document.safeParse(json);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new CimdError(`the client metadata document is invalid: ${i ? `${i.path.join('.') || 'document'} ${i.message}` : 'malformed'}`);
    }
    const d = parsed.data;
    // CIMD §4 / §8.1: the document's client_id equals the URL it came from (simple string comparison).
    if (d.client_id !== clientId) throw new CimdError('client_id in the document does not equal the URL it was fetched from');
    // CIMD §4: a shared-secret method is meaningless for a published document; we support public clients.
    if ('client_secret' in d || 'client_secret_expires_at' in d) throw new CimdError('the document must not contain a client_secret');
    const method = d.token_endpoint_auth_method ?? 'none';
    if (method !== 'none') throw new CimdError(`token_endpoint_auth_method "${method}" is not supported for metadata-document clients; use none`);
    if ((d.grant_types ?? []).some((g) => g !== 'authorization_code' && g !== 'refresh_token')) {
      throw new CimdError('only the authorization_code and refresh_token grant types are supported');
    }
    if ((d.response_types ?? ['code']).some((r) => r !== 'code')) throw new CimdError('only response_type "code" is supported');
    // RFC 9700 §4.1 / RFC 8252: the same redirect URI rules as dynamic registration.
    for (const uri of d.redirect_uris) {
      const problem = redirectUriProblem(uri);
      if (problem) throw new CimdError(`redirect_uri ${uri} ${problem}`);
    }
    // eslint-disable-next-line no-control-regex
    const name = (d.client_name ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 100) || null;
    const doc: ClientMetadataDocument = {
      clientId,
      host: new URL(clientId).host,
      clientName: name,
      redirectUris: d.redirect_uris,
      metadata: { ...d, token_endpoint_auth_method: 'none' },
    };
    if (cacheMs > 0) {
      if (this.cache.size >= 500) this.cache.clear();
      this.cache.set(clientId, { doc, until: this.opts.now() + cacheMs });
    } else {
      this.cache.delete(clientId);
    }
    return doc;
  }

  private allowed(address: string): string | null {
    const kind = classifyAddress(address);
    if (kind === 'public') return null;
    if (kind === 'loopback' && this.opts.allowLoopback) return null;
    return `${address} is a ${kind} address`;
  }

  private fetchDocument(url: URL): Promise<{ body: string; cacheMs: number }> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      const why = this.allowed(host);
      if (why) return Promise.reject(new CimdError(`refused to fetch the client metadata document: ${why}`));
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(new CimdError(why));
      };
      // Resolve, check every address, and connect to the one checked (no DNS rebinding in between).
      const lookup = (hostname: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
        dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses: LookupAddress[]) => {
          if (err || !Array.isArray(addresses)) return cb(err ?? new CimdError('the host did not resolve'));
          const bad = addresses.map((a) => this.allowed(a.address)).find(Boolean);
          if (bad || addresses.length === 0) {
            const e = new CimdError(`refused to fetch the client metadata document: ${bad ?? 'no address'}`);
            fail(e.message);
            return cb(e);
          }
          if (options.all) cb(null, addresses);
          else cb(null, addresses[0]!.address, addresses[0]!.family);
        });
      };
      const timer = setTimeout(() => fail(`the client metadata document did not arrive within ${this.timeoutMs} ms`), this.timeoutMs);
      const req = request(
        url,
        {
          method: 'GET',
          headers: { Accept: 'application/json', 'User-Agent': 'nt-mcp-companion (client metadata fetch)' },
          lookup: lookup as never,
          agent: false,
          ...(this.opts.ca ? { ca: this.opts.ca } : {}),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400) return fail(`the client metadata document URL redirects (HTTP ${status}); redirects are not followed`);
          if (status !== 200) return fail(`the client metadata document URL answered HTTP ${status}`);
          const type = String(res.headers['content-type'] ?? '');
          if (!/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type)) return fail(`the client metadata document is not JSON (Content-Type "${type}")`);
          const declared = Number(res.headers['content-length'] ?? 0);
          if (declared > this.maxBytes) return fail(`the client metadata document is larger than ${this.maxBytes} bytes`);
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > this.maxBytes) return fail(`the client metadata document is larger than ${this.maxBytes} bytes`);
            chunks.push(c);
          });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ body: Buffer.concat(chunks).toString('utf8'), cacheMs: CacheControl(res.headers['cache-control']) });
          });
          res.on('error', (e) => fail(`the client metadata document could not be read: ${e.message}`));
        },
      );
      req.on('error', (e) => fail(e instanceof CimdError ? e.message : `the client metadata document could not be fetched: ${e.message}`));
      req.end();
    });
  }
}
