-- 潜在可享 (issue 12): the services a task force (or the bureau, or a liaison leader) gave an
-- enterprise listed as near an award: the list's year, what it is near (kind, rule, project),
-- the day of the service and what was done. Append-only: a later note adds to the earlier ones.
-- Kept column-for-column with ../postgres/0011_near_services.sql.
CREATE TABLE near_services (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uscc TEXT NOT NULL,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    rule TEXT NOT NULL,
    project_id TEXT NOT NULL,
    service_date TEXT NOT NULL,
    note TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX near_services_year ON near_services (year, uscc);
