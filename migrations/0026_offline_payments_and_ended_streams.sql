-- Money that arrives outside a provider (bank transfer, cash, card terminal, cheque) is recorded by
-- staff as a payment of provider 'manual' in the same ledger; `payment_confirmed` is reached only
-- when the payments cover the total; and the live streams of a session or token end with it.

ALTER TABLE payments
    ADD COLUMN method            text CHECK (method IN ('bank_transfer', 'cash', 'card_terminal', 'cheque', 'other')),
    ADD COLUMN offline_reference text CHECK (char_length(offline_reference) BETWEEN 1 AND 200),
    ADD COLUMN received_on       date,
    -- NOT VALID: a 'manual' payment written before this (by hand) is left as it is; new rows are checked.
    ADD CONSTRAINT payments_offline_details CHECK (
        (provider = 'manual') = (method IS NOT NULL AND received_on IS NOT NULL)) NOT VALID;

-- The application checks the balance before the move; this is the wall behind it, whoever writes.
CREATE FUNCTION itinera_booking_confirmed_when_paid() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.paid_minor < NEW.total_minor THEN
        RAISE EXCEPTION 'booking % is not paid in full (% of %)', NEW.id, NEW.paid_minor, NEW.total_minor
            USING ERRCODE = 'check_violation', CONSTRAINT = 'bookings_confirmed_when_paid';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER bookings_confirmed_when_paid BEFORE UPDATE OF status ON bookings
FOR EACH ROW WHEN (NEW.status = 'payment_confirmed' AND OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION itinera_booking_confirmed_when_paid();

-- nginx holds the event streams and nobody re-checks them: when a credential ends (logout, a
-- revoked token, every session ended by a password change, a membership removed, an account
-- disabled) the worker deletes the user's channel, which closes its streams; a stream of a
-- credential still valid reconnects and is authorized again. Triggers, so that every path (API,
-- CLI, an operator's SQL) ends them. SECURITY DEFINER: the outbox row belongs to no tenant.
CREATE FUNCTION itinera_queue_streams_ended() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_user uuid;
BEGIN
    -- Each branch names only columns of its own table (PL/pgSQL resolves the fields it reaches).
    IF TG_TABLE_NAME = 'users' THEN
        v_user := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        v_user := OLD.user_id;
    ELSE
        v_user := NEW.user_id;
    END IF;
    INSERT INTO outbox_events (team_id, type, aggregate_id, payload)
    VALUES (NULL, 'live.streams_ended', v_user,
            jsonb_build_object('user_id', v_user, 'reason', TG_TABLE_NAME || '.' || lower(TG_OP)));
    PERFORM pg_notify('itinera_outbox', 'live.streams_ended');
    RETURN NULL;
END;
$$;

CREATE TRIGGER sessions_streams_ended AFTER UPDATE OF revoked_at ON sessions
FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
EXECUTE FUNCTION itinera_queue_streams_ended();
CREATE TRIGGER api_tokens_streams_ended AFTER UPDATE OF revoked_at ON api_tokens
FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
EXECUTE FUNCTION itinera_queue_streams_ended();
CREATE TRIGGER memberships_streams_ended AFTER DELETE ON memberships
FOR EACH ROW EXECUTE FUNCTION itinera_queue_streams_ended();
CREATE TRIGGER users_streams_ended AFTER UPDATE OF disabled ON users
FOR EACH ROW WHEN (NEW.disabled AND NOT OLD.disabled)
EXECUTE FUNCTION itinera_queue_streams_ended();

-- Login throttling per account and address reads the account's recent attempts from one address.
CREATE INDEX login_attempts_email_ip_time ON login_attempts (email, ip, attempted_at);
