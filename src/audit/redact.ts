// Arguments are audited with secrets removed and the size capped, so the audit table can be
// exported and shared without leaking credentials.
const SECRET_KEY = /(token|secret|password|passwd|verifier|authorization|api[_-]?key|^code$|cookie)/i;
export const MAX_AUDIT_ARGS = 2048;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[nested]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
    }
    return out;
  }
  if (typeof value === 'string' && value.length > 512) return `${value.slice(0, 512)}…[${value.length} chars]`;
  return value;
}

/** Redacted, size-capped JSON text of tool arguments. */
export function auditArgs(args: unknown): string | null {
  if (args === undefined || args === null) return null;
  const text = JSON.stringify(redact(args));
  return text.length > MAX_AUDIT_ARGS ? `${text.slice(0, MAX_AUDIT_ARGS)}…[truncated]` : text;
}
