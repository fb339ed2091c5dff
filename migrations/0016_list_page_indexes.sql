-- Every list pages by a key (its sort order plus the id): these indexes hold each list's order
-- within a team, so a page, the first or the five-hundredth, is read in order, never sorted.
CREATE INDEX leads_team_created ON leads (team_id, created_at DESC, id DESC);
CREATE INDEX trips_team_start ON trips (team_id, (coalesce(starts_on, 'infinity'::date)), id);
CREATE INDEX products_team_name ON products (team_id, lower(name), id);
CREATE INDEX outbox_events_team_id ON outbox_events (team_id, id);

DROP INDEX customers_team_name;
CREATE INDEX customers_team_name ON customers (team_id, lower(name), id);
DROP INDEX suppliers_team_name;
CREATE INDEX suppliers_team_name ON suppliers (team_id, lower(name), id);
