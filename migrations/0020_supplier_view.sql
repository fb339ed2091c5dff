-- Suppliers assigned to a booking see what they deliver, not what it costs. Invoices and quote
-- proposals among its documents stay with staff and the customer, as payments and invoices do
-- (migration 0009), so a supplier can neither list nor download them. A supplier login may read its
-- own supplier row: the portal shows the supplier reference of that supplier's items only.
ALTER POLICY documents_visible ON documents USING (
    team_id = itinera_current_team()
    AND (itinera_is_staff()
         OR (itinera_booking_visible(booking_id)
             AND NOT (itinera_current_role() = 'supplier' AND kind IN ('invoice', 'quote_proposal')))));

CREATE POLICY suppliers_own ON suppliers FOR SELECT USING (
    team_id = itinera_current_team() AND user_id = itinera_current_user());
