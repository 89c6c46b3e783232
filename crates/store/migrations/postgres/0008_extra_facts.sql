-- Facts a policy declares beyond FACTS.md's columns (issue 11): one row per value, so that a
-- new declared fact needs no migration. `at` is what the value belongs to: `enterprise`, a year
-- (`2023`), or a project (`project:<id>`); `value` is the cell as the exchange format writes it.
CREATE TABLE extra_facts (
    uscc TEXT NOT NULL REFERENCES enterprises(uscc),
    at TEXT NOT NULL,
    fact TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (uscc, at, fact)
);
