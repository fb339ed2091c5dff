-- What staff read as GET /api/bookings/{id} is kept ready, per booking, in booking_details:
-- the JSON of the booking with its customer, items, travelers, client flights, payments, invoices,
-- documents, assignments and last ten events. Building it took a dozen scans and aggregates per
-- read; now a read is one index lookup, and the JSON is built once per transaction that changes
-- the booking, by triggers, so no write path (API, worker, CLI, seed) can leave it stale.
--
-- The triggers are deferred: they fire at COMMIT, when every change of the transaction is in, and
-- the first one builds the JSON; the others see `refreshed_in` is this transaction and return. A
-- transaction that reads its own booking before committing uses the live query instead
-- (BookingQueries.detail in the API), which this JSON mirrors; a test compares the two, and a
-- change to the shape needs a new migration that redefines itinera_refresh_booking_detail and
-- calls it for every booking.
--
-- Only the owner writes the table; staff of the booking's team read it (customers and suppliers
-- see less than staff and keep reading through the live query under row-level security).

CREATE TABLE booking_details (
    booking_id   uuid PRIMARY KEY,
    team_id      uuid NOT NULL,
    detail       text NOT NULL,
    refreshed_in xid8 NOT NULL,
    FOREIGN KEY (team_id, booking_id) REFERENCES bookings (team_id, id) ON DELETE CASCADE
);
ALTER TABLE booking_details ENABLE ROW LEVEL SECURITY;
CREATE POLICY booking_details_staff ON booking_details FOR SELECT
    USING (team_id = itinera_current_team() AND itinera_is_staff());
REVOKE INSERT, UPDATE, DELETE ON booking_details FROM itinera_app;

-- Builds the JSON of booking `p_booking` again, unless this transaction already did. One id per
-- call: with a scalar parameter PL/pgSQL settles on one cached plan (an array parameter made it
-- plan the statement again on every call).
CREATE FUNCTION itinera_refresh_booking_detail(p_booking uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_refreshed_in xid8;
BEGIN
    -- The row lock comes first: another transaction changing the same booking and rebuilding it
    -- at its own COMMIT is waited for, and the statement below then reads with a snapshot that
    -- includes that change (otherwise the later writer could store JSON without it).
    SELECT d.refreshed_in INTO v_refreshed_in FROM booking_details d WHERE d.booking_id = p_booking FOR UPDATE;
    IF v_refreshed_in = pg_current_xact_id() THEN
        RETURN;
    END IF;
    INSERT INTO booking_details (booking_id, team_id, detail, refreshed_in)
    SELECT s.id, s.team_id, s.detail, pg_current_xact_id() FROM (
    SELECT b.id, b.team_id, json_build_object(
        'id', b.id, 'booking_reference', b.booking_reference, 'status', b.status,
        'customer_id', b.customer_id,
        'customer', CASE WHEN c.id IS NULL THEN NULL
                         ELSE json_build_object('id', c.id, 'name', c.name, 'email', c.email, 'phone', c.phone) END,
        'lead_id', b.lead_id, 'quotation_id', b.quotation_id, 'trip_id', b.trip_id,
        'currency', b.currency, 'total_minor', b.total_minor, 'paid_minor', b.paid_minor,
        'departure_at', b.departure_at, 'notes', b.notes, 'version', b.version,
        'created_at', b.created_at, 'updated_at', b.updated_at,
        'items', coalesce((SELECT json_agg(json_build_object(
                'id', i.id, 'kind', i.kind, 'product_id', i.product_id, 'supplier_id', i.supplier_id,
                'description', i.description, 'starts_at', i.starts_at, 'ends_at', i.ends_at,
                'quantity', i.quantity, 'unit_price_minor', i.unit_price_minor, 'total_minor', i.total_minor,
                'supplier_status', i.supplier_status, 'supplier_reference', i.supplier_reference)
                ORDER BY i.position) FROM booking_items i WHERE i.booking_id = b.id), '[]'),
        'travelers', coalesce((SELECT json_agg(json_build_object(
                'id', t.id, 'first_name', t.first_name, 'last_name', t.last_name, 'email', t.email,
                'phone', t.phone, 'date_of_birth', t.date_of_birth, 'passport_number', t.passport_number,
                'nationality', t.nationality, 'dietary', t.dietary, 'accessibility', t.accessibility)
                ORDER BY t.position) FROM travelers t WHERE t.booking_id = b.id), '[]'),
        'client_flights', coalesce((SELECT json_agg(json_build_object(
                'id', f.id, 'flight_number', f.flight_number, 'departure_airport', f.departure_airport,
                'arrival_airport', f.arrival_airport, 'departs_at', f.departs_at, 'arrives_at', f.arrives_at)
                ORDER BY f.departs_at) FROM client_flights f WHERE f.booking_id = b.id), '[]'),
        'payments', coalesce((SELECT json_agg(json_build_object(
                'id', p.id, 'provider', p.provider, 'amount_minor', p.amount_minor, 'currency', p.currency,
                'status', p.status, 'created_at', p.created_at)
                ORDER BY p.created_at) FROM payments p WHERE p.booking_id = b.id), '[]'),
        'invoices', coalesce((SELECT json_agg(json_build_object(
                'id', v.id, 'amount_minor', v.amount_minor, 'currency', v.currency, 'status', v.status,
                'created_at', v.created_at)
                ORDER BY v.created_at) FROM invoices v WHERE v.booking_id = b.id), '[]'),
        'documents', coalesce((SELECT json_agg(json_build_object(
                'id', d.id, 'kind', d.kind, 'status', d.status, 'created_at', d.created_at)
                ORDER BY d.created_at) FROM documents d WHERE d.booking_id = b.id), '[]'),
        'assignments', coalesce((SELECT json_agg(json_build_object(
                'id', a.id, 'user_id', a.user_id, 'role', a.role, 'created_at', a.created_at)
                ORDER BY a.created_at) FROM booking_assignments a WHERE a.booking_id = b.id), '[]'),
        'last_events', coalesce((SELECT json_agg(e ORDER BY e.id DESC) FROM (
                SELECT id, from_status, to_status, actor_type, actor_id, note, created_at
                FROM booking_lifecycle_events WHERE booking_id = b.id ORDER BY id DESC LIMIT 10) e), '[]')
    )::text
    FROM bookings b LEFT JOIN customers c ON c.id = b.customer_id
    WHERE b.id = p_booking
    ) AS s (id, team_id, detail)
    ON CONFLICT (booking_id) DO UPDATE SET detail = EXCLUDED.detail, refreshed_in = EXCLUDED.refreshed_in;
END;
$$;
REVOKE ALL ON FUNCTION itinera_refresh_booking_detail(uuid) FROM PUBLIC;

-- The trigger: the bookings a changed row belongs to (before and after an update).
CREATE FUNCTION itinera_booking_detail_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_rows jsonb[] := CASE TG_OP WHEN 'INSERT' THEN ARRAY[to_jsonb(NEW)] WHEN 'DELETE' THEN ARRAY[to_jsonb(OLD)]
                                 ELSE ARRAY[to_jsonb(OLD), to_jsonb(NEW)] END;
    v_key text := CASE TG_TABLE_NAME WHEN 'bookings' THEN 'id' WHEN 'customers' THEN 'id' ELSE 'booking_id' END;
    v_ids uuid[] := ARRAY(SELECT DISTINCT (r ->> v_key)::uuid FROM unnest(v_rows) AS r WHERE r ->> v_key IS NOT NULL);
BEGIN
    IF TG_TABLE_NAME = 'customers' THEN  -- an update: the customer's bookings, by (team_id, customer_id)
        v_ids := ARRAY(SELECT b.id FROM bookings b WHERE b.team_id = NEW.team_id AND b.customer_id = NEW.id);
    END IF;
    PERFORM itinera_refresh_booking_detail(id) FROM unnest(v_ids) AS u (id);
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER booking_details_booking AFTER INSERT OR UPDATE ON bookings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION itinera_booking_detail_changed();
CREATE CONSTRAINT TRIGGER booking_details_customer AFTER UPDATE OF name, email, phone ON customers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION itinera_booking_detail_changed();

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['booking_items', 'travelers', 'client_flights', 'payments', 'invoices', 'documents',
                             'booking_assignments', 'booking_lifecycle_events']
    LOOP
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
            'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION itinera_booking_detail_changed()',
            'booking_details_' || t, t);
    END LOOP;
END;
$$;

SELECT count(itinera_refresh_booking_detail(id)) FROM bookings;
