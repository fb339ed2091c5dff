-- A SECURITY DEFINER function written in SQL is never inlined, and PostgreSQL 15 plans its body
-- again on every call; in PL/pgSQL the plan is cached per connection. The customer-login lookup
-- runs on every status change, so it moves to PL/pgSQL (same signature, same answer).
CREATE OR REPLACE FUNCTION itinera_booking_customer_users(p_booking uuid) RETURNS TABLE (user_id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT c.user_id FROM bookings b JOIN customers c ON c.id = b.customer_id
    WHERE b.id = p_booking AND b.team_id = itinera_current_team() AND c.user_id IS NOT NULL;
END;
$$;
