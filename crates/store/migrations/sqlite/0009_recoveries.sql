-- 收回 (issue 11): the money an enterprise pays back under a recovery rule is a 'recovery' entry
-- of that rule's award key (positive: received), at most one net per key; a reversal may cancel
-- it as it cancels a payment. SQLite cannot change a CHECK, so the table is rebuilt with its
-- index and triggers. The self-reference names the new table (the rename carries it over): naming
-- the old one made dropping it count every reversal as a broken link, and the upgrade failed.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE ledger_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    entry TEXT NOT NULL CHECK (entry IN ('payment', 'reversal', 'recovery')),
    award_key TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    uscc TEXT NOT NULL,
    rule TEXT NOT NULL,
    year INTEGER NOT NULL,
    project_id TEXT,
    amount_fen INTEGER NOT NULL,
    reverses INTEGER UNIQUE REFERENCES ledger_new(id),
    note TEXT NOT NULL,
    round_id INTEGER REFERENCES rounds(id),
    owed_fen INTEGER,
    CHECK ((entry IN ('payment', 'recovery') AND reverses IS NULL AND amount_fen > 0)
        OR (entry = 'reversal' AND reverses IS NOT NULL AND amount_fen < 0))
);
INSERT INTO ledger_new (id, at, actor, entry, award_key, run_id, uscc, rule, year, project_id, amount_fen,
    reverses, note, round_id, owed_fen)
SELECT id, at, actor, entry, award_key, run_id, uscc, rule, year, project_id, amount_fen,
    reverses, note, round_id, owed_fen FROM ledger;
DROP TABLE ledger;
ALTER TABLE ledger_new RENAME TO ledger;
CREATE INDEX ledger_award ON ledger (award_key);

CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: UPDATE refused'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: DELETE refused'); END;
CREATE TRIGGER ledger_payment_within_award BEFORE INSERT ON ledger
WHEN NEW.entry = 'payment' AND (
    (NEW.owed_fen IS NULL AND (SELECT COALESCE(SUM(amount_fen), 0) FROM ledger WHERE award_key = NEW.award_key) > 0)
    OR (NEW.owed_fen IS NOT NULL AND
        (SELECT COALESCE(SUM(amount_fen), 0) FROM ledger WHERE award_key = NEW.award_key) + NEW.amount_fen > NEW.owed_fen))
BEGIN SELECT RAISE(ABORT, 'award already paid'); END;
CREATE TRIGGER ledger_one_net_recovery BEFORE INSERT ON ledger
WHEN NEW.entry = 'recovery'
    AND (SELECT COALESCE(SUM(amount_fen), 0) FROM ledger WHERE award_key = NEW.award_key) > 0
BEGIN SELECT RAISE(ABORT, 'award already recovered'); END;
CREATE TRIGGER ledger_reversal_matches BEFORE INSERT ON ledger
WHEN NEW.entry = 'reversal' AND NOT EXISTS (
    SELECT 1 FROM ledger p WHERE p.id = NEW.reverses AND p.entry IN ('payment', 'recovery')
    AND p.award_key = NEW.award_key AND p.amount_fen = -NEW.amount_fen)
BEGIN SELECT RAISE(ABORT, 'a reversal must cancel one payment of the same award exactly'); END;
