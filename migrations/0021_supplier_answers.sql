-- A supplier login answers for the items of its own supplier on the bookings it is assigned to:
-- their supplier status and reference, nothing else. The policies of booking_items let anyone who
-- sees the booking write its items; these restrictive ones narrow that for suppliers, and the
-- trigger keeps them to the two answer columns.
CREATE POLICY booking_items_supplier_own ON booking_items AS RESTRICTIVE FOR UPDATE
    USING (itinera_current_role() IS DISTINCT FROM 'supplier'
           OR supplier_id IN (SELECT s.id FROM suppliers s WHERE s.user_id = itinera_current_user()));
CREATE POLICY booking_items_supplier_no_insert ON booking_items AS RESTRICTIVE FOR INSERT
    WITH CHECK (itinera_current_role() IS DISTINCT FROM 'supplier');
CREATE POLICY booking_items_supplier_no_delete ON booking_items AS RESTRICTIVE FOR DELETE
    USING (itinera_current_role() IS DISTINCT FROM 'supplier');

CREATE FUNCTION itinera_supplier_answers_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- total_minor is generated: not computed yet in a BEFORE trigger, and it follows the others.
    IF (to_jsonb(NEW) - ARRAY['supplier_status', 'supplier_reference', 'total_minor'])
       IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['supplier_status', 'supplier_reference', 'total_minor']) THEN
        RAISE EXCEPTION 'a supplier changes only the supplier status and reference of an item'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER booking_items_supplier_answers BEFORE UPDATE ON booking_items
    FOR EACH ROW WHEN (itinera_current_role() = 'supplier') EXECUTE FUNCTION itinera_supplier_answers_only();
