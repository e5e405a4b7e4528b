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
