// Kill switch: engaging is one click; releasing asks to confirm.
import { useState } from 'react';
import { useApp } from '../context.ts';
import { fmtTime } from '../format.ts';

export function KillSwitch({ compact = false }: { compact?: boolean }) {
  const { api, status } = useApp();
  const { engaged, since } = status.killSwitch;
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const p = compact ? 'header-kill' : 'kill-switch';
  const set = async (on: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await api.setKillSwitch(on);
      setConfirming(false);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (compact) {
    return engaged ? (
      <span className="pill danger" data-testid={`${p}-state`}>
        Kill switch ON
      </span>
    ) : (
      <button type="button" className="btn danger small" disabled={busy} onClick={() => void set(true)} data-testid={`${p}-engage`} title="Refuse every new order from every client">
        Kill switch
      </button>
    );
  }

  return (
    <section className={`card kill ${engaged ? 'engaged' : ''}`} aria-labelledby="kill-title" data-testid="kill-switch">
      <h2 id="kill-title">Kill switch</h2>
      {engaged ? (
        <>
          <p className="kill-state" data-testid="kill-switch-state">
            <strong>ENGAGED</strong> since {fmtTime(since)}. Every new order from every client is refused. Cancelling and flattening still work.
          </p>
          {confirming ? (
            <div className="confirm-row" role="group" aria-label="Confirm release">
              <span>Release it? AI clients may place orders again.</span>
              <button type="button" className="btn" onClick={() => setConfirming(false)} data-testid="kill-switch-keep" autoFocus>
                Keep engaged
              </button>
              <button type="button" className="btn warn" disabled={busy} onClick={() => void set(false)} data-testid="kill-switch-release-confirm">
                Release
              </button>
            </div>
          ) : (
            <button type="button" className="btn" onClick={() => setConfirming(true)} data-testid="kill-switch-release">
              Release…
            </button>
          )}
        </>
      ) : (
        <>
          <p className="kill-state" data-testid="kill-switch-state">
            Off. Engage it to refuse every new order at once; cancelling and flattening keep working.
          </p>
          <button type="button" className="btn danger big" disabled={busy} onClick={() => void set(true)} data-testid="kill-switch-engage">
            Engage kill switch
          </button>
        </>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
