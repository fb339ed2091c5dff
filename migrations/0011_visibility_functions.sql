-- Who sees a booking, and a booking's rows, without nesting one policy inside another.
--
-- The policies of 0003 reach a booking's rows through `EXISTS (SELECT 1 FROM bookings …)`, and
-- the bookings policy through subqueries on customers and assignments. PostgreSQL expands each of
-- them into the plan of every query that touches those tables: the booking detail (nine kinds of
-- rows) carried some sixty plan nodes, mostly never run for staff but set up and torn down on every
-- execution, which cost more than the query itself. The same rules now live in two PL/pgSQL
-- functions (plans cached per connection, invoked only when the cheap staff test has not already
-- answered), so a staff read plans one scan per table.
--
-- Reading: staff and admins see every row of their team; a customer user the rows of bookings of
-- the customer rows linked to their login; a supplier user those of bookings they are assigned to.
-- Writing a booking's row still requires its booking to be visible to the writer, staff included,
-- so no row can point at another team's booking.

-- Whether the caller, as a customer or supplier user, reaches the booking `p_booking` of customer
-- `p_customer` (staff are answered by itinera_is_staff() before this is called).
CREATE FUNCTION itinera_reaches_booking(p_booking uuid, p_customer uuid) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    CASE itinera_current_role()
        WHEN 'customer' THEN
            RETURN EXISTS (SELECT 1 FROM customers c WHERE c.id = p_customer AND c.user_id = itinera_current_user());
        WHEN 'supplier' THEN
            RETURN EXISTS (SELECT 1 FROM booking_assignments a
                           WHERE a.booking_id = p_booking AND a.user_id = itinera_current_user());
        ELSE
            RETURN false;
    END CASE;
END;
$$;

-- Whether the booking `p_booking` is visible to the caller (under the bookings policy).
CREATE FUNCTION itinera_booking_visible(p_booking uuid) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM bookings b WHERE b.id = p_booking);
END;
$$;

ALTER POLICY bookings_visible ON bookings USING (
    team_id = itinera_current_team() AND (itinera_is_staff() OR itinera_reaches_booking(id, customer_id)));

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['booking_items', 'travelers', 'client_flights', 'ground_services', 'itineraries',
                             'customer_communications', 'booking_lifecycle_events']
    LOOP
        EXECUTE format(
            'ALTER POLICY %I ON %I '
            'USING (team_id = itinera_current_team() AND (itinera_is_staff() OR itinera_booking_visible(booking_id))) '
            'WITH CHECK (team_id = itinera_current_team() AND itinera_booking_visible(booking_id))',
            t || '_with_booking', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['payments', 'invoices']
    LOOP
        EXECUTE format(
            'ALTER POLICY %I ON %I '
            'USING (team_id = itinera_current_team() AND itinera_current_role() IS DISTINCT FROM ''supplier'' '
            '       AND (itinera_is_staff() OR itinera_booking_visible(booking_id))) '
            'WITH CHECK (team_id = itinera_current_team() AND itinera_current_role() IS DISTINCT FROM ''supplier'' '
            '            AND itinera_booking_visible(booking_id))',
            t || '_with_booking', t);
    END LOOP;
END;
$$;

ALTER POLICY documents_visible ON documents USING (
    team_id = itinera_current_team() AND (itinera_is_staff() OR itinera_booking_visible(booking_id)));
