-- An event stream reconnects on its own (nginx ends each after ITINERA_STREAM_MAX_SECONDS): its
-- authorization must not count as activity, or an open tab would keep an idle session alive
-- forever. itinera_auth_session gains `p_touch` (default true: every other caller is unchanged);
-- the stream passes false and is checked against the idle timeout without moving last_seen_at.
DROP FUNCTION itinera_auth_session(bytea, integer);
CREATE FUNCTION itinera_auth_session(p_token_hash bytea, p_idle_seconds integer, p_touch boolean DEFAULT true)
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
    IF p_touch AND v_last_seen < now() - interval '1 minute' THEN
        UPDATE sessions s SET last_seen_at = now() WHERE s.id = session_id;
    END IF;
    RETURN NEXT;
END;
$$;
REVOKE ALL ON FUNCTION itinera_auth_session(bytea, integer, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION itinera_auth_session(bytea, integer, boolean) TO itinera_app;

-- Ending a credential by deleting its row (an operator's clean-up) ends its streams too.
CREATE TRIGGER sessions_deleted_streams_ended AFTER DELETE ON sessions
FOR EACH ROW WHEN (OLD.revoked_at IS NULL) EXECUTE FUNCTION itinera_queue_streams_ended();
CREATE TRIGGER api_tokens_deleted_streams_ended AFTER DELETE ON api_tokens
FOR EACH ROW WHEN (OLD.revoked_at IS NULL) EXECUTE FUNCTION itinera_queue_streams_ended();
