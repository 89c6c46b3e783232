-- Award rounds (兑现批次, issue 10): a year's awards carried from assessment to payment.
-- A round pins its policy text; each revision of its lines is a recorded run, its lines and the
-- facts of every listed enterprise as they were (so the round can be re-read exactly years
-- later); everything people do is an event. All of it is append-only.
-- Kept column-for-column with ../postgres/0007_rounds.sql.
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    year INTEGER NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    policy_hash TEXT NOT NULL REFERENCES policy_versions(hash),
    policy_id TEXT NOT NULL,
    confirmation INTEGER NOT NULL,
    approvals INTEGER NOT NULL,
    publicity_days INTEGER NOT NULL,
    objection_to TEXT NOT NULL
);
CREATE TABLE round_revisions (
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    revision INTEGER NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    registry_revision INTEGER,
    facts_hash TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    PRIMARY KEY (round_id, revision)
);
CREATE TABLE round_lines (
    round_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    uscc TEXT NOT NULL,
    rule TEXT NOT NULL,
    project_id TEXT,
    award_key TEXT NOT NULL,
    enterprise TEXT NOT NULL,
    chain TEXT,
    town TEXT,
    clause TEXT NOT NULL,
    rule_title TEXT NOT NULL,
    outcome TEXT NOT NULL,
    pays INTEGER NOT NULL,
    amount_fen INTEGER,
    ceiling INTEGER NOT NULL,
    explanation TEXT NOT NULL,
    missing TEXT NOT NULL,
    PRIMARY KEY (round_id, revision, seq),
    FOREIGN KEY (round_id, revision) REFERENCES round_revisions(round_id, revision)
);
CREATE INDEX round_lines_award ON round_lines (award_key);
CREATE TABLE round_facts (
    round_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    uscc TEXT NOT NULL,
    facts TEXT NOT NULL,
    PRIMARY KEY (round_id, revision, uscc),
    FOREIGN KEY (round_id, revision) REFERENCES round_revisions(round_id, revision)
);
CREATE TABLE round_events (
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    kind TEXT NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (round_id, seq)
);

-- Lists of seriously untrustworthy entities (严重失信主体名单) as imported, one import per list.
CREATE TABLE credit_lists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    file_name TEXT NOT NULL,
    entry_count INTEGER NOT NULL
);
CREATE TABLE credit_entries (
    list_id INTEGER NOT NULL REFERENCES credit_lists(id),
    row_no INTEGER NOT NULL,
    uscc TEXT NOT NULL,
    name TEXT,
    list_name TEXT NOT NULL,
    source TEXT NOT NULL,
    listed TEXT NOT NULL,
    removed TEXT,
    PRIMARY KEY (list_id, row_no)
);
CREATE INDEX credit_entries_uscc ON credit_entries (uscc);

-- The year's budget per clause (预算), as entered: the newest entry of a (year, clause) is in force.
CREATE TABLE budgets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    year INTEGER NOT NULL,
    clause TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    note TEXT NOT NULL
);

-- Years of the official calendar added by an administrator (holiday-cn format); the newest entry
-- of a year is in force, over the bundled years too.
CREATE TABLE calendar_years (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    year INTEGER NOT NULL,
    data TEXT NOT NULL
);

-- Payments through a round carry the round and the line's final amount (owed_fen): partial
-- payments are allowed up to it. A payment outside a round (owed_fen NULL) stays one net payment.
ALTER TABLE ledger ADD COLUMN round_id INTEGER REFERENCES rounds(id);
ALTER TABLE ledger ADD COLUMN owed_fen INTEGER;
DROP TRIGGER ledger_one_net_payment;
CREATE TRIGGER ledger_payment_within_award BEFORE INSERT ON ledger
WHEN NEW.entry = 'payment' AND (
    (NEW.owed_fen IS NULL AND (SELECT COALESCE(SUM(amount_fen), 0) FROM ledger WHERE award_key = NEW.award_key) > 0)
    OR (NEW.owed_fen IS NOT NULL AND
        (SELECT COALESCE(SUM(amount_fen), 0) FROM ledger WHERE award_key = NEW.award_key) + NEW.amount_fen > NEW.owed_fen))
BEGIN SELECT RAISE(ABORT, 'award already paid'); END;

CREATE TRIGGER rounds_no_update BEFORE UPDATE ON rounds
BEGIN SELECT RAISE(ABORT, 'rounds are append-only: UPDATE refused'); END;
CREATE TRIGGER rounds_no_delete BEFORE DELETE ON rounds
BEGIN SELECT RAISE(ABORT, 'rounds are append-only: DELETE refused'); END;
CREATE TRIGGER round_revisions_no_update BEFORE UPDATE ON round_revisions
BEGIN SELECT RAISE(ABORT, 'rounds are append-only: UPDATE refused'); END;
CREATE TRIGGER round_revisions_no_delete BEFORE DELETE ON round_revisions
BEGIN SELECT RAISE(ABORT, 'rounds are append-only: DELETE refused'); END;
CREATE TRIGGER round_lines_no_update BEFORE UPDATE ON round_lines
BEGIN SELECT RAISE(ABORT, 'rounds are append-only: UPDATE refused'); END;
CREATE TRIGGER round_lines_no_delete BEFORE DELETE ON round_lines
BEGIN SELECT RAISE(ABORT, 'rounds are append-only: DELETE refused'); END;
CREATE TRIGGER round_facts_no_update BEFORE UPDATE ON round_facts
BEGIN SELECT RAISE(ABORT, 'rounds are append-only: UPDATE refused'); END;
CREATE TRIGGER round_facts_no_delete BEFORE DELETE ON round_facts
BEGIN SELECT RAISE(ABORT, 'rounds are append-only: DELETE refused'); END;
CREATE TRIGGER round_events_no_update BEFORE UPDATE ON round_events
BEGIN SELECT RAISE(ABORT, 'rounds are append-only: UPDATE refused'); END;
CREATE TRIGGER round_events_no_delete BEFORE DELETE ON round_events
BEGIN SELECT RAISE(ABORT, 'rounds are append-only: DELETE refused'); END;
CREATE TRIGGER credit_lists_no_update BEFORE UPDATE ON credit_lists
BEGIN SELECT RAISE(ABORT, 'credit lists are append-only: UPDATE refused'); END;
CREATE TRIGGER credit_lists_no_delete BEFORE DELETE ON credit_lists
BEGIN SELECT RAISE(ABORT, 'credit lists are append-only: DELETE refused'); END;
CREATE TRIGGER credit_entries_no_update BEFORE UPDATE ON credit_entries
BEGIN SELECT RAISE(ABORT, 'credit lists are append-only: UPDATE refused'); END;
CREATE TRIGGER credit_entries_no_delete BEFORE DELETE ON credit_entries
BEGIN SELECT RAISE(ABORT, 'credit lists are append-only: DELETE refused'); END;
CREATE TRIGGER budgets_no_update BEFORE UPDATE ON budgets
BEGIN SELECT RAISE(ABORT, 'budgets are append-only: UPDATE refused'); END;
CREATE TRIGGER budgets_no_delete BEFORE DELETE ON budgets
BEGIN SELECT RAISE(ABORT, 'budgets are append-only: DELETE refused'); END;
CREATE TRIGGER calendar_years_no_update BEFORE UPDATE ON calendar_years
BEGIN SELECT RAISE(ABORT, 'calendar years are append-only: UPDATE refused'); END;
CREATE TRIGGER calendar_years_no_delete BEFORE DELETE ON calendar_years
BEGIN SELECT RAISE(ABORT, 'calendar years are append-only: DELETE refused'); END;
