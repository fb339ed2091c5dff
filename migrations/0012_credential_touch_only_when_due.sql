-- The credential lookups run on every authenticated request. They used to run their "last used"
-- UPDATE every time as well, finding nothing to change on all but one request a minute; now the
-- lookup reads the timestamp and the UPDATE runs only when it is due (same answers, same minute
-- resolution), which takes a statement off every request.

CREATE OR REPLACE FUNCTION itinera_auth_token(p_token_hash bytea)
RETURNS TABLE (token_id uuid, user_id uuid, team_id uuid, role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_last_used timestamptz;
BEGIN
    -- A token acts with its own role, but never above what its user holds in that team today.
    SELECT t.id, t.user_id, t.team_id, CASE WHEN m.role = 'admin' OR m.role = t.role THEN t.role ELSE m.role END,
           t.last_used_at
    INTO token_id, user_id, team_id, role, v_last_used
    FROM api_tokens t
    JOIN users u ON u.id = t.user_id AND NOT u.disabled
    JOIN memberships m ON m.user_id = t.user_id AND m.team_id = t.team_id
    WHERE t.token_hash = p_token_hash
      AND t.revoked_at IS NULL
      AND (t.expires_at IS NULL OR t.expires_at > now());
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- Kept to the minute: scripts hammering one token do not queue on its row.
    IF v_last_used IS NULL OR v_last_used < now() - interval '1 minute' THEN
        UPDATE api_tokens t SET last_used_at = now() WHERE t.id = token_id;
    END IF;
    RETURN NEXT;
END;
$$;

CREATE OR REPLACE FUNCTION itinera_auth_session(p_token_hash bytea, p_idle_seconds integer)
RETURNS TABLE (session_id uuid, user_id uuid, team_id uuid, role text, csrf_token text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_last_seen timestamptz;
BEGIN
    SELECT s.id, s.user_id, s.team_id, m.role, s.csrf_token, s.last_seen_at
    INTO session_id, user_id, team_id, role, csrf_token, v_last_seen
    FROM sessions s
    JOIN users u ON u.id = s.user_id AND NOT u.disabled
    JOIN memberships m ON m.user_id = s.user_id AND m.team_id = s.team_id
    WHERE s.token_hash = p_token_hash
      AND s.revoked_at IS NULL
      AND s.expires_at > now()
      AND s.last_seen_at > now() - make_interval(secs => p_idle_seconds);
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- Idle time is kept to the minute: a busy browser does not write (and lock) its row per request.
    IF v_last_seen < now() - interval '1 minute' THEN
        UPDATE sessions s SET last_seen_at = now() WHERE s.id = session_id;
    END IF;
    RETURN NEXT;
END;
$$;
