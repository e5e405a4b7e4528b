// Order identity on the wire: a client's order id namespaced per OAuth client as the NT8 order Name,
// and how a client sees names (its own clientOrderId, another client's never). docs/security.md,
// "Order identity".
import { sha256Hex } from '../util/crypto.ts';

/** NT8 caps an order Name at 50 characters: "mcp:" + 12-character tag + ":" leaves 33; we allow 32. */
export const CLIENT_ORDER_ID_MAX = 32;
export const WIRE_PREFIX = /^mcp:([0-9a-f]{12}):(.+)$/;

/** A short, stable tag per OAuth client: the first 48 bits of SHA-256 of its client id. */
export function clientTag(clientId: string): string {
  return sha256Hex(clientId).slice(0, 12);
}

/**
 * The order's name on the wire (the NT8 order Name): the client order id namespaced per client,
 * so two clients sharing an account can never collide, and reconciliation by name finds only the
 * caller's own orders.
 */
export function wireName(clientId: string, clientOrderId: string): string {
  return `mcp:${clientTag(clientId)}:${clientOrderId}`;
}

/** The order carries this client's own namespaced name (it placed it through MCP). */
export function isOwnOrder(clientId: string, name: string): boolean {
  const m = WIRE_PREFIX.exec(name);
  return m !== null && m[1] === clientTag(clientId);
}

/** What a client sees as an order's name: its own clientOrderId, another client's never. */
export function presentName(clientId: string, name: string): string {
  const m = WIRE_PREFIX.exec(name);
  if (!m) return name; // NT8's own names ("Close position", ATM "Entry", manual orders)
  return m[1] === clientTag(clientId) ? m[2]! : 'another MCP client';
}

export function presentOrder<T extends { name: string; bracketOf?: string | null }>(clientId: string, o: T): T {
  const name = presentName(clientId, o.name);
  // A bracket / ATM child names its entry: the caller's own clientOrderId, another client's never.
  const parent = typeof o.bracketOf === 'string' ? presentName(clientId, o.bracketOf) : o.bracketOf;
  return name === o.name && parent === o.bracketOf ? o : { ...o, name, ...(parent !== undefined ? { bracketOf: parent } : {}) };
}
