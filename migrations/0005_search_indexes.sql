-- Text search over bookings (reference and customer name, `GET /api/bookings?q=`) uses ILIKE with
-- leading wildcards: trigram indexes serve it without scanning the team's bookings.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX bookings_reference_trgm ON bookings USING gin (booking_reference gin_trgm_ops);
CREATE INDEX customers_name_trgm ON customers USING gin (name gin_trgm_ops);
