// The dashboard link: `/#code=…`, a one-time code in the URL fragment (never sent to any server,
// never in a Referer). It is taken out of the address bar and the history entry at once, then
// traded once for a session cookie (api.ts startSession). The long-lived control token never
// appears in a URL, in page script or in browser storage.
const CODE_SHAPE = /^[A-Za-z0-9_-]{16,200}$/;
/** Where an older version kept the control token: cleared on sight. */
const OLD_TOKEN_KEY = 'ntmcp.controlToken';

export type LinkCode = { kind: 'code'; code: string } | { kind: 'none' } | { kind: 'bad' };

export function takeLinkCode(): LinkCode {
  try {
    sessionStorage.removeItem(OLD_TOKEN_KEY);
  } catch {
    /* storage disabled */
  }
  const hash = location.hash.replace(/^#/, '');
  if (!hash) return { kind: 'none' };
  const params = new URLSearchParams(hash);
  const code = params.get('code');
  // An old `#token=…` link is dropped from the address bar too, and not used.
  const old = params.has('token');
  if (code === null && !old) return { kind: 'none' };
  params.delete('code');
  params.delete('token');
  const rest = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  if (code !== null && CODE_SHAPE.test(code)) return { kind: 'code', code };
  return { kind: 'bad' };
}
