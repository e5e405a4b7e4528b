// The one clock. Everything that reads domain time (sessions, contract rolls, expiries, token
// lifetimes, audit timestamps, watermarks, the simulator) takes a Clock from the composition root
// (companion.ts); nothing else calls Date.now() or `new Date()` for domain time. Timers
// (setTimeout) still run on real elapsed time, which is what a user waits through.
//
// Tests swap the clock in two ways:
// - `manualClock(start)`: fully controlled; `advance()` moves it.
// - the environment variable NT_MCP_TEST_CLOCK, honoured only when NODE_ENV=test: an ISO instant
//   ("2026-12-10T15:00:00Z") or a day offset ("+100d", "-3d"). The clock then starts at that
//   instant and keeps running at real speed, so `.ci/run` can run the suite in a roll week, on a
//   weekend and on a holiday, and a companion can be started 100 days ahead.

export interface Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number;
}

/** Real time. The only place in src/ allowed to read Date.now(). */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that starts at `start` and runs at the speed of `base`. */
export function offsetClock(start: number, base: Clock = systemClock): Clock {
  const offset = start - base.now();
  return { now: () => base.now() + offset };
}

export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function manualClock(start: number): ManualClock {
  let t = start;
  return {
    now: () => t,
    set: (ms) => {
      t = ms;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

export class ClockOverrideError extends Error {}

/** Parses NT_MCP_TEST_CLOCK: an ISO instant or "+Nd"/"-Nd" days from now. */
export function parseClockOverride(raw: string, base: Clock = systemClock): number {
  const rel = /^([+-])(\d{1,5})d$/.exec(raw.trim());
  if (rel) return base.now() + (rel[1] === '-' ? -1 : 1) * Number(rel[2]) * 86_400_000;
  const t = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw.trim()) || Number.isNaN(t)) {
    throw new ClockOverrideError(`NT_MCP_TEST_CLOCK must be an ISO instant like 2026-12-10T15:00:00Z or an offset like +100d (got "${raw}").`);
  }
  return t;
}

/**
 * The clock a process starts with: real time, unless NODE_ENV=test and NT_MCP_TEST_CLOCK is set.
 * Outside tests the variable is ignored, so a stray environment can never move a trader's clock.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  const raw = env.NT_MCP_TEST_CLOCK;
  if (env.NODE_ENV !== 'test' || !raw) return systemClock;
  return offsetClock(parseClockOverride(raw));
}

/**
 * What `npm start` should say about the clock: a test clock is announced (a trader must never
 * mistake it for real time), and a variable that is set but ignored outside tests is pointed out.
 */
export function clockNotice(clock: Clock, env: NodeJS.ProcessEnv = process.env): { line?: string; warning?: string } {
  const raw = env.NT_MCP_TEST_CLOCK;
  if (!raw) return {};
  if (env.NODE_ENV !== 'test') return { warning: `NT_MCP_TEST_CLOCK=${raw} is ignored: it moves the clock only when NODE_ENV=test. Running on real time.` };
  return { line: `TEST CLOCK (NT_MCP_TEST_CLOCK=${raw}): now ${new Date(clock.now()).toISOString()} — not the real time` };
}
