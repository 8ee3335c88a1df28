-- The `planner` role: runs coverage analyses and plans with the planner's budget, owns its plan
-- jobs, saves scenarios and demand datasets.

ALTER TABLE api_tokens DROP CONSTRAINT IF EXISTS api_tokens_role_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('editor', 'planner', 'admin'));
