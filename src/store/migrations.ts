// Versioned schema. Append only: never edit a migration that has shipped.
// Times are integer milliseconds since the epoch. Secrets are never stored: only SHA-256 hashes.
export const MIGRATIONS: string[] = [
  /* 1: clients, grants, codes, tokens, consents, audit */ `
  CREATE TABLE clients (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,          -- JSON array
    metadata TEXT NOT NULL,               -- JSON: the registration as accepted (no secret)
    secret_hash TEXT,                     -- NULL for public clients
    auth_method TEXT NOT NULL,            -- none | client_secret_post | client_secret_basic
    created_at INTEGER NOT NULL,
    removed_at INTEGER
  );

  CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients(id),
    scope TEXT NOT NULL,
    accounts TEXT NOT NULL,               -- JSON array of NT8 account names
    confirm_policy TEXT NOT NULL DEFAULT 'always',
    limits TEXT NOT NULL,                 -- JSON GrantLimits
    resource TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    call_count INTEGER NOT NULL DEFAULT 0,
    revoked_at INTEGER,
    revoked_reason TEXT
  );
  CREATE INDEX grants_client ON grants(client_id);

  CREATE TABLE auth_codes (
    hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES grants(id),
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );

  CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    grant_id TEXT NOT NULL REFERENCES grants(id),
    client_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    rotated_at INTEGER,                   -- refresh tokens: when exchanged for a new pair
    parent_hash TEXT,                     -- the refresh token this one was issued from
    revoked_at INTEGER
  );
  CREATE INDEX tokens_parent ON tokens(parent_hash);
  CREATE INDEX tokens_grant ON tokens(grant_id);

  CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    browser_key_hash TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients(id),
    redirect_uri TEXT NOT NULL,
    state TEXT,
    code_challenge TEXT NOT NULL,
    requested_scope TEXT NOT NULL,
    resource TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending', -- pending | approved | denied | expired | completed
    grant_id TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    decided_at INTEGER
  );
  CREATE INDEX consents_status ON consents(status);

  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,
    kind TEXT NOT NULL,
    event TEXT NOT NULL,
    client_id TEXT,
    grant_id TEXT,
    tool TEXT,
    args TEXT,
    outcome TEXT NOT NULL,
    detail TEXT,
    latency_ms REAL
  );
  CREATE INDEX audit_client ON audit(client_id, id);
  CREATE INDEX audit_tool ON audit(tool, id);
  `,
  /* 2: trading: settings (kill switch), idempotent orders, activity, executions, journal, watermarks */ `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  CREATE TABLE order_requests (
    client_id TEXT NOT NULL,
    client_order_id TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    request TEXT NOT NULL,                -- JSON of the validated place_order arguments
    status TEXT NOT NULL,                 -- pending | placed | rejected | denied | unknown | failed
    result TEXT,                          -- JSON of the first result, returned to every retry
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, client_order_id)
  );

  CREATE TABLE activity (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL
  );

  CREATE TABLE executions (
    execution_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    instrument TEXT NOT NULL,
    data TEXT NOT NULL,                   -- JSON of the execution as the add-on reported it
    ts INTEGER NOT NULL
  );
  CREATE INDEX executions_account ON executions(account, ts);

  CREATE TABLE journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    instrument TEXT NOT NULL,
    side TEXT NOT NULL,                   -- Long | Short
    quantity INTEGER NOT NULL,
    entry_time INTEGER NOT NULL,
    entry_price REAL NOT NULL,
    exit_time INTEGER NOT NULL,
    exit_price REAL NOT NULL,
    pnl REAL NOT NULL,                    -- dollars, after commission
    commission REAL NOT NULL,
    exit_execution_id TEXT NOT NULL,
    simulated INTEGER NOT NULL
  );
  CREATE INDEX journal_account ON journal(account, id);

  CREATE TABLE watermarks (
    account TEXT NOT NULL,
    session_start INTEGER NOT NULL,
    realized_at_start REAL NOT NULL,
    pnl_high REAL NOT NULL,
    netliq_high REAL NOT NULL,
    unreal_high REAL NOT NULL,
    PRIMARY KEY (account, session_start)
  );
  `,
  /* 3: activity rows carry the account they are about, so a grant sees only its own accounts' rows.
        NULL = about the link itself (connect, disconnect, protocol errors): every client may see it.
        '*'  = about every account at once (a snapshot's counts): the dashboard only.
        Rows written before this migration cannot be attributed safely: dashboard only. */ `
  ALTER TABLE activity ADD COLUMN account TEXT;
  UPDATE activity SET account = '*' WHERE kind IN ('order', 'execution', 'snapshot');
  CREATE INDEX activity_account ON activity(account, id);
  `,
  /* 4: order_requests.sent_at: whether an order had left for NinjaTrader when the companion stopped */ `
  -- Set in the same fsync'ed transaction as the trade.submit audit row, before the order leaves;
  -- NULL = never sent. Recovery at start-up (src/trading/trading.ts) tells "not sent" (a retry
  -- may send it) from "sent, outcome unknown". Statuses now also: not_sent.
  ALTER TABLE order_requests ADD COLUMN sent_at INTEGER;
  -- Rows left pending by a version without this column may have been sent: treat them as sent.
  UPDATE order_requests SET sent_at = updated_at WHERE status = 'pending';
  `,
  /* 5: journal analytics (issue 11): the price path and who opened each round trip (src/trading/journal.ts) */ `
  -- high / low: the highest and lowest last price while the round trip was open (its entry and exit
  -- fills included), for MFE/MAE; NULL when the companion did not watch the whole time (opened
  -- before a start, or a reconnect lost quotes while it was open), and for rows written before.
  ALTER TABLE journal ADD COLUMN high REAL;
  ALTER TABLE journal ADD COLUMN low REAL;
  -- client_tag: the 12-hex tag of the MCP client whose order opened it ('' = not placed through
  -- MCP: NT8's own or manual orders); NULL = recorded before this migration (not attributed).
  ALTER TABLE journal ADD COLUMN client_tag TEXT;
  -- atm: the ATM strategy that managed it, when the add-on names one; NULL = none.
  ALTER TABLE journal ADD COLUMN atm TEXT;
  `,
  /* 6: account risk rules, set only at the desktop (src/trading/risk-rules.ts), and the locks they impose */ `
  CREATE TABLE risk_rules (
    account TEXT PRIMARY KEY,             -- the NT8 account name
    rules TEXT NOT NULL,                  -- JSON RiskRules (limits in dollars, contracts, an ET window, onBreach)
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE risk_locks (
    account TEXT PRIMARY KEY,
    code TEXT NOT NULL,                   -- the refusal code of the breach that locked it
    reason TEXT NOT NULL,                 -- the sentence the person and the clients were told
    locked_at INTEGER NOT NULL,
    until INTEGER NOT NULL                -- the next session start (src/market/calendar.ts) after the breach
  );
  `,
];
