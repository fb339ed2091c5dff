-- Identity, access and tenancy: teams, users, memberships, sessions, API tokens, partner keys,
-- the audit log and login throttling, with row-level security as the second wall behind the code.
--
-- Two database roles: the owner (runs migrations, seeds, the CLI; owns every table, so RLS does not
-- apply to it) and `itinera_app`, the role the FastCGI workers connect as. `itinera_app` owns
-- nothing: every policy below applies to it. It must exist before this migration runs
-- (`make run` creates it; see the README for other installations).

GRANT USAGE ON SCHEMA public TO itinera_app;
GRANT SELECT ON schema_migrations TO itinera_app;
-- Tables and sequences created by later migrations are the app's to use as well.
ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO itinera_app;
ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT ON SEQUENCES TO itinera_app;

-- The request's tenant, set per transaction with set_config(…, true) (SET LOCAL semantics).
CREATE FUNCTION itinera_current_team() RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('itinera.team_id', true), '')::uuid $$;
CREATE FUNCTION itinera_current_user() RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('itinera.user_id', true), '')::uuid $$;
CREATE FUNCTION itinera_current_role() RETURNS text
LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('itinera.role', true), '') $$;

CREATE TABLE teams (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         citext NOT NULL UNIQUE CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 254),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz
);

CREATE TABLE memberships (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_id    uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('admin', 'staff', 'supplier', 'customer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, team_id)
);
CREATE INDEX memberships_team ON memberships (team_id);

CREATE TABLE sessions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash   bytea NOT NULL UNIQUE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_id      uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ip           text,
    user_agent   text,
    revoked_at   timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash   bytea NOT NULL UNIQUE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_id      uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role         text NOT NULL CHECK (role IN ('admin', 'staff', 'supplier', 'customer')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_owner ON api_tokens (team_id, user_id, created_at);

CREATE TABLE partner_keys (
    id              text PRIMARY KEY CHECK (id ~ '^pk_[A-Za-z0-9_-]{8,64}$'),
    team_id         uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    allowed_actions text[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);
CREATE INDEX partner_keys_team ON partner_keys (team_id);

-- Several secrets may be active per key so that a partner can rotate without downtime. They are
-- HMAC keys, needed in clear to verify signatures: the app role reaches them only through
-- itinera_auth_partner() below, never by SELECT.
CREATE TABLE partner_key_secrets (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key_id     text NOT NULL REFERENCES partner_keys (id) ON DELETE CASCADE,
    secret     text NOT NULL CHECK (length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz
);
CREATE INDEX partner_key_secrets_key ON partner_key_secrets (key_id);

-- Append-only record of who did what, when, from where, to which row.
CREATE TABLE audit_log (
    id            bigserial PRIMARY KEY,
    team_id       uuid REFERENCES teams (id) ON DELETE CASCADE,
    actor_type    text NOT NULL CHECK (actor_type IN ('user', 'token', 'partner', 'system', 'anonymous')),
    actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    action        text NOT NULL,
    target_table  text,
    target_id     text,
    ip            text,
    request_id    text,
    details       jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_team_time ON audit_log (team_id, created_at);

-- Failed and successful logins, for throttling per account and per client address.
CREATE TABLE login_attempts (
    id           bigserial PRIMARY KEY,
    email        citext NOT NULL,
    ip           text NOT NULL,
    succeeded    boolean NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_time ON login_attempts (email, attempted_at);
CREATE INDEX login_attempts_ip_time ON login_attempts (ip, attempted_at);

REVOKE ALL ON partner_key_secrets FROM itinera_app;
REVOKE UPDATE, DELETE ON audit_log FROM itinera_app;
REVOKE UPDATE ON login_attempts FROM itinera_app;

-- Row-level security: nobody sees another team's rows, whatever the code asks for.
ALTER TABLE teams ENABLE ROW LEVEL SECURITY;
CREATE POLICY teams_visible ON teams
    USING (id = itinera_current_team()
           OR EXISTS (SELECT 1 FROM memberships m WHERE m.team_id = teams.id AND m.user_id = itinera_current_user()));

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
CREATE POLICY memberships_visible ON memberships
    USING (team_id = itinera_current_team() OR user_id = itinera_current_user());

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_visible ON users
    USING (id = itinera_current_user()
           OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.team_id = itinera_current_team()));

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY sessions_own ON sessions
    USING (user_id = itinera_current_user())
    WITH CHECK (user_id = itinera_current_user() AND team_id = itinera_current_team());

ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY api_tokens_own ON api_tokens
    USING (team_id = itinera_current_team() AND user_id = itinera_current_user());

ALTER TABLE partner_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY partner_keys_team ON partner_keys USING (team_id = itinera_current_team());

ALTER TABLE partner_key_secrets ENABLE ROW LEVEL SECURITY;
CREATE POLICY partner_key_secrets_team ON partner_key_secrets
    USING (EXISTS (SELECT 1 FROM partner_keys k WHERE k.id = key_id AND k.team_id = itinera_current_team()));

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON audit_log FOR SELECT USING (team_id = itinera_current_team());
CREATE POLICY audit_log_write ON audit_log FOR INSERT
    WITH CHECK (team_id IS NULL OR team_id = itinera_current_team());

-- Authentication happens before the tenant is known. These functions run as the owner and find
-- exactly one credential by its hash (or one login candidate by e-mail): the app role can check a
-- credential it holds, never list them.

CREATE FUNCTION itinera_auth_login_candidate(p_email citext)
RETURNS TABLE (user_id uuid, password_hash text, disabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.password_hash, u.disabled FROM users u WHERE u.email = p_email
$$;

CREATE FUNCTION itinera_auth_session(p_token_hash bytea, p_idle_seconds integer)
RETURNS TABLE (session_id uuid, user_id uuid, team_id uuid, role text, csrf_token text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT s.id, s.user_id, s.team_id, m.role, s.csrf_token
    FROM sessions s
    JOIN users u ON u.id = s.user_id AND NOT u.disabled
    JOIN memberships m ON m.user_id = s.user_id AND m.team_id = s.team_id
    WHERE s.token_hash = p_token_hash
      AND s.revoked_at IS NULL
      AND s.expires_at > now()
      AND s.last_seen_at > now() - make_interval(secs => p_idle_seconds);
    -- Idle time is kept to the minute: a busy browser does not write (and lock) its row per request.
    UPDATE sessions SET last_seen_at = now()
    WHERE token_hash = p_token_hash AND revoked_at IS NULL AND last_seen_at < now() - interval '1 minute'
      AND last_seen_at > now() - make_interval(secs => p_idle_seconds);
END;
$$;

CREATE FUNCTION itinera_auth_token(p_token_hash bytea)
RETURNS TABLE (token_id uuid, user_id uuid, team_id uuid, role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    -- A token acts with its own role, but never above what its user holds in that team today.
    RETURN QUERY
    SELECT t.id, t.user_id, t.team_id,
           CASE WHEN m.role = 'admin' OR m.role = t.role THEN t.role ELSE m.role END
    FROM api_tokens t
    JOIN users u ON u.id = t.user_id AND NOT u.disabled
    JOIN memberships m ON m.user_id = t.user_id AND m.team_id = t.team_id
    WHERE t.token_hash = p_token_hash
      AND t.revoked_at IS NULL
      AND (t.expires_at IS NULL OR t.expires_at > now());
    -- last_used_at is kept to the minute: scripts hammering one token do not queue on its row.
    UPDATE api_tokens SET last_used_at = now()
    WHERE token_hash = p_token_hash AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');
END;
$$;

CREATE FUNCTION itinera_auth_partner(p_key_id text)
RETURNS TABLE (team_id uuid, allowed_actions text[], secrets text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT k.team_id, k.allowed_actions,
           array(SELECT s.secret FROM partner_key_secrets s
                 WHERE s.key_id = k.id AND (s.expires_at IS NULL OR s.expires_at > now())
                 ORDER BY s.created_at DESC)
    FROM partner_keys k
    WHERE k.id = p_key_id AND k.revoked_at IS NULL
$$;

REVOKE ALL ON FUNCTION itinera_auth_login_candidate(citext) FROM PUBLIC;
REVOKE ALL ON FUNCTION itinera_auth_session(bytea, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION itinera_auth_token(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION itinera_auth_partner(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION itinera_auth_login_candidate(citext) TO itinera_app;
GRANT EXECUTE ON FUNCTION itinera_auth_session(bytea, integer) TO itinera_app;
GRANT EXECUTE ON FUNCTION itinera_auth_token(bytea) TO itinera_app;
GRANT EXECUTE ON FUNCTION itinera_auth_partner(text) TO itinera_app;
