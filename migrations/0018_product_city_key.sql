-- Hotel and activity search and the product list's city filter compare lower(city): under
-- row-level security a non-leakproof function of a column cannot bound an index scan, so the city
-- is kept lower-cased in a generated column, and the index holds it beside kind and price (the
-- searches' order, cheapest first).
ALTER TABLE products ADD COLUMN city_key text GENERATED ALWAYS AS (lower(city)) STORED;
DROP INDEX products_team_kind_city;
CREATE INDEX products_team_kind_city ON products (team_id, kind, city_key, price_minor);
