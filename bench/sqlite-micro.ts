// Profiling aid: raw cost of one audit-shaped INSERT commit in WAL mode, NORMAL vs FULL.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../src/store/migrations.ts';
const dir = mkdtempSync(join(tmpdir(), 'sq-'));
const db = new Database(join(dir, 'x.db'));
db.pragma('journal_mode = WAL'); if (process.env.AC) db.pragma(`wal_autocheckpoint = ${process.env.AC}`);
for (const m of MIGRATIONS) db.exec(m);
const ins = db.prepare('INSERT INTO audit (ts, kind, event, client_id, grant_id, tool, args, outcome, detail, latency_ms) VALUES (?,?,?,?,?,?,?,?,?,?)');
for (const mode of ['OFF', 'NORMAL', 'FULL']) {
  db.pragma(`synchronous = ${mode}`);
  const n = mode === 'FULL' ? 300 : 5000;
  const t = performance.now();
  for (let i = 0; i < n; i++) ins.run(Date.now(), 'tool', 'tool.call', 'cli_x', 'grt_y', 'list_positions', '{}', 'ok', 'detail text here', 0.5);
  console.log(mode, ((performance.now() - t) / n * 1000).toFixed(1), 'µs per commit');
}
db.close();
rmSync(dir, { recursive: true });
