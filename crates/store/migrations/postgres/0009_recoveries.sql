-- 收回 (issue 11): the money an enterprise pays back under a recovery rule is a 'recovery' entry
-- of that rule's award key (positive: received), at most one net per key; a reversal may cancel
-- it as it cancels a payment.
ALTER TABLE ledger DROP CONSTRAINT ledger_entry_check;
ALTER TABLE ledger DROP CONSTRAINT ledger_check;
ALTER TABLE ledger ADD CONSTRAINT ledger_entry_check CHECK (entry IN ('payment', 'reversal', 'recovery'));
ALTER TABLE ledger ADD CONSTRAINT ledger_check
    CHECK ((entry IN ('payment', 'recovery') AND reverses IS NULL AND amount_fen > 0)
        OR (entry = 'reversal' AND reverses IS NOT NULL AND amount_fen < 0));

CREATE OR REPLACE FUNCTION lianzhang_ledger_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE net BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext(NEW.award_key));
    SELECT COALESCE(SUM(amount_fen), 0) INTO net FROM ledger WHERE award_key = NEW.award_key;
    IF NEW.entry = 'payment' AND ((NEW.owed_fen IS NULL AND net > 0)
        OR (NEW.owed_fen IS NOT NULL AND net + NEW.amount_fen > NEW.owed_fen)) THEN
        RAISE EXCEPTION 'award already paid';
    END IF;
    IF NEW.entry = 'recovery' AND net > 0 THEN
        RAISE EXCEPTION 'award already recovered';
    END IF;
    IF NEW.entry = 'reversal' AND NOT EXISTS (
        SELECT 1 FROM ledger p WHERE p.id = NEW.reverses AND p.entry IN ('payment', 'recovery')
        AND p.award_key = NEW.award_key AND p.amount_fen = -NEW.amount_fen) THEN
        RAISE EXCEPTION 'a reversal must cancel one payment of the same award exactly';
    END IF;
    RETURN NEW;
END $$;
