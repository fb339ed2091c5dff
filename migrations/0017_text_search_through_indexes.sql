-- Text search (`GET /api/bookings?q=`, `GET /api/customers?q=`, `GET /api/suppliers?q=`) is ILIKE
-- with leading wildcards, which only trigram indexes serve (0005). Under row-level security a
-- condition that is not leakproof, as ILIKE is not, cannot use an index, so the app role's search
-- read the team's whole table. These functions find the matches through the indexes as the owner,
-- within the caller's team only; the list's own query, under its policies, then shows what of them
-- the caller may see.
CREATE INDEX suppliers_name_trgm ON suppliers USING gin (name gin_trgm_ops);

CREATE FUNCTION itinera_search_bookings(p_pattern text) RETURNS TABLE (id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT b.id FROM bookings b
    WHERE b.team_id = itinera_current_team() AND b.booking_reference ILIKE p_pattern
    UNION
    SELECT b.id FROM customers c JOIN bookings b ON b.team_id = c.team_id AND b.customer_id = c.id
    WHERE c.team_id = itinera_current_team() AND c.name ILIKE p_pattern;
END;
$$;

CREATE FUNCTION itinera_search_customers(p_pattern text) RETURNS TABLE (id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY SELECT c.id FROM customers c WHERE c.team_id = itinera_current_team() AND c.name ILIKE p_pattern;
END;
$$;

CREATE FUNCTION itinera_search_suppliers(p_pattern text) RETURNS TABLE (id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY SELECT s.id FROM suppliers s WHERE s.team_id = itinera_current_team() AND s.name ILIKE p_pattern;
END;
$$;

REVOKE ALL ON FUNCTION itinera_search_bookings(text), itinera_search_customers(text), itinera_search_suppliers(text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION itinera_search_bookings(text), itinera_search_customers(text), itinera_search_suppliers(text)
    TO itinera_app;
