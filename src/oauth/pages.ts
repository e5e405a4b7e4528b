// The only HTML the authorization server shows: a page that waits for the person's decision at
// the desktop, an error page, and the short connection guide `service_documentation` points to.
// No forms, no buttons: consent cannot be given from a browser. Every page is sent with
// anti-framing and a CSP (routes.ts `pageHeaders`); no page runs script.
const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function shell(title: string, body: string, refresh?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
${refresh ? `<meta http-equiv="refresh" content="1;url=${esc(refresh)}">` : ''}
<title>${esc(title)} · NT MCP Companion</title>
<style>
:root{color-scheme:light dark;font-family:system-ui,-apple-system,Segoe UI,sans-serif}
body{margin:0;display:grid;place-items:center;min-height:100vh;background:Canvas;color:CanvasText}
main{max-width:34rem;padding:2rem;border:1px solid #8884;border-radius:12px}
h1{font-size:1.3rem;margin:0 0 .8rem}p{line-height:1.5}code{font-size:.95em}
.muted{opacity:.75;font-size:.9rem}
</style></head><body><main>${body}</main></body></html>`;
}

export function waitingPage(p: { clientName: string; verifiedHost?: string | null; scope: string; waitUrl: string; expiresAt: number; now: number }): string {
  const mins = Math.max(1, Math.round((p.expiresAt - p.now) / 60000));
  // The client's name in its own bidi-isolated element, our words outside it (issue 9, finding 7).
  const name = `<strong><bdi dir="auto">${esc(p.clientName)}</bdi></strong>`;
  const who = p.verifiedHost
    ? `${name} (client metadata published at <strong>${esc(p.verifiedHost)}</strong>)`
    : `${name} (name given by the client itself)`;
  return shell(
    'Approve in NT MCP Companion',
    `<h1>Approve in NT MCP Companion</h1>
<p>${who} asks for
<code>${esc(p.scope)}</code> access to your NinjaTrader accounts.</p>
<p>Switch to the NT MCP Companion window (or its tray icon) to allow or deny it.
This page follows your decision by itself.</p>
<p class="muted">The request expires in about ${mins} minute${mins > 1 ? 's' : ''}.</p>`,
    p.waitUrl,
  );
}

export function messagePage(title: string, message: string): string {
  return shell(title, `<h1>${esc(title)}</h1><p>${esc(message)}</p>`);
}

export function errorPage(error: string, description: string): string {
  return shell(
    'Authorization error',
    `<h1>This authorization request cannot continue</h1>
<p><code>${esc(error)}</code>: ${esc(description)}</p>
<p class="muted">Nothing was granted. Start the connection again from your AI client.</p>`,
  );
}

/** RFC 8414 `service_documentation`: how to connect a client, served by the companion itself. */
export function clientsDocPage(p: { mcpUrl: string; dashboardUrl: string }): string {
  return shell(
    'Connecting AI clients',
    `<h1>Connecting AI clients to NT MCP Companion</h1>
<p>Give your MCP client this URL: <code>${esc(p.mcpUrl)}</code> (<code>localhost</code> works as well).</p>
<p>The client discovers this authorization server by itself (RFC 9728, RFC 8414), registers
(dynamic registration, RFC 7591, or a Client ID Metadata Document at an https URL), and opens your
browser on a page that asks you to approve in the companion's window. Nothing is granted from a browser.</p>
<ul>
<li><code>mcp:read</code>: see accounts, positions, orders and prices.</li>
<li><code>mcp:trade</code>: also place, change and cancel orders; by default you confirm every trade.</li>
</ul>
<p>A client holding <code>mcp:read</code> that calls a trade tool is asked to step up: a new prompt
appears in the companion, marked as an upgrade of that client.</p>
<p class="muted">Open the dashboard with the link the companion printed at start (it carries the control
token). Full guide: docs/clients.md in the companion's source. Dashboard: ${esc(p.dashboardUrl)}</p>`,
  );
}
