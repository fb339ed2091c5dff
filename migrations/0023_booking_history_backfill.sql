-- Audit rows written before migration 0022 name their booking through the row they are about:
-- link those whose row still exists, so an existing booking's history does not start empty.
UPDATE audit_log a SET booking_id = t.booking_id
FROM (SELECT 'bookings' AS target_table, id::text AS target_id, id AS booking_id FROM bookings
      UNION ALL SELECT 'booking_items', id::text, booking_id FROM booking_items
      UNION ALL SELECT 'booking_assignments', id::text, booking_id FROM booking_assignments
      UNION ALL SELECT 'ground_services', id::text, booking_id FROM ground_services
      UNION ALL SELECT 'documents', id::text, booking_id FROM documents WHERE booking_id IS NOT NULL) t
WHERE a.booking_id IS NULL AND a.target_table = t.target_table AND a.target_id = t.target_id;
