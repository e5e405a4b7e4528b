import { useState } from 'react';
import type { LinkConnection, LinkState } from '../../../src/control/contract.ts';
import { useApp } from '../context.ts';
import { fmtTime } from '../format.ts';
import { CopyButton } from './CopyButton.tsx';
import { KillSwitch } from './KillSwitch.tsx';
import { AddonInstall } from './AddonInstall.tsx';

type SnippetKey = 'claude-code' | 'claude-desktop' | 'cursor' | 'vscode';

export function snippets(url: string): Record<SnippetKey, { label: string; where: string; text: string }> {
  return {
    'claude-code': { label: 'Claude Code', where: 'Run in a terminal', text: `claude mcp add --transport http ninjatrader ${url}` },
    'claude-desktop': {
      label: 'Claude Desktop',
      where: 'Add to claude_desktop_config.json',
      text: JSON.stringify({ mcpServers: { ninjatrader: { command: 'npx', args: ['mcp-remote', url] } } }, null, 2),
    },
    cursor: { label: 'Cursor', where: 'Add to ~/.cursor/mcp.json', text: JSON.stringify({ mcpServers: { ninjatrader: { url } } }, null, 2) },
    vscode: { label: 'VS Code', where: 'Add to .vscode/mcp.json', text: JSON.stringify({ servers: { ninjatrader: { type: 'http', url } } }, null, 2) },
  };
}

/** The link card's headline: with the real add-on, which NinjaTrader and which add-on version. */
export function linkHeadline(l: LinkState): string {
  if (l.mode === 'addon' && l.status === 'connected') return `Connected to NinjaTrader ${l.nt8Version ?? '?'} (add-on ${l.addonVersion ?? '?'})`;
  return linkLabel(l);
}

export function linkLabel(l: LinkState): string {
  return l.status === 'connected' ? 'Connected' : l.status === 'waiting' ? 'Waiting for the add-on' : 'Disconnected';
}

/** The dot colour of a connection by its order-routing status. */
export function connectionDot(status: string): 'connected' | 'waiting' | 'disconnected' {
  return status === 'Connected' ? 'connected' : status === 'Connecting' ? 'waiting' : 'disconnected';
}

/** "connected (orders), prices lost" — both statuses in words, the price feed only when reported. */
export function connectionWords(c: LinkConnection): string {
  const word = (s: string) =>
    s === 'Connected' ? 'connected' : s === 'Connecting' ? 'connecting' : s === 'ConnectionLost' ? 'connection lost' : s === 'Disconnected' ? 'disconnected' : s === 'Disconnecting' ? 'disconnecting' : s;
  return `orders ${word(c.status)}${c.priceStatus === null ? '' : `, prices ${word(c.priceStatus)}`}`;
}

/** The header pill's tooltip: the link sentence, then each connection and its statuses. */
export function linkTitle(l: LinkState): string {
  return [l.detail, ...l.connections.map((c) => `${c.name || '(unnamed)'}: ${connectionWords(c)}`)].join('\n');
}

export function Overview({ pendingConsents, pendingConfirmations }: { pendingConsents: number; pendingConfirmations: number }) {
  const { status } = useApp();
  const [which, setWhich] = useState<SnippetKey>('claude-code');
  const all = snippets(status.mcpUrl);
  const s = all[which];
  const l = status.link;
  return (
    <div className="overview">
      <div className="col">
      <section className="card" aria-labelledby="mcp-title">
        <h2 id="mcp-title">Connect an AI client</h2>
        <div className="url-row">
          <label htmlFor="mcp-url">MCP server URL</label>
          <input id="mcp-url" readOnly value={status.mcpUrl} data-testid="mcp-url" onFocus={(e) => e.currentTarget.select()} />
          <CopyButton text={status.mcpUrl} testId="copy-mcp-url" />
        </div>
        <div className="snippet-tabs" role="group" aria-label="Setup snippet for">
          {(Object.keys(all) as SnippetKey[]).map((k) => (
            <button key={k} type="button" className={`chip ${k === which ? 'on' : ''}`} aria-pressed={k === which} onClick={() => setWhich(k)} data-testid={`snippet-tab-${k}`}>
              {all[k].label}
            </button>
          ))}
        </div>
        <div className="snippet">
          <div className="snippet-head">
            <span>{s.where}</span>
            <CopyButton text={s.text} testId="copy-snippet" />
          </div>
          <pre data-testid={`snippet-${which}`}>{s.text}</pre>
        </div>
        <p className="hint">The first time a client connects, this app asks you to approve it. Nothing is shared until you do.</p>
      </section>

      <section className="card" aria-labelledby="pending-title">
        <h2 id="pending-title">Waiting for you</h2>
        <p data-testid="pending-summary">
          {pendingConsents === 0 && pendingConfirmations === 0
            ? 'Nothing waiting. Access requests and order confirmations pop up by themselves, whichever view is open.'
            : `${pendingConsents} access request(s), ${pendingConfirmations} order confirmation(s).`}
        </p>
      </section>
      </div>
      <div className="col">

      <section className={`card link ${l.status}`} aria-labelledby="link-title" data-testid="link-card">
        <h2 id="link-title">
          NinjaTrader 8{' '}
          {l.simulated && (
            <span className="badge sim big" data-testid="simulated-badge">
              SIMULATED
            </span>
          )}
        </h2>
        <p className="link-status">
          <span className={`dot ${l.status}`} aria-hidden="true" />
          <strong data-testid="link-status">{linkHeadline(l)}</strong>
        </p>
        {l.detail !== linkHeadline(l) && <p className="muted link-detail">{l.detail}</p>}
        <dl className="facts grid">
          <dt>Mode</dt>
          <dd>{l.mode === 'simulator' ? 'Built-in simulator' : 'NinjaTrader add-on'}</dd>
          <dt>NT8 version</dt>
          <dd>{l.nt8Version ?? '—'}</dd>
          <dt>Add-on version</dt>
          <dd>{l.addonVersion ?? '—'}</dd>
          <dt>Protocol</dt>
          <dd data-testid="link-protocol">{l.protocol ?? '—'}</dd>
          <dt>Accounts</dt>
          <dd data-testid="link-accounts">{l.accounts.length ? l.accounts.join(', ') : 'none'}</dd>
          <dt>Connections</dt>
          <dd data-testid="link-connections">
            {l.connections.length === 0 ? (
              'none reported'
            ) : (
              <ul className="plain">
                {l.connections.map((c) => (
                  <li key={c.name} data-testid="link-connection">
                    <span className={`dot ${connectionDot(c.status)}`} aria-hidden="true" /> <strong>{c.name || '(unnamed)'}</strong>
                    {': '}
                    {connectionWords(c)}
                    {c.accounts.length ? <span className="muted small"> ({c.accounts.join(', ')})</span> : null}
                  </li>
                ))}
              </ul>
            )}
          </dd>
          <dt>Since</dt>
          <dd>{fmtTime(l.since)}</dd>
          <dt>Companion</dt>
          <dd>v{status.version}</dd>
        </dl>
      </section>

      <KillSwitch />
      <AddonInstall />
      </div>
    </div>
  );
}
