// The durable record of every place request by (client, clientOrderId): idempotency (a retry
// answers by its first result), "sent or not" across a crash, and outcomes the person resolves.
import type { DB } from '../store/db.ts';

export interface OrderRequestRow {
  client_id: string;
  client_order_id: string;
  grant_id?: string;
  request: string;
  status: string;
  result: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

export type OrderRequests = ReturnType<typeof orderRequests>;

/** Prepared statements over order_requests (src/store/schema). */
export function orderRequests(db: DB) {
  return {
    reserve: db.prepare(
      `INSERT INTO order_requests (client_id, client_order_id, grant_id, request, status, created_at, updated_at)
       VALUES (@client_id, @client_order_id, @grant_id, @request, 'pending', @now, @now) ON CONFLICT DO NOTHING`,
    ),
    get: db.prepare('SELECT * FROM order_requests WHERE client_id = ? AND client_order_id = ?'),
    settle: db.prepare(
      'UPDATE order_requests SET status = @status, result = @result, updated_at = @now WHERE client_id = @client_id AND client_order_id = @client_order_id',
    ),
    reopen: db.prepare(
      `UPDATE order_requests SET status = 'pending', grant_id = @grant_id, request = @request, result = NULL, sent_at = NULL, updated_at = @now
       WHERE client_id = @client_id AND client_order_id = @client_order_id AND status IN ('cancelled', 'not_sent')`,
    ),
    markSent: db.prepare('UPDATE order_requests SET sent_at = @now WHERE client_id = @client_id AND client_order_id = @client_order_id'),
    interrupted: db.prepare("SELECT client_id, client_order_id, request, sent_at FROM order_requests WHERE status = 'pending'"),
    clientName: db.prepare('SELECT name FROM clients WHERE id = ?').pluck(),
    listUnknown: db.prepare("SELECT * FROM order_requests WHERE status = 'unknown' ORDER BY updated_at, rowid"),
    getUnknown: db.prepare("SELECT * FROM order_requests WHERE status = 'unknown' AND client_id = ? AND client_order_id = ?"),
    resolveUnknown: db.prepare(
      "UPDATE order_requests SET status = @status, result = @result, updated_at = @now WHERE client_id = @client_id AND client_order_id = @client_order_id AND status = 'unknown'",
    ),
    // NT8 orders other requests already settled as, per account (one order cannot be two requests).
    claimed: db
      .prepare(
        "SELECT json_extract(result, '$.orders[0].orderId') FROM order_requests WHERE status = 'placed' AND json_extract(request, '$.account') = ? AND NOT (client_id = ? AND client_order_id = ?)",
      )
      .pluck(),
  };
}
