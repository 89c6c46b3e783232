-- Plausibility confirmations (核实确认): a clerk confirms that a value flagged by a plausibility
-- check of the policy file is right. The confirmation clears that check's finding for exactly that
-- value: a changed value is checked again. Append-only, like the audit trail that also records it.
-- Kept column-for-column with ../postgres/0006_confirmations.sql.
CREATE TABLE confirmations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    check_id TEXT NOT NULL,
    uscc TEXT NOT NULL REFERENCES enterprises(uscc),
    year INTEGER NOT NULL,
    field TEXT NOT NULL,
    project_id TEXT NOT NULL DEFAULT '',
    value TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    UNIQUE (check_id, uscc, year, field, project_id, value)
);
CREATE INDEX confirmations_uscc ON confirmations (uscc);
CREATE TRIGGER confirmations_no_update BEFORE UPDATE ON confirmations
BEGIN SELECT RAISE(ABORT, 'confirmations are append-only: UPDATE refused'); END;
CREATE TRIGGER confirmations_no_delete BEFORE DELETE ON confirmations
BEGIN SELECT RAISE(ABORT, 'confirmations are append-only: DELETE refused'); END;
