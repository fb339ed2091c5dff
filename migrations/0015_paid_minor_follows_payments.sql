-- bookings.paid_minor is what its payments hold: captured minus refunded (a refund counts from the
-- moment it is asked for, and again as paid if it fails). Until now three statements in the API
-- and the worker each adjusted it by hand beside the payment they changed; now a trigger on
-- payments is the one place that does, in the same statement's transaction. It runs with the
-- caller's rights, as those statements did.
CREATE FUNCTION itinera_payment_paid_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_delta bigint := NEW.captured_minor - NEW.refunded_minor;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        v_delta := v_delta - (OLD.captured_minor - OLD.refunded_minor);
    END IF;
    IF v_delta <> 0 THEN
        UPDATE bookings SET paid_minor = greatest(0, paid_minor + v_delta), updated_at = now()
        WHERE id = NEW.booking_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER payments_paid_minor AFTER INSERT OR UPDATE OF captured_minor, refunded_minor ON payments
FOR EACH ROW EXECUTE FUNCTION itinera_payment_paid_changed();
