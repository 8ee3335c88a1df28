-- Access control and the audit log (PostgreSQL store).
--
-- `api_tokens`: one row per API token. A token reads `yz_<id>_<secret>`; only `id` is stored in
-- clear, the secret as an argon2id PHC string. `role` is `editor` (may write stations and imports)
-- or `admin` (also reads the audit log). A revoked token keeps its row (`revoked_at` set) so the
-- audit log can still name it.
--
-- `audit_log`: one row per write, appended inside the writing transaction. `actor_id` is a token
-- id, `config` (the configured bootstrap token) or `cli`; `before` / `after` are NULL when there
-- is nothing (before a create, after a delete).

CREATE TABLE api_tokens (
    id           text        PRIMARY KEY,
    name         text        NOT NULL CHECK (name <> ''),
    role         text        NOT NULL CHECK (role IN ('editor', 'admin')),
    secret_hash  text        NOT NULL,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE TABLE audit_log (
    seq        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL,
    actor_id   text        NOT NULL,
    actor_name text        NOT NULL,
    role       text        NOT NULL,
    operation  text        NOT NULL,
    route      text,
    target     text,
    before     jsonb,
    after      jsonb
);

CREATE INDEX audit_log_at ON audit_log (at);
