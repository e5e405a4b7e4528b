// The only HTML the authorization server shows: a page that waits for the person's decision at
// the desktop, and an error page. No forms, no buttons: consent cannot be given from a browser.
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

export function waitingPage(p: { clientName: string; scope: string; waitUrl: string; expiresAt: number }): string {
  const mins = Math.max(1, Math.round((p.expiresAt - Date.now()) / 60000));
  return shell(
    'Approve in NT MCP Companion',
    `<h1>Approve in NT MCP Companion</h1>
<p><strong>${esc(p.clientName)}</strong> (name given by the client itself) asks for
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
