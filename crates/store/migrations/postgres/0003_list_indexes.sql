-- The enterprise list pages by name within a chain (or the whole county) straight from an index.
DROP INDEX IF EXISTS enterprises_name;
CREATE INDEX enterprises_name ON enterprises (name, uscc);
CREATE INDEX enterprises_chain_name ON enterprises (chain, name, uscc);
CREATE INDEX recognitions_kind ON recognitions (kind, uscc);
