-- Console sessions.
--
-- A signed-in browser holds a random session secret in an HttpOnly cookie; only its SHA-256 (hex)
-- is stored. `token_id` is the API token the session was opened with (`api_tokens.id`, or
-- `config` for the configured bootstrap token): a session is valid while it is not revoked, not
-- expired and its token is not revoked, so revoking a token ends its sessions at once, on every
-- server sharing this database.

CREATE TABLE sessions (
    id_hash    text PRIMARY KEY,
    token_id   text NOT NULL CHECK (token_id <> ''),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);

CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX audit_log_target ON audit_log (target, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
