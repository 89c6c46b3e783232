-- Policy versions (issue 12): an administrator adopts a policy text from an assessment year on.
-- The version in force for year Y is the adoption with the greatest from_year <= Y (the newest
-- such adoption when two name the same year); before the first adoption, the file the server
-- was started with. Append-only: a correction is a new adoption. An adopted text is never a
-- what-if, whatever the first text recorded under its policy id.
-- Kept column-for-column with ../postgres/0012_policy_adoptions.sql.
CREATE TABLE policy_adoptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hash TEXT NOT NULL REFERENCES policy_versions(hash),
    from_year INTEGER NOT NULL,
    note TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL
);
