// Shown when there is no valid control token: how to open the right link, and no data at all.
export function NoToken({ reason }: { reason: 'missing' | 'invalid' }) {
  return (
    <main className="notoken" data-testid="no-token">
      <h1>NT MCP Companion</h1>
      <section className="card">
        <h2>Open the dashboard from its link</h2>
        {reason === 'invalid' ? (
          <p data-testid="no-token-reason">
            The link you opened carries a control token that the companion did not accept (it may be from another installation or out of date).
          </p>
        ) : (
          <p data-testid="no-token-reason">This page needs the companion's private dashboard link, which carries a control token.</p>
        )}
        <p>To get the right link:</p>
        <ul>
          <li>
            run <code>npm start</code> and open the <strong>Dashboard</strong> link it prints, or
          </li>
          <li>
            use the tray menu → <strong>Open</strong>.
          </li>
        </ul>
        <p className="muted">The token stays in this tab only. Never share the dashboard link: whoever has it can approve clients and orders.</p>
      </section>
    </main>
  );
}
