-- References between a team's rows stay inside the team. A plain foreign key is checked without
-- row-level security, so another team's id would pass it; every reference a request can fill in
-- now carries team_id, and the database refuses a row that points into another team.

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['customers', 'suppliers', 'leads', 'quotations', 'trips', 'products', 'bookings',
                             'payments']
    LOOP
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I UNIQUE (team_id, id)', t, t || '_team_id_key');
    END LOOP;
END;
$$;

-- (table, column, referenced table, what a deleted target does to the column)
DO $$
DECLARE
    r record;
    old_name text;
BEGIN
    FOR r IN SELECT * FROM (VALUES
        ('products', 'supplier_id', 'suppliers', 'SET NULL (supplier_id)'),
        ('leads', 'customer_id', 'customers', 'SET NULL (customer_id)'),
        ('trips', 'customer_id', 'customers', 'SET NULL (customer_id)'),
        ('quotations', 'customer_id', 'customers', 'NO ACTION'),
        ('quotations', 'lead_id', 'leads', 'SET NULL (lead_id)'),
        ('bookings', 'customer_id', 'customers', 'NO ACTION'),
        ('bookings', 'lead_id', 'leads', 'SET NULL (lead_id)'),
        ('bookings', 'quotation_id', 'quotations', 'SET NULL (quotation_id)'),
        ('bookings', 'trip_id', 'trips', 'SET NULL (trip_id)'),
        ('booking_items', 'booking_id', 'bookings', 'CASCADE'),
        ('booking_items', 'product_id', 'products', 'SET NULL (product_id)'),
        ('booking_items', 'supplier_id', 'suppliers', 'SET NULL (supplier_id)'),
        ('ground_services', 'booking_id', 'bookings', 'CASCADE'),
        ('ground_services', 'supplier_id', 'suppliers', 'SET NULL (supplier_id)'),
        ('payments', 'booking_id', 'bookings', 'CASCADE'),
        ('payment_refunds', 'payment_id', 'payments', 'CASCADE')
    ) AS v (tbl, col, target, on_delete)
    LOOP
        SELECT c.conname INTO old_name
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.conrelid = r.tbl::regclass AND c.contype = 'f' AND array_length(c.conkey, 1) = 1
          AND a.attname = r.col;
        IF old_name IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.tbl, old_name);
        END IF;
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (team_id, %I) REFERENCES %I (team_id, id) '
                       'ON DELETE %s', r.tbl, r.tbl || '_' || r.col || '_team_fkey', r.col, r.target, r.on_delete);
    END LOOP;
END;
$$;
