-- Suppliers assigned to a booking see the booking, not its payments, refunds or invoices: those
-- stay with staff and the booking's customer.
DROP POLICY payments_with_booking ON payments;
CREATE POLICY payments_with_booking ON payments USING (
    team_id = itinera_current_team() AND itinera_current_role() IS DISTINCT FROM 'supplier'
    AND EXISTS (SELECT 1 FROM bookings b WHERE b.id = booking_id));

DROP POLICY invoices_with_booking ON invoices;
CREATE POLICY invoices_with_booking ON invoices USING (
    team_id = itinera_current_team() AND itinera_current_role() IS DISTINCT FROM 'supplier'
    AND EXISTS (SELECT 1 FROM bookings b WHERE b.id = booking_id));
