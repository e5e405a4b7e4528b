// The control token: arrives once in the URL fragment (#token=…, never sent to any server),
// is kept in memory and sessionStorage (so a reload works; never localStorage, never a cookie),
// and is removed from the address bar at once.
const KEY = 'ntmcp.controlToken';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,200}$/;

export function takeToken(): string | null {
  let token: string | null = null;
  const hash = location.hash.replace(/^#/, '');
  if (hash) {
    const params = new URLSearchParams(hash);
    const fromHash = params.get('token');
    if (fromHash !== null) {
      params.delete('token');
      const rest = params.toString();
      history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
      if (TOKEN_SHAPE.test(fromHash)) {
        token = fromHash;
        try {
          sessionStorage.setItem(KEY, fromHash);
        } catch {
          /* storage disabled: memory only */
        }
      } else {
        forgetToken();
        return null;
      }
    }
  }
  if (token === null) {
    try {
      const saved = sessionStorage.getItem(KEY);
      if (saved && TOKEN_SHAPE.test(saved)) token = saved;
    } catch {
      /* ignore */
    }
  }
  return token;
}

export function forgetToken(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* ignore */
  }
}
