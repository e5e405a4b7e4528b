import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ApproveConsentBody, ControlEvent, OrderConfirmation, PendingConsent, Status } from '../../src/control/contract.ts';
import { ControlApi, InvalidCodeError, UnauthorizedError, type StreamState } from './api.ts';
import { AppContext, type AppContextValue } from './context.ts';
import type { LinkCode } from './link.ts';
import { Activity, type LinkChange } from './components/Activity.tsx';
import { Audit } from './components/Audit.tsx';
import { Clients } from './components/Clients.tsx';
import { ConfirmationModal } from './components/ConfirmationModal.tsx';
import { ConsentModal } from './components/ConsentModal.tsx';
import { KillSwitch } from './components/KillSwitch.tsx';
import { NoToken, type NoTokenReason } from './components/NoToken.tsx';
import { linkLabel, linkTitle, Overview } from './components/Overview.tsx';
import { Trading } from './components/Trading.tsx';
import { UnknownOrders } from './components/UnknownOrders.tsx';
import { RiskBreachBanner, RiskRules } from './components/RiskRules.tsx';

const VIEWS = [
  { id: 'overview', label: 'Overview' },
  { id: 'clients', label: 'Clients' },
  { id: 'audit', label: 'Audit log' },
  { id: 'activity', label: 'Activity' },
  { id: 'risk', label: 'Risk rules' },
  { id: 'trading', label: 'Trading' },
] as const;
type View = (typeof VIEWS)[number]['id'];

type Phase = { kind: 'no-token'; reason: NoTokenReason } | { kind: 'loading' } | { kind: 'unreachable'; message: string } | { kind: 'ready' };

export function App({ link }: { link: LinkCode }) {
  const [phase, setPhase] = useState<Phase>(link.kind === 'bad' ? { kind: 'no-token', reason: 'used' } : { kind: 'loading' });
  /** The link's code is traded once; after that only the session cookie counts. */
  const code = useRef(link.kind === 'code' ? link.code : null);
  /** Whether this page ever had a working session: a later 401 means it ended. */
  const hadSession = useRef(false);
  const [status, setStatus] = useState<Status | null>(null);
  const [stream, setStream] = useState<StreamState>('connecting');
  const [consents, setConsents] = useState<PendingConsent[]>([]);
  const [confirmations, setConfirmations] = useState<OrderConfirmation[]>([]);
  const [linkHistory, setLinkHistory] = useState<LinkChange[]>([]);
  const [view, setView] = useState<View>('overview');
  const [streamKey, setStreamKey] = useState(0);
  const listeners = useRef(new Set<(ev: ControlEvent) => void>());

  const refuse = useCallback(() => {
    // No session (never had one, or it ended): drop every piece of data.
    setStatus(null);
    setConsents([]);
    setConfirmations([]);
    setLinkHistory([]);
    setPhase({ kind: 'no-token', reason: hadSession.current ? 'ended' : 'missing' });
  }, []);
  const api = useMemo(() => (link.kind === 'bad' ? null : new ControlApi(refuse)), [link.kind, refuse]);

  const refreshPending = useCallback(async () => {
    if (!api) return;
    try {
      const [cs, fs] = await Promise.all([api.consents(), api.confirmations()]);
      setConsents(cs);
      setConfirmations(fs);
    } catch {
      /* the banner / no-token page covers it */
    }
  }, [api]);

  const boot = useCallback(async () => {
    if (!api) return;
    setPhase({ kind: 'loading' });
    try {
      const c = code.current;
      if (c !== null) {
        code.current = null; // single use, whatever the answer
        await api.startSession(c);
      }
      const s = await api.status();
      hadSession.current = true;
      setStatus(s);
      setLinkHistory([{ at: s.link.since, link: s.link }]);
      setPhase({ kind: 'ready' });
      void refreshPending();
    } catch (e) {
      if (e instanceof InvalidCodeError) {
        setPhase({ kind: 'no-token', reason: 'used' });
        return;
      }
      if (e instanceof UnauthorizedError) return; // refuse() already switched to the no-token page
      setPhase({ kind: 'unreachable', message: (e as Error).message });
    }
  }, [api, refreshPending]);

  useEffect(() => {
    void boot();
  }, [boot]);

  const onEvent = useCallback(
    (ev: ControlEvent) => {
      switch (ev.type) {
        case 'hello':
          setStatus(ev.status);
          setLinkHistory((h) => (h.length && h[h.length - 1]!.link.since === ev.status.link.since ? h : [...h, { at: ev.status.link.since, link: ev.status.link }]));
          void refreshPending();
          break;
        case 'consent.created':
          setConsents((cs) => (cs.some((c) => c.id === ev.consent.id) ? cs : [...cs, ev.consent]));
          break;
        case 'consent.decided':
          setConsents((cs) => cs.filter((c) => c.id !== ev.id));
          break;
        case 'confirmation.created':
          setConfirmations((cs) => (cs.some((c) => c.id === ev.confirmation.id) ? cs : [...cs, ev.confirmation]));
          break;
        case 'confirmation.decided':
          setConfirmations((cs) => cs.filter((c) => c.id !== ev.id));
          break;
        case 'killswitch':
          setStatus((s) => (s ? { ...s, killSwitch: { engaged: ev.engaged, since: ev.since } } : s));
          break;
        case 'link':
          setStatus((s) => (s ? { ...s, link: ev.link } : s));
          setLinkHistory((h) => [...h.slice(-49), { at: ev.link.since, link: ev.link }]);
          break;
        default:
          break;
      }
      for (const fn of listeners.current) fn(ev);
    },
    [refreshPending],
  );

  useEffect(() => {
    if (!api || phase.kind !== 'ready') return;
    return api.events(onEvent, setStream);
    // Restart only on a manual retry (streamKey), not on every phase object.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, phase.kind === 'ready', streamKey, onEvent]);

  const ctx = useMemo<AppContextValue | null>(
    () =>
      api && status
        ? {
            api,
            status,
            subscribe: (fn) => {
              listeners.current.add(fn);
              return () => listeners.current.delete(fn);
            },
          }
        : null,
    [api, status],
  );

  // One prompt at a time, and a prompt is never swapped for another while it is open (a new modal
  // appearing under the cursor must not turn a click on "Allow" into a click on "Approve order").
  // Next up: orders first (they are time-critical), then access requests.
  const [active, setActive] = useState<{ kind: 'consent' | 'confirmation'; id: string } | null>(null);
  const consent = active?.kind === 'consent' ? consents.find((x) => x.id === active.id) : undefined;
  const confirmation = active?.kind === 'confirmation' ? confirmations.find((x) => x.id === active.id) : undefined;
  useEffect(() => {
    if (consent || confirmation) return;
    const next = confirmations[0] ? { kind: 'confirmation' as const, id: confirmations[0].id } : consents[0] ? { kind: 'consent' as const, id: consents[0].id } : null;
    setActive(next);
  }, [consent, confirmation, consents, confirmations]);
  const modalOpen = phase.kind === 'ready' && !!(consent || confirmation);

  // Keyboard: Alt+1…6 switch views (one per VIEWS entry) (not while a prompt is open).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || modalOpen) return;
      const i = Number(e.key) - 1;
      const v = VIEWS[i];
      if (v) {
        e.preventDefault();
        setView(v.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [modalOpen]);

  useEffect(() => {
    const n = consents.length + confirmations.length;
    document.title = n > 0 ? `(${n}) Approval needed — NT MCP Companion` : 'NT MCP Companion';
  }, [consents.length, confirmations.length]);

  if (phase.kind === 'no-token') return <NoToken reason={phase.reason} />;
  if (phase.kind === 'loading' || (phase.kind === 'ready' && !ctx)) {
    return (
      <main className="notoken" aria-busy="true">
        <p className="muted">Connecting to the companion…</p>
      </main>
    );
  }
  if (phase.kind === 'unreachable' || !ctx) {
    return (
      <main className="notoken">
        <div className="banner error" role="alert" data-testid="unreachable-banner">
          <span>Can't reach the companion's control API. Is NT MCP Companion still running?</span>
          <button type="button" className="btn small" onClick={() => void boot()} data-testid="retry">
            Retry
          </button>
        </div>
        {phase.kind === 'unreachable' && <p className="muted small">{phase.message}</p>}
      </main>
    );
  }

  const st = ctx.status;
  // After a failed decision (decided elsewhere, expired) re-read what is really pending.
  const settle = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      void refreshPending();
      throw e;
    }
  };
  const approveConsent = async (body: ApproveConsentBody) => {
    if (!consent) return;
    await settle(() => ctx.api.approveConsent(consent.id, body));
    setConsents((cs) => cs.filter((c) => c.id !== consent.id));
  };
  const denyConsent = async () => {
    if (!consent) return;
    await settle(() => ctx.api.denyConsent(consent.id));
    setConsents((cs) => cs.filter((c) => c.id !== consent.id));
  };
  const denyAllFromClient = async () => {
    if (!consent) return;
    const clientId = consent.clientId;
    await settle(() => ctx.api.denyAllConsentsFrom(clientId));
    setConsents((cs) => cs.filter((c) => c.clientId !== clientId));
  };
  const decideOrder = async (approve: boolean) => {
    if (!confirmation) return;
    await settle(() => (approve ? ctx.api.approveConfirmation(confirmation.id) : ctx.api.denyConfirmation(confirmation.id)));
    setConfirmations((cs) => cs.filter((c) => c.id !== confirmation.id));
  };

  const onTabKey = (e: React.KeyboardEvent, i: number) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = VIEWS[(i + step + VIEWS.length) % VIEWS.length]!;
    setView(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };

  return (
    <AppContext.Provider value={ctx}>
      <div className="shell" inert={modalOpen}>
        <header className="topbar">
          <div className="brand">
            <span className="logo" aria-hidden="true">
              ◆
            </span>
            NT MCP Companion
            {st.link.simulated && (
              <span className="badge sim" data-testid="header-simulated">
                SIMULATED
              </span>
            )}
          </div>
          <nav className="tabs" aria-label="Views">
            {VIEWS.map((v, i) => (
              <button
                key={v.id}
                id={`tab-${v.id}`}
                type="button"
                className={`tab ${view === v.id ? 'on' : ''}`}
                aria-current={view === v.id ? 'page' : undefined}
                onClick={() => setView(v.id)}
                onKeyDown={(e) => onTabKey(e, i)}
                title={`Alt+${i + 1}`}
                data-testid={`tab-${v.id}`}
              >
                {v.label}
              </button>
            ))}
          </nav>
          <div className="top-right">
            <span className={`pill link-${st.link.status}`} title={linkTitle(st.link)} data-testid="header-link">
              <span className={`dot ${st.link.status}`} aria-hidden="true" /> {linkLabel(st.link)}
            </span>
            <KillSwitch compact />
          </div>
        </header>

        {stream === 'reconnecting' && (
          <div className="banner warn" role="status" data-testid="reconnecting-banner">
            <span>Lost the live connection to the companion — reconnecting… Prompts cannot appear until it is back.</span>
            <button type="button" className="btn small" onClick={() => setStreamKey((k) => k + 1)}>
              Retry now
            </button>
          </div>
        )}
        {st.killSwitch.engaged && (
          <div className="banner danger" role="status" data-testid="kill-banner">
            <span>
              <strong>Kill switch engaged.</strong> New orders are refused for every client; cancelling and flattening still work. Release it from the Overview.
            </span>
          </div>
        )}

        <main className="content" data-testid={`view-${view}`}>
          <RiskBreachBanner />
          <UnknownOrders />
          {view === 'overview' && <Overview pendingConsents={consents.length} pendingConfirmations={confirmations.length} />}
          {view === 'clients' && <Clients />}
          {view === 'audit' && <Audit />}
          {view === 'activity' && <Activity linkHistory={linkHistory} />}
          {view === 'risk' && <RiskRules />}
          {view === 'trading' && <Trading />}
        </main>
        <footer className="foot muted small">
          v{st.version} · {stream === 'live' ? 'live' : stream} · Alt+1…{VIEWS.length} switch views · Esc in a prompt denies
        </footer>
      </div>

      {phase.kind === 'ready' && confirmation ? (
        <ConfirmationModal
          key={confirmation.id}
          confirmation={confirmation}
          queued={confirmations.length + consents.length - 1}
          onApprove={() => decideOrder(true)}
          onDeny={() => decideOrder(false)}
        />
      ) : phase.kind === 'ready' && consent ? (
        <ConsentModal
          key={consent.id}
          consent={consent}
          simulated={st.link.simulated}
          queued={confirmations.length + consents.length - 1}
          fromSameClient={consents.filter((x) => x.clientId === consent.clientId).length}
          onApprove={approveConsent}
          onDeny={denyConsent}
          onDenyAll={denyAllFromClient}
        />
      ) : null}
    </AppContext.Provider>
  );
}
