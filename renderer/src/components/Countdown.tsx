import { useEffect, useState } from 'react';

/** Re-renders every `ms` (a display clock, not a network poll). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function secondsLeft(expiresAt: string, now: number): number {
  return Math.max(0, Math.ceil((new Date(expiresAt).getTime() - now) / 1000));
}

export function Countdown({ expiresAt, now, testId }: { expiresAt: string; now: number; testId: string }) {
  const s = secondsLeft(expiresAt, now);
  const text = s <= 0 ? 'Expired' : s >= 60 ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} left` : `${s} s left`;
  return (
    <span className={`countdown ${s <= 15 ? 'urgent' : ''}`} data-testid={testId} role="timer" aria-live="off">
      {text}
    </span>
  );
}

/**
 * False for the first `ms` after a prompt appears: its approve button cannot be hit by a click
 * or key press that was meant for whatever was under the pointer a moment before.
 */
export function useArmed(ms = 600): boolean {
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => setArmed(true), ms);
    return () => clearTimeout(t);
  }, [ms]);
  return armed;
}

/**
 * The state every prompt shares: a countdown, the arming delay, and one action at a time whose
 * failure is shown in the prompt (and re-enables it).
 */
export function usePrompt(expiresAt: string, onDeny: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const now = useNow();
  const armed = useArmed();
  const expired = secondsLeft(expiresAt, now) <= 0;
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  const deny = () => {
    if (!busy) void run(onDeny);
  };
  return { busy, error, now, armed, expired, run, deny };
}
