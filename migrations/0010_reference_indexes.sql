-- An index on every team-scoped reference of 0007: deleting a customer, supplier, lead, quotation,
-- trip or product (and the "still in use" counts that come before it) looks the referencing rows up
-- by (team_id, column) instead of scanning the tables.
CREATE INDEX leads_team_customer ON leads (team_id, customer_id);
CREATE INDEX trips_team_customer ON trips (team_id, customer_id);
CREATE INDEX quotations_team_customer ON quotations (team_id, customer_id);
CREATE INDEX quotations_team_lead ON quotations (team_id, lead_id);
CREATE INDEX bookings_team_lead ON bookings (team_id, lead_id);
CREATE INDEX bookings_team_quotation ON bookings (team_id, quotation_id);
CREATE INDEX bookings_team_trip ON bookings (team_id, trip_id);
CREATE INDEX booking_items_team_product ON booking_items (team_id, product_id);
CREATE INDEX ground_services_team_supplier ON ground_services (team_id, supplier_id);
CREATE INDEX products_team_supplier ON products (team_id, supplier_id);
CREATE INDEX payment_refunds_team_payment ON payment_refunds (team_id, payment_id);
