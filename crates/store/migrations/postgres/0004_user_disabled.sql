-- Staff leave: an account can be disabled (and enabled again) without deleting it, so that the
-- audit trail keeps its actor. A disabled account cannot sign in, and its sessions and API
-- tokens stop working.
ALTER TABLE users ADD COLUMN disabled_at TEXT;
