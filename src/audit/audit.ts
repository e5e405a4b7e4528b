// The audit log: every tool call and every authorization event, written (synchronously, before
// the response that it describes leaves) to SQLite, and broadcast to the UI.
import type { AuditOutcome, AuditPage, AuditQuery, AuditRow } from '../control/contract.ts';
import type { EventBus } from '../events.ts';
import type { DB } from '../store/db.ts';
import { durably } from '../store/db.ts';
import { auditArgs } from './redact.ts';
import { displaySafe } from '../util/display-safe.ts';

export interface AuditEntry {
  kind: AuditRow['kind'];
  event: string;
  clientId?: string | null;
  grantId?: string | null;
  tool?: string | null;
  /** Raw arguments: redacted and capped here, never stored as given. */
  args?: unknown;
  outcome: AuditOutcome;
  detail?: string | null;
  latencyMs?: number | null;
}

interface RawRow {
  id: number;
  ts: number;
  kind: AuditRow['kind'];
  event: string;
  client_id: string | null;
  client_name: string | null;
  grant_id: string | null;
  tool: string | null;
  args: string | null;
  outcome: AuditOutcome;
  detail: string | null;
  latency_ms: number | null;
}

export class AuditLog {
  private readonly insert;
  private readonly names = new Map<string, string>();
  private readonly nameStmt;

  constructor(
    private readonly db: DB,
    private readonly bus: EventBus,
    private readonly now: () => number,
  ) {
    this.insert = db.prepare(
      `INSERT INTO audit (ts, kind, event, client_id, grant_id, tool, args, outcome, detail, latency_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.nameStmt = db.prepare('SELECT name FROM clients WHERE id = ?').pluck();
  }

  /**
   * Writes one row and returns it. `durable` forces an fsync before returning (trade intents);
   * `also` runs in the same transaction (one WAL commit instead of two on the hot path).
   */
  record(entry: AuditEntry, opts: { durable?: boolean; also?: () => void } = {}): AuditRow {
    const ts = this.now();
    const args = auditArgs(entry.args);
    const params = [
      ts,
      entry.kind,
      entry.event,
      entry.clientId ?? null,
      entry.grantId ?? null,
      entry.tool ?? null,
      args,
      entry.outcome,
      entry.detail ?? null,
      entry.latencyMs ?? null,
    ] as const;
    const write = opts.also
      ? this.db.transaction(() => {
          const info = this.insert.run(...params);
          opts.also!();
          return info;
        })
      : () => this.insert.run(...params);
    const info = opts.durable ? durably(this.db, write) : write();
    const row: AuditRow = {
      id: Number(info.lastInsertRowid),
      ts: new Date(ts).toISOString(),
      kind: entry.kind,
      event: entry.event,
      clientId: entry.clientId ?? null,
      clientName: entry.clientId ? this.clientName(entry.clientId) : null,
      grantId: entry.grantId ?? null,
      tool: entry.tool ?? null,
      args,
      outcome: entry.outcome,
      detail: entry.detail ?? null,
      latencyMs: entry.latencyMs ?? null,
    };
    this.bus.emit({ type: 'audit', row });
    return row;
  }

  private clientName(id: string): string | null {
    let name = this.names.get(id);
    if (name === undefined) {
      name = (this.nameStmt.get(id) as string | undefined) ?? undefined;
      if (name === undefined) return null;
      this.names.set(id, name);
    }
    return displaySafe(name);
  }

  /** Newest first, keyset-paged on id (stable while new rows arrive). */
  page(q: AuditQuery): AuditPage {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.before !== undefined) {
      where.push('a.id < ?');
      params.push(q.before);
    }
    if (q.client) {
      where.push('a.client_id = ?');
      params.push(q.client);
    }
    if (q.tool) {
      where.push('a.tool = ?');
      params.push(q.tool);
    }
    if (q.outcome) {
      where.push('a.outcome = ?');
      params.push(q.outcome);
    }
    const sql = `SELECT a.*, c.name AS client_name FROM audit a LEFT JOIN clients c ON c.id = a.client_id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.id DESC LIMIT ?`;
    const raws = this.db.prepare(sql).all(...params, limit + 1) as RawRow[];
    const more = raws.length > limit;
    const rows = raws.slice(0, limit).map(toRow);
    return { rows, nextBefore: more ? rows[rows.length - 1]!.id : null };
  }
}

function toRow(r: RawRow): AuditRow {
  return {
    id: r.id,
    ts: new Date(r.ts).toISOString(),
    kind: r.kind,
    event: r.event,
    clientId: r.client_id,
    clientName: r.client_name === null ? null : displaySafe(r.client_name),
    grantId: r.grant_id,
    tool: r.tool,
    args: r.args,
    outcome: r.outcome,
    detail: r.detail,
    latencyMs: r.latency_ms,
  };
}
