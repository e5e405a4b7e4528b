// Micro-benchmark: the journal's per-quote MFE/MAE update (Journal.quote) against the mirror's own
// quote apply in the same run, with 0, 1 and 4 open lots on the quoted instrument, and how many
// garbage collections each loop triggers (0 = no per-quote allocation). Medians of 7 rounds.
// Run: node --expose-gc --import tsx bench/journal-quotes.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { openDatabase } from '../src/store/db.ts';
import { Journal } from '../src/trading/journal.ts';
import { Mirror } from '../src/ninjatrader/mirror.ts';
import type { DomainEvent, Execution } from '../src/ninjatrader/protocol.ts';

const N = 2_000_000;
const dir = mkdtempSync(join(tmpdir(), 'ntmcp-bench-journal-'));
const db = openDatabase(dir);
let gcs = 0;
new PerformanceObserver((l) => (gcs += l.getEntries().length)).observe({ entryTypes: ['gc'] });
const gc = (globalThis as { gc?: () => void }).gc;

const fill = (id: string, account: string, instrument: string, price: number): Execution =>
  ({ executionId: id, orderId: null, orderName: null, account, instrument, action: 'Buy', quantity: 1, price, time: '2026-11-24T15:00:00Z', commission: 0, isEntry: true, isExit: false }) as Execution;

function journalWith(lots: number): Journal {
  db.exec('DELETE FROM executions; DELETE FROM journal;');
  const j = new Journal(db);
  for (let i = 0; i < lots; i++) j.ingest([fill(`L${i}`, `Acct${i % 3}`, 'ES 12-26', 6000 + i)], false);
  return j;
}

// The same prices for every case: 40 levels, as bench/quote-sender.mjs sends.
const quotes = Array.from({ length: 40 }, (_, i) => ({ instrument: 'ES 12-26', bid: 6000 + i * 0.25, ask: 6000.25 + i * 0.25, last: 6000 + i * 0.25, volume: i, time: '2026-11-24T15:00:00Z' }));
const events: DomainEvent[] = quotes.map((quote) => ({ kind: 'quote', quote }));

function measure(name: string, fn: (i: number) => void): number {
  const ns: number[] = [];
  let collections = 0;
  for (let round = 0; round < 7; round++) {
    gc?.();
    const before = gcs;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn(i);
    ns.push(Number(process.hrtime.bigint() - t0) / N);
    collections += gcs - before;
  }
  ns.sort((a, b) => a - b);
  const median = ns[3]!;
  console.log(`${name.padEnd(44)} ${median.toFixed(1).padStart(6)} ns/quote  (${Math.round(1e9 / median).toLocaleString('en-US')} quotes/s; ${collections} GCs in ${7 * N} quotes)`);
  return median;
}

async function main() {
  const mirror = new Mirror();
  // Let the observer see GCs from setup before measuring.
  await new Promise((r) => setTimeout(r, 10));
  const base = measure('mirror.apply(quote) — baseline', (i) => mirror.apply(events[i % 40]!));
  for (const lots of [0, 1, 4]) {
    const j = journalWith(lots);
    await new Promise((r) => setTimeout(r, 10));
    const t = measure(`journal.quote, ${lots} open lot(s) on ES`, (i) => j.quote(quotes[i % 40]!));
    console.log(`${''.padEnd(44)} ${(t / base).toFixed(2)} × the mirror's apply`);
  }
  const j = journalWith(4);
  const both = measure('mirror.apply + journal.quote (4 lots)', (i) => {
    mirror.apply(events[i % 40]!);
    j.quote(quotes[i % 40]!);
  });
  console.log(`${''.padEnd(44)} ${(both / base).toFixed(2)} × the mirror's apply alone`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
