-- Every list pages by a key (its sort order plus the id): these indexes hold each list's order
-- within a team, so a page, the first or the five-hundredth, is read in order from where the last
-- one ended, never sorted. Under row-level security only plain columns (or leakproof expressions)
-- can bound an index scan, and lower() and coalesce() are not leakproof: the name and start-date
-- orders are kept in generated columns of their own.
ALTER TABLE customers ADD COLUMN sort_name text GENERATED ALWAYS AS (lower(name)) STORED;
ALTER TABLE suppliers ADD COLUMN sort_name text GENERATED ALWAYS AS (lower(name)) STORED;
ALTER TABLE products ADD COLUMN sort_name text GENERATED ALWAYS AS (lower(name)) STORED;
ALTER TABLE trips ADD COLUMN sort_start date GENERATED ALWAYS AS (coalesce(starts_on, 'infinity'::date)) STORED;

DROP INDEX customers_team_name;
CREATE INDEX customers_team_name ON customers (team_id, sort_name, id);
DROP INDEX suppliers_team_name;
CREATE INDEX suppliers_team_name ON suppliers (team_id, sort_name, id);
CREATE INDEX products_team_name ON products (team_id, sort_name, id);
CREATE INDEX trips_team_start ON trips (team_id, sort_start, id);
CREATE INDEX leads_team_created ON leads (team_id, created_at DESC, id DESC);
CREATE INDEX outbox_events_team_id ON outbox_events (team_id, id);
