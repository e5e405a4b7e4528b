// Shown when there is no dashboard session: why, how to open a fresh link, and no data at all.
export type NoTokenReason = 'missing' | 'used' | 'ended';

export function NoToken({ reason }: { reason: NoTokenReason }) {
  return (
    <main className="notoken" data-testid="no-token">
      <h1>NT MCP Companion</h1>
      <section className="card">
        <h2>Open the dashboard from a fresh link</h2>
        {reason === 'used' ? (
          <p data-testid="no-token-reason">
            The link you opened was already used or has expired: each dashboard link works once, within 10 minutes. (A link from another
            installation, or an old link with a token in it, does not work either.)
          </p>
        ) : reason === 'ended' ? (
          <p data-testid="no-token-reason">The dashboard session ended: the companion restarted or the session expired.</p>
        ) : (
          <p data-testid="no-token-reason">This page needs the companion's private dashboard link, which carries a one-time code.</p>
        )}
        <p>To get a fresh link:</p>
        <ul>
          <li>
            run <code>npm start</code> and open the <strong>Dashboard</strong> link it prints (a new one each start), or
          </li>
          <li>
            use the tray menu → <strong>Open</strong>, or
          </li>
          <li>
            while it runs, <code>npm run dashboard</code> prints a new one (it asks the companion with its control token, as{' '}
            <code>GET /control/v1/dashboard-link</code> does — docs/control-api.md).
          </li>
        </ul>
        <p className="muted">Never share a dashboard link before it is used: whoever opens it first can approve clients and orders.</p>
      </section>
    </main>
  );
}
