-- The staff view of a booking gains what staff asked for:
-- - notes for the team only (`internal_notes`: a VIP, a margin, who to call), beside the booking's
--   `notes`, which the client reads in their portal; the customer and supplier views leave them out;
-- - each document's label and file name, as the customer and supplier views have them, so staff
--   can tell two deliveries apart and download them.
-- The builder is the one of migration 0014 with those fields added; every kept JSON is marked out
-- of date so the next read builds it with them.

ALTER TABLE bookings ADD COLUMN internal_notes text
    CHECK (internal_notes IS NULL OR length(internal_notes) BETWEEN 1 AND 4000);

CREATE OR REPLACE FUNCTION itinera_refresh_booking_detail(p_booking uuid) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_generation bigint;
    v_detail text;
BEGIN
    SELECT d.generation INTO v_generation FROM booking_details d
    WHERE d.booking_id = p_booking AND d.team_id = itinera_current_team() AND itinera_is_staff();
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT json_build_object(
        'id', b.id, 'booking_reference', b.booking_reference, 'status', b.status,
        'customer_id', b.customer_id,
        'customer', CASE WHEN c.id IS NULL THEN NULL
                         ELSE json_build_object('id', c.id, 'name', c.name, 'email', c.email, 'phone', c.phone) END,
        'lead_id', b.lead_id, 'quotation_id', b.quotation_id, 'trip_id', b.trip_id,
        'currency', b.currency, 'total_minor', b.total_minor, 'paid_minor', b.paid_minor,
        'departure_at', b.departure_at, 'notes', b.notes, 'internal_notes', b.internal_notes,
        'version', b.version,
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
                'id', d.id, 'kind', d.kind, 'status', d.status, 'label', d.label, 'filename', d.filename,
                'created_at', d.created_at)
                ORDER BY d.created_at) FROM documents d WHERE d.booking_id = b.id), '[]'),
        'assignments', coalesce((SELECT json_agg(json_build_object(
                'id', a.id, 'user_id', a.user_id, 'role', a.role, 'created_at', a.created_at)
                ORDER BY a.created_at) FROM booking_assignments a WHERE a.booking_id = b.id), '[]'),
        'last_events', coalesce((SELECT json_agg(e ORDER BY e.id DESC) FROM (
                SELECT id, from_status, to_status, actor_type, actor_id, note, created_at
                FROM booking_lifecycle_events WHERE booking_id = b.id ORDER BY id DESC LIMIT 10) e), '[]')
    )::text INTO v_detail
    FROM bookings b LEFT JOIN customers c ON c.id = b.customer_id
    WHERE b.id = p_booking;
    UPDATE booking_details SET detail = v_detail, built_generation = v_generation
    WHERE booking_id = p_booking AND generation = v_generation;
    RETURN v_detail;
END;
$$;
REVOKE ALL ON FUNCTION itinera_refresh_booking_detail(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION itinera_refresh_booking_detail(uuid) TO itinera_app;

UPDATE booking_details SET generation = generation + 1;
