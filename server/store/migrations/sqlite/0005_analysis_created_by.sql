-- Who made each saved analysis: the token id of a signed-in caller, `anonymous`, `cli` or
-- `system`. Analyses saved before this migration count as `anonymous`.

ALTER TABLE analyses ADD COLUMN created_by TEXT NOT NULL DEFAULT 'anonymous';

-- Pruning by kind, newest first, and by age.
CREATE INDEX analyses_kind_created_at ON analyses (kind, created_at);
