-- An event stream reconnects on its own (nginx ends each after ITINERA_STREAM_MAX_SECONDS): its
-- authorization must not count as activity, or an open tab would keep an idle session alive
-- forever. The same check as itinera_auth_session, without touching last_seen_at.
CREATE FUNCTION itinera_auth_session_quietly(p_token_hash bytea, p_idle_seconds integer)
RETURNS TABLE (session_id uuid, user_id uuid, team_id uuid, role text, csrf_token text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
END;
$$;
REVOKE ALL ON FUNCTION itinera_auth_session_quietly(bytea, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION itinera_auth_session_quietly(bytea, integer) TO itinera_app;

-- Ending a credential by deleting its row (an operator's clean-up) ends its streams too.
CREATE TRIGGER sessions_deleted_streams_ended AFTER DELETE ON sessions
FOR EACH ROW WHEN (OLD.revoked_at IS NULL) EXECUTE FUNCTION itinera_queue_streams_ended();
CREATE TRIGGER api_tokens_deleted_streams_ended AFTER DELETE ON api_tokens
FOR EACH ROW WHEN (OLD.revoked_at IS NULL) EXECUTE FUNCTION itinera_queue_streams_ended();
