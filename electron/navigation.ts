// Where the desktop window may go. The window shows the companion's own dashboard and nothing
// else: a page that tried to navigate elsewhere (an injected link, a redirect) stays put.
// Electron security checklist §13 (limit navigation) and §14 (limit new windows).

export type NavigationDecision =
  /** Same origin as the companion (127.0.0.1:PORT or localhost:PORT): load it in the window. */
  | 'allow'
  /** An https: page (documentation, a broker's site): never in our window, but the person's browser may open it. */
  | 'external'
  /** Everything else (http: elsewhere, file:, javascript:, data:, custom schemes): dropped. */
  | 'block';

export function decideNavigation(url: string, ownOrigins: readonly string[]): NavigationDecision {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'block';
  }
  // URL.origin normalises case and default ports; 'null' for opaque origins never matches.
  if ((u.protocol === 'http:' || u.protocol === 'https:') && ownOrigins.includes(u.origin)) return 'allow';
  // Only https: goes to shell.openExternal: other schemes can start local programs (file:, ms-*, …).
  if (u.protocol === 'https:' && !u.username && !u.password) return 'external';
  return 'block';
}
