-- Product search by name (`GET /api/products?q=`, the portal's catalog page and item picker): a
-- trigram index serves ILIKE with leading wildcards, and, as for customers and suppliers (0017),
-- the owner's function finds the matches through it within the caller's team; the list's own
-- query, under its policies, shows what of them the caller may see.
CREATE INDEX products_name_trgm ON products USING gin (name gin_trgm_ops);

CREATE FUNCTION itinera_search_products(p_pattern text) RETURNS TABLE (id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY SELECT p.id FROM products p WHERE p.team_id = itinera_current_team() AND p.name ILIKE p_pattern;
END;
$$;

REVOKE ALL ON FUNCTION itinera_search_products(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION itinera_search_products(text) TO itinera_app;
