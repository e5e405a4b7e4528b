// The first thing every request meets. DNS rebinding: a web page can make a browser send requests
// to 127.0.0.1 with a foreign Host; cross-site pages send a foreign Origin. Both are refused here,
// for every path, before any handler runs (MCP transport spec: validate Origin; 403).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Urls } from './urls.ts';

export type GuardVerdict = { ok: true } | { ok: false; status: 403 | 421; message: string };

export function checkHostAndOrigin(req: IncomingMessage, urls: Urls): GuardVerdict {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!urls.allowedHosts().includes(host)) {
    return { ok: false, status: 403, message: `Host "${host || '(none)'}" is not this companion; use ${urls.primary}` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (!urls.origins.includes(origin.toLowerCase())) {
      return { ok: false, status: 403, message: `Origin "${origin}" may not call this companion` };
    }
  }
  return { ok: true };
}

export function refuse(req: IncomingMessage, res: ServerResponse, verdict: Extract<GuardVerdict, { ok: false }>): void {
  const isMcp = (req.url ?? '').startsWith('/mcp');
  const body = isMcp
    ? { jsonrpc: '2.0', error: { code: -32000, message: `Forbidden: ${verdict.message}` }, id: null }
    : { error: 'forbidden', error_description: verdict.message };
  const text = JSON.stringify(body);
  res.writeHead(verdict.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
