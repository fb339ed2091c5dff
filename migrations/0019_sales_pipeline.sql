-- Leads, quotations, trips and ground services become editable records with their own reads.
--
-- A lead's status follows the bookings made from it: the first one to become a real booking
-- (`booking_created`) converts the lead; one cancelled before that loses an open lead, unless another
-- of its bookings is still going; a new booking from a lost lead opens it again. Triggers do it, so
-- every path that moves a booking (the lifecycle API, quotations, the client portal) keeps the lead
-- true; their WHEN clauses keep every other booking change free of them. They run with the caller's
-- rights, under the same policies.
CREATE FUNCTION itinera_lead_follows_booking() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE leads SET status = 'open', updated_at = now() WHERE id = NEW.lead_id AND status = 'lost';
    ELSIF NEW.status = 'booking_created' THEN
        UPDATE leads SET status = 'converted', updated_at = now()
        WHERE id = NEW.lead_id AND status <> 'converted';
    ELSE
        -- The lead's row lock orders two cancellations of its bookings: the second one's check
        -- (a new snapshot, after the first committed) sees the first booking cancelled.
        PERFORM 1 FROM leads WHERE id = NEW.lead_id FOR UPDATE;
        UPDATE leads SET status = 'lost', updated_at = now()
        WHERE id = NEW.lead_id AND status = 'open'
          AND NOT EXISTS (SELECT 1 FROM bookings b
                          WHERE b.team_id = NEW.team_id AND b.lead_id = NEW.lead_id AND b.id <> NEW.id
                            AND b.status NOT IN ('cancelled', 'refunded'));
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER bookings_lead_status AFTER UPDATE OF status ON bookings
FOR EACH ROW WHEN (NEW.lead_id IS NOT NULL AND NEW.status IS DISTINCT FROM OLD.status AND (
    NEW.status = 'booking_created'
    OR (NEW.status = 'cancelled' AND OLD.status IN ('lead_created', 'quotation_sent', 'quotation_approved'))))
EXECUTE FUNCTION itinera_lead_follows_booking();

CREATE TRIGGER bookings_lead_reopens AFTER INSERT ON bookings
FOR EACH ROW WHEN (NEW.lead_id IS NOT NULL)
EXECUTE FUNCTION itinera_lead_follows_booking();

-- Trips and ground services are edited now; like the other edited records they say when.
ALTER TABLE trips ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
UPDATE trips SET updated_at = created_at;
ALTER TABLE ground_services ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
UPDATE ground_services SET updated_at = created_at;

-- GET /api/quotations pages newest first.
CREATE INDEX quotations_team_created ON quotations (team_id, created_at DESC, id DESC);
