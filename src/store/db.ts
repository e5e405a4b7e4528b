// SQLite store: one file in the data dir, WAL, versioned migrations, owner-only permissions.
import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations.ts';

export type DB = Database.Database;

export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is ignored for an existing dir; tighten it anyway (no-op on Windows ACLs).
  try {
    chmodSync(dir, 0o700);
  } catch {
    /* best effort */
  }
}

/** Opens (creating if needed) the companion database and applies pending migrations. */
export function openDatabase(dataDir: string): DB {
  ensurePrivateDir(dataDir);
  const file = join(dataDir, 'companion.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit survives a crash of this process; FULL additionally survives
  // power loss. Trade-intent rows switch to FULL for their commit (durably(), below).
  db.pragma('synchronous = NORMAL');
  db.pragma('journal_size_limit = 67108864');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  // Owner-only: the db holds hashes and the audit trail; the -wal/-shm side files too.
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(f)) {
      try {
        chmodSync(f, 0o600);
      } catch {
        /* best effort */
      }
    }
  }
  return db;
}

export function migrate(db: DB): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `The database was written by a newer NT MCP Companion (schema ${current}, this one knows ${MIGRATIONS.length}). Update the app or use another --data-dir.`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    const apply = db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    });
    apply();
  }
}

/** Runs fn with synchronous=FULL so its commit is on disk (fsync) before fn returns. */
export function durably<T>(db: DB, fn: () => T): T {
  db.pragma('synchronous = FULL');
  try {
    return fn();
  } finally {
    db.pragma('synchronous = NORMAL');
  }
}

