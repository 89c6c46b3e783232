-- 政策沙盘 (issue 12): what-if scenarios saved with a name. A scenario is the policy in force with
-- parameters changed (`--set` assignments, a JSON array of strings) over a range of years; it
-- records the policy it was made on (its hash) and pays nothing. Names are unique.
-- Kept column-for-column with ../postgres/0010_scenarios.sql.
CREATE TABLE scenarios (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    policy_hash TEXT NOT NULL,
    overrides TEXT NOT NULL,
    year_from INTEGER NOT NULL,
    year_to INTEGER NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
