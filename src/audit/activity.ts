// The add-on activity log (what the dashboard's Activity view and get_activity_log show): every
// row is kept, but rows are written in batches. The add-on can report thousands of order events in
// one read of its socket; one SQLite commit per row made 20,000 events cost ~0.6 s of commits on
// the event loop, and the control API (the kill switch!) waited behind them (issue 9, docs/performance.md
// "Event floods"). Rows recorded in one turn of the event loop are committed together, in one
// transaction, when that turn's I/O is done (setImmediate), and only then streamed to the dashboard
// (with their ids). Reads flush first, so a page always includes every row recorded before it.
// A crash loses at most the rows of the turn in progress: activity rows describe what NinjaTrader
// reported, they are not the audit trail (trade intents are written fsync'ed, src/audit/audit.ts).
import type { ActivityRow } from '../control/contract.ts';
import type { EventBus } from '../events.ts';
import type { DB } from '../store/db.ts';

interface Queued {
  ts: number;
  kind: string;
  message: string;
  account: string | null;
}

export class ActivityLog {
  private queue: Queued[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private readonly insert;
  private readonly writeBatch;

  constructor(
    private readonly db: DB,
    private readonly bus: EventBus,
    private readonly now: () => number,
  ) {
    this.insert = db.prepare('INSERT INTO activity (ts, kind, message, account) VALUES (?, ?, ?, ?)');
    this.writeBatch = db.transaction((rows: Queued[]) => rows.map((r) => Number(this.insert.run(r.ts, r.kind, r.message, r.account).lastInsertRowid)));
  }

  /** Queues one row; it is committed (and streamed) with the rest of this turn's rows. */
  record(kind: string, message: string, account: string | null = null): void {
    this.queue.push({ ts: this.now(), kind, message, account });
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Commits every queued row in one transaction, then streams them in order. */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (this.queue.length === 0) return;
    const rows = this.queue;
    this.queue = [];
    if (!this.db.open) return;
    const ids = this.writeBatch(rows);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const row: ActivityRow = { id: ids[i]!, ts: new Date(r.ts).toISOString(), kind: r.kind, message: r.message, account: r.account };
      this.bus.emit({ type: 'activity', row });
    }
  }

  /**
   * Newest first. `accounts` given (an MCP grant): only rows about those accounts and rows about
   * the link itself (account NULL); rows about every account ('*') and other accounts' rows are
   * left out. Omitted (the person's dashboard): every row.
   */
  page(q: { limit: number; before?: number; accounts?: readonly string[] }): { rows: ActivityRow[]; nextBefore: number | null } {
    this.flush();
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.before) {
      where.push('id < ?');
      params.push(q.before);
    }
    if (q.accounts) {
      where.push(`(account IS NULL OR account IN (${q.accounts.map(() => '?').join(', ') || 'NULL'}))`);
      params.push(...q.accounts);
    }
    const rows = this.db
      .prepare(`SELECT * FROM activity ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`)
      .all(...params, q.limit + 1) as { id: number; ts: number; kind: string; message: string; account: string | null }[];
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit).map((r) => ({ id: r.id, ts: new Date(r.ts).toISOString(), kind: r.kind, message: r.message, account: r.account }));
    return { rows: page, nextBefore: more ? page[page.length - 1]!.id : null };
  }
}
