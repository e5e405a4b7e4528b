// "Install NinjaTrader add-on": asks in the page first (where it will write, how many files), then
// copies the add-on into NinjaTrader 8's folder through the control API and shows what happened.
import { useState } from 'react';
import type { AddonInstallPlan, AddonInstallResult } from '../../../src/addon/install.ts';
import { useApp } from '../context.ts';

type Step = { kind: 'idle' } | { kind: 'asking'; plan: AddonInstallPlan } | { kind: 'done'; result: AddonInstallResult };

export function AddonInstall() {
  const { api, status } = useApp();
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const l = status.link;
  const addonConnected = l.mode === 'addon' && l.status === 'connected';

  const ask = async () => {
    setBusy(true);
    setError(null);
    try {
      setStep({ kind: 'asking', plan: await api.addonInstallPlan() });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const install = async () => {
    setBusy(true);
    setError(null);
    try {
      setStep({ kind: 'done', result: await api.installAddon() });
    } catch (e) {
      setError((e as Error).message);
      setStep({ kind: 'idle' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="addon-title" data-testid="addon-card">
      <h2 id="addon-title">NinjaTrader add-on</h2>
      <p data-testid="addon-connected">
        {addonConnected
          ? `The add-on is connected (add-on ${l.addonVersion ?? '?'}, NinjaTrader ${l.nt8Version ?? '?'}).`
          : l.mode === 'addon'
            ? 'The add-on is not connected. Install it, compile it in NinjaTrader, then open New → MCP Companion there.'
            : 'This companion runs the built-in simulator. To use NinjaTrader itself, install the add-on and start the companion with --link addon.'}
      </p>
      {step.kind === 'asking' ? (
        <div role="group" aria-label="Confirm add-on install" data-testid="addon-install-confirm">
          <p>
            Copy {step.plan.files.length} add-on source files into <code data-testid="addon-install-target">{step.plan.target}</code>
            {step.plan.installedBefore ? ' (replacing the add-on installed there)' : ''}?
          </p>
          {!step.plan.nt8Found && (
            <p className="error-text" data-testid="addon-install-no-nt8">
              NinjaTrader 8's folder was not found for this user: start NinjaTrader 8 once first.
            </p>
          )}
          <div className="confirm-row">
            <button type="button" className="btn" onClick={() => setStep({ kind: 'idle' })} autoFocus data-testid="addon-install-cancel">
              Cancel
            </button>
            <button type="button" className="btn primary" disabled={busy} onClick={() => void install()} data-testid="addon-install-go">
              Install
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="btn" disabled={busy} onClick={() => void ask()} data-testid="addon-install-open">
          Install NinjaTrader add-on…
        </button>
      )}
      {step.kind === 'done' && (
        <div role="status" data-testid="addon-install-result">
          <p>{step.result.message}</p>
          {step.result.written.length > 0 && (
            <details>
              <summary>{step.result.written.length} file(s) written</summary>
              <ul className="small">
                {step.result.written.map((f) => (
                  <li key={f}>{f}</li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
      {error && (
        <p className="error-text" role="alert" data-testid="addon-install-error">
          {error}
        </p>
      )}
      <p className="hint">Or import the zip from <code>npm run build:addon</code> in NinjaTrader: Tools → Import → NinjaScript Add-On (docs/install-addon.md).</p>
    </section>
  );
}
