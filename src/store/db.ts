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
  // power loss. Trade-intent rows switch to FULL for their commit (see store/durable.ts).
  db.pragma('synchronous = NORMAL');
  // Checkpoints copy the WAL into the database and fsync; SQLite runs them inside whichever commit
  // crosses the threshold, which puts an fsync on a tool call's path. We run them on a timer
  // instead (startCheckpoints); commits then only append to the WAL.
  db.pragma('wal_autocheckpoint = 0');
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
  // Checkpoints copy the WAL into the database and fsync; SQLite runs them inside whichever commit
  // crosses the threshold, which puts an fsync on a tool call's path. We run them on a timer
  // instead (startCheckpoints); commits then only append to the WAL.
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('journal_size_limit = 67108864');
  }
}

/** Periodic WAL checkpoints off the request path; returns a stop function that checkpoints once more. */
export function startCheckpoints(db: DB, everyMs = 5_000): () => void {
  const timer = setInterval(() => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (e) {
      console.error('[store] checkpoint failed:', (e as Error).message);
    }
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      /* closing anyway */
    }
  };
}
