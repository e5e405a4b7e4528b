// The journal's bookkeeping on a real SQLite store: the price path of each FIFO lot (scaling in,
// partial exits, a reversal), what a snapshot does to open lots, ATM grouping when fills name one,
// New York hours in summer time, and rows written before the analytics migration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openDatabase, type DB } from '../../src/store/db.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { analyzeJournal, etHourAndDay, Journal } from '../../src/trading/journal.ts';
import type { Execution } from '../../src/ninjatrader/protocol.ts';

const MNQ = 'MNQ 12-26'; // tick 0.25 = $0.50
let n = 0;
const fill = (action: 'Buy' | 'Sell', quantity: number, price: number, time: string, more: Partial<Execution> & { atm?: string } = {}): Execution =>
  ({ executionId: `E${++n}`, orderId: null, orderName: null, account: 'A', instrument: MNQ, action, quantity, price, time, commission: 0, isEntry: false, isExit: false, ...more }) as Execution;
const q = (last: number) => ({ instrument: MNQ, last });

function withDb(fn: (db: DB, dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-journal-unit-'));
  const db = openDatabase(dir);
  try {
    fn(db, dir);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('each lot has its own price path: scale in, partial exits, a reversal', () => {
  withDb((db) => {
    const j = new Journal(db);
    j.ingest([fill('Buy', 1, 20000, '2026-11-24T15:00:00Z')], false);
    j.quote(q(19990)); // only the first lot is open
    j.ingest([fill('Buy', 1, 20005, '2026-11-24T15:01:00Z')], false);
    j.quote(q(20010));
    j.quote({ instrument: 'ES 12-26', last: 1 }); // another instrument: no effect
    j.quote(q(0)); // no last yet: ignored
    // Sell 3: closes lot 1 (20000), lot 2 (20005), and opens a short of 1 at 20008.
    j.ingest([fill('Sell', 3, 20008, '2026-11-24T15:02:00Z')], false);
    j.quote(q(20001));
    j.ingest([fill('Buy', 1, 20003, '2026-11-24T15:03:00Z')], false);
    const [short, second, first] = j.list(['A'], { limit: 10 });
    assert.deepEqual([first!.high, first!.low, first!.mfeTicks, first!.maeTicks, first!.mfe, first!.mae], [20010, 19990, 40, 40, 20, 20]);
    assert.deepEqual([second!.high, second!.low, second!.mfeTicks, second!.maeTicks], [20010, 20005, 20, 0], 'the dip to 19990 came before lot 2 opened');
    assert.equal(short!.side, 'Short');
    assert.deepEqual([short!.high, short!.low, short!.mfeTicks, short!.maeTicks], [20008, 20001, 28, 0]);
  });
});

test('a snapshot marks open lots as not fully watched; lots opened after it are watched', () => {
  withDb((db) => {
    const j = new Journal(db);
    j.ingest([fill('Buy', 2, 20000, '2026-11-24T15:00:00Z')], false);
    j.quote(q(20004));
    j.snapshot([], false); // a reconnect: quotes may have been lost while the link was down
    j.quote(q(19999));
    j.ingest([fill('Sell', 1, 20001, '2026-11-24T15:10:00Z')], false);
    // A fill first seen in a snapshot (it happened while the link was down) opens an unwatched lot.
    j.snapshot([fill('Sell', 1, 20002, '2026-11-24T15:11:00Z'), fill('Sell', 1, 20010, '2026-11-24T15:12:00Z')], false);
    j.ingest([fill('Buy', 1, 20000, '2026-11-24T15:20:00Z')], false);
    j.ingest([fill('Sell', 1, 20000, '2026-11-24T15:21:00Z')], false);
    j.quote(q(19996));
    j.ingest([fill('Buy', 1, 19998, '2026-11-24T15:22:00Z')], false);
    const trades = j.list(['A'], { limit: 10 }).reverse();
    assert.deepEqual(trades.map((t) => t.mfeTicks), [null, null, null, 16], 'only the short opened live after the snapshot is known');
    assert.equal(trades[3]!.maeTicks, 0);
    assert.equal(analyzeJournal(trades, 'x').summary.mfeMaeKnown, 1);
  });
});

test('round trips group by the ATM strategy their fills name, else "none"; by client tag as the viewer sees it', () => {
  withDb((db) => {
    const j = new Journal(db);
    const mine = 'mcp:aaaaaaaaaaaa:entry-1';
    j.ingest([fill('Buy', 1, 20000, '2026-11-24T15:00:00Z', { orderName: mine, atm: 'Two targets' })], false);
    j.ingest([fill('Sell', 1, 20004, '2026-11-24T15:01:00Z', { orderName: 'Target1', atm: 'Two targets' })], false);
    // The ATM is named only by its child fill.
    j.ingest([fill('Buy', 1, 20000, '2026-11-24T15:02:00Z', { orderName: 'mcp:bbbbbbbbbbbb:x' })], false);
    j.ingest([fill('Sell', 1, 19998, '2026-11-24T15:03:00Z', { orderName: 'Stop1', atm: 'Scalp' })], false);
    j.ingest([fill('Buy', 1, 20000, '2026-11-24T15:04:00Z')], false);
    j.ingest([fill('Sell', 1, 20001, '2026-11-24T15:05:00Z')], false);
    const a = analyzeJournal(j.list(['A'], { limit: 10 }), 'aaaaaaaaaaaa');
    assert.deepEqual(a.byAtm.map((b) => [b.atm, b.count, b.netPnl]).sort(), [['Scalp', 1, -4], ['Two targets', 1, 8], ['none', 1, 2]].sort());
    assert.deepEqual(a.byClient.map((b) => [b.client, b.count]).sort(), [['another MCP client', 1], ['not placed through MCP', 1], ['you', 1]]);
    assert.deepEqual(j.list(['B'], { limit: 10 }), [], 'another account: nothing');
  });
});

test('New York hours and weekdays follow summer and winter time', () => {
  assert.deepEqual(etHourAndDay(Date.parse('2026-07-15T13:30:00Z')), { hour: 9, day: 'Wednesday' }, 'EDT, UTC−4');
  assert.deepEqual(etHourAndDay(Date.parse('2026-11-24T14:30:00Z')), { hour: 9, day: 'Tuesday' }, 'EST, UTC−5');
  assert.deepEqual(etHourAndDay(Date.parse('2026-11-25T04:59:00Z')), { hour: 23, day: 'Tuesday' });
  assert.deepEqual(etHourAndDay(Date.parse('2026-11-25T05:00:00Z')), { hour: 0, day: 'Wednesday' });
});

test('rows written before the analytics migration read as unattributed, with MFE/MAE unknown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntmcp-journal-mig-'));
  try {
    const raw = new Database(join(dir, 'companion.db'));
    for (let v = 0; v < 4; v++) raw.exec(MIGRATIONS[v]!);
    raw.pragma('user_version = 4');
    raw.prepare(`INSERT INTO journal (account, instrument, side, quantity, entry_time, entry_price, exit_time, exit_price, pnl, commission, exit_execution_id, simulated)
      VALUES ('A', ?, 'Long', 1, ?, 20000, ?, 20002, 4, 0, 'old', 0)`).run(MNQ, Date.parse('2026-11-24T15:00:00Z'), Date.parse('2026-11-24T15:01:00Z'));
    migrate(raw);
    const [t] = new Journal(raw).list(['A'], { limit: 1 });
    assert.equal(t!.mfeTicks, null);
    assert.equal(t!.clientTag, null);
    assert.equal(analyzeJournal([t!], 'x').byClient[0]!.client, 'unknown (recorded before attribution)');
    raw.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
