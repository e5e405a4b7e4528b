// CSV export of audit rows (RFC 4180 quoting; cells that a spreadsheet would run as a formula
// are prefixed with ' — audit arguments come from AI clients and are not trusted).
import type { AuditRow } from '../../src/control/contract.ts';

export const CSV_COLUMNS: (keyof AuditRow)[] = ['id', 'ts', 'kind', 'event', 'clientId', 'clientName', 'grantId', 'tool', 'outcome', 'latencyMs', 'detail', 'args'];

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function auditCsv(rows: AuditRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function csvFileName(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `nt-mcp-audit-${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}.csv`;
}

/** Starts a download of `text` through a Blob URL (no server round trip). */
export function download(text: string, name: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
