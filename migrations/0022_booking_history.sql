-- A booking's history of changes: the audit rows about one booking (its items, the suppliers'
-- answers, assignments, delivered work, travelers, ground services, edits) carry its id, so staff
-- read them beside the lifecycle timeline. The audit log is staff's to read: customers and
-- suppliers write rows through the API but never read the team's log.
ALTER TABLE audit_log ADD COLUMN booking_id uuid;
CREATE INDEX audit_log_booking ON audit_log (booking_id, id) WHERE booking_id IS NOT NULL;

ALTER POLICY audit_log_read ON audit_log USING (team_id = itinera_current_team() AND itinera_is_staff());
