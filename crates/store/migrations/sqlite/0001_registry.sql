-- The registry (SQLite). Money in fen (INTEGER), booleans 0/1, dates and times ISO TEXT.
-- Kept column-for-column with ../postgres/0001_registry.sql: one code path reads both.

CREATE TABLE chains (code TEXT PRIMARY KEY, name TEXT NOT NULL, position INTEGER NOT NULL);
CREATE TABLE stages (
    chain TEXT NOT NULL REFERENCES chains(code),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (chain, position)
);
CREATE TABLE stage_edges (
    chain TEXT NOT NULL REFERENCES chains(code),
    from_stage INTEGER NOT NULL,
    to_stage INTEGER NOT NULL,
    PRIMARY KEY (chain, from_stage, to_stage)
);
CREATE TABLE chain_links (
    from_chain TEXT NOT NULL REFERENCES chains(code),
    from_stage INTEGER NOT NULL,
    to_chain TEXT NOT NULL REFERENCES chains(code),
    to_stage INTEGER NOT NULL,
    PRIMARY KEY (from_chain, from_stage, to_chain, to_stage)
);

CREATE TABLE enterprises (
    uscc TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    chain TEXT,
    stage TEXT,
    town TEXT,
    industry_code TEXT,
    strategic_emerging INTEGER,
    established TEXT,
    chain_joined_year INTEGER
);
CREATE INDEX enterprises_chain ON enterprises (chain, stage);
CREATE INDEX enterprises_name ON enterprises (name);

CREATE TABLE annual (
    uscc TEXT NOT NULL REFERENCES enterprises(uscc),
    year INTEGER NOT NULL,
    revenue INTEGER,
    above_scale INTEGER,
    chain_master INTEGER,
    local_procurement INTEGER,
    total_procurement INTEGER,
    rd_expense INTEGER,
    PRIMARY KEY (uscc, year)
);
CREATE INDEX annual_year ON annual (year);

CREATE TABLE recognitions (
    uscc TEXT NOT NULL REFERENCES enterprises(uscc),
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    PRIMARY KEY (uscc, kind, year)
);

CREATE TABLE projects (
    project_id TEXT PRIMARY KEY,
    uscc TEXT NOT NULL REFERENCES enterprises(uscc),
    name TEXT NOT NULL,
    category TEXT,
    fixed_asset_investment INTEGER,
    start_year INTEGER,
    completed_year INTEGER
);
CREATE INDEX projects_uscc ON projects (uscc);

-- The organisation: chain chiefs, deputies, assistants; task forces; leader–enterprise liaison.
CREATE TABLE people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    title TEXT
);
CREATE TABLE chain_roles (
    chain TEXT NOT NULL REFERENCES chains(code),
    person_id INTEGER NOT NULL REFERENCES people(id),
    role TEXT NOT NULL CHECK (role IN ('chief', 'deputy', 'assistant')),
    PRIMARY KEY (chain, person_id, role)
);
CREATE TABLE task_forces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chain TEXT NOT NULL UNIQUE REFERENCES chains(code),
    name TEXT NOT NULL
);
CREATE TABLE task_force_members (
    task_force_id INTEGER NOT NULL REFERENCES task_forces(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (task_force_id, person_id)
);
CREATE TABLE liaisons (
    person_id INTEGER NOT NULL REFERENCES people(id),
    uscc TEXT NOT NULL REFERENCES enterprises(uscc),
    PRIMARY KEY (person_id, uscc)
);

-- Users and roles (PRODUCT.md). A task-force user is scoped to one chain.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'bureau', 'task_force', 'leader', 'finance')),
    chain TEXT REFERENCES chains(code),
    person_id INTEGER REFERENCES people(id),
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    CHECK (role <> 'task_force' OR chain IS NOT NULL)
);
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- The audit trail: who, when, what. Append-only.
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL,
    field TEXT,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX audit_row ON audit (table_name, row_key);

-- Policy versions, by the SHA-256 of their text (overrides are recorded with each run).
CREATE TABLE policy_versions (
    hash TEXT PRIMARY KEY,
    policy_id TEXT NOT NULL,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    stored_at TEXT NOT NULL
);

-- Recorded assessment runs and their outcomes: never changed once written.
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    policy_hash TEXT NOT NULL REFERENCES policy_versions(hash),
    policy_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    overrides TEXT NOT NULL,
    outcome_count INTEGER NOT NULL,
    total_fen INTEGER NOT NULL
);
CREATE TABLE run_outcomes (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    seq INTEGER NOT NULL,
    uscc TEXT NOT NULL,
    enterprise TEXT NOT NULL,
    rule TEXT NOT NULL,
    clause TEXT NOT NULL,
    status TEXT NOT NULL,
    amount_fen INTEGER,
    project_id TEXT,
    one_time INTEGER NOT NULL,
    explanation TEXT NOT NULL,
    missing TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
CREATE INDEX run_outcomes_uscc ON run_outcomes (uscc, rule);

-- The payout ledger: append-only. A payment is made against a recorded award; a correction is
-- a reversal of one payment. award_key = uscc|rule|year (or * for one-time awards)|project.
CREATE TABLE ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    entry TEXT NOT NULL CHECK (entry IN ('payment', 'reversal')),
    award_key TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    uscc TEXT NOT NULL,
    rule TEXT NOT NULL,
    year INTEGER NOT NULL,
    project_id TEXT,
    amount_fen INTEGER NOT NULL,
    reverses INTEGER UNIQUE REFERENCES ledger(id),
    note TEXT NOT NULL,
    CHECK ((entry = 'payment' AND reverses IS NULL AND amount_fen > 0)
        OR (entry = 'reversal' AND reverses IS NOT NULL AND amount_fen < 0))
);
CREATE INDEX ledger_award ON ledger (award_key);

CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: UPDATE refused'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: DELETE refused'); END;
CREATE TRIGGER ledger_one_net_payment BEFORE INSERT ON ledger
WHEN NEW.entry = 'payment' AND (
    SELECT COALESCE(SUM(CASE entry WHEN 'payment' THEN 1 ELSE -1 END), 0) FROM ledger
    WHERE award_key = NEW.award_key) > 0
BEGIN SELECT RAISE(ABORT, 'award already paid'); END;
CREATE TRIGGER ledger_reversal_matches BEFORE INSERT ON ledger
WHEN NEW.entry = 'reversal' AND NOT EXISTS (
    SELECT 1 FROM ledger p WHERE p.id = NEW.reverses AND p.entry = 'payment'
    AND p.award_key = NEW.award_key AND p.amount_fen = -NEW.amount_fen)
BEGIN SELECT RAISE(ABORT, 'a reversal must cancel one payment of the same award exactly'); END;

CREATE TRIGGER runs_no_update BEFORE UPDATE ON runs
BEGIN SELECT RAISE(ABORT, 'recorded runs never change: UPDATE refused'); END;
CREATE TRIGGER runs_no_delete BEFORE DELETE ON runs
BEGIN SELECT RAISE(ABORT, 'recorded runs never change: DELETE refused'); END;
CREATE TRIGGER run_outcomes_no_update BEFORE UPDATE ON run_outcomes
BEGIN SELECT RAISE(ABORT, 'recorded runs never change: UPDATE refused'); END;
CREATE TRIGGER run_outcomes_no_delete BEFORE DELETE ON run_outcomes
BEGIN SELECT RAISE(ABORT, 'recorded runs never change: DELETE refused'); END;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE refused'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: DELETE refused'); END;
