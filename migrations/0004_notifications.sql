-- Notifications: addressed to one user, or (recipient_user_id NULL) to every staff member of the
-- team; read and delete state is per user in notification_receipts.

CREATE TABLE notifications (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id           uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    recipient_user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    type              text NOT NULL CHECK (type ~ '^[a-z_]{1,60}$'),
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    message           text NOT NULL DEFAULT '' CHECK (length(message) <= 2000),
    link_path         text CHECK (link_path IS NULL OR link_path ~ '^/'),
    link_id           uuid,
    metadata          jsonb NOT NULL DEFAULT '{}',
    actor_user_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    -- Types that want "one notification per (type, link)" set this; others leave it NULL.
    dedupe_key        text,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX notifications_dedupe ON notifications (team_id, type, dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX notifications_recipient ON notifications (team_id, recipient_user_id, created_at DESC, id DESC);

CREATE TABLE notification_receipts (
    notification_id uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    read_at         timestamptz,
    deleted_at      timestamptz,
    PRIMARY KEY (notification_id, user_id)
);
CREATE INDEX notification_receipts_user ON notification_receipts (user_id, notification_id);

-- Partner systems act for their team (their routes decide what they may do): they see the team's
-- rows as staff do.
CREATE OR REPLACE FUNCTION itinera_is_staff() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT itinera_current_role() IN ('admin', 'staff', 'partner') $$;

ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
-- A user sees what is addressed to them, and staff see the team's notifications except the ones
-- they caused themselves. Inserting is allowed for the current team (raised by the server).
CREATE POLICY notifications_visible ON notifications FOR SELECT USING (
    team_id = itinera_current_team() AND (
        recipient_user_id = itinera_current_user()
        OR (recipient_user_id IS NULL AND itinera_current_role() IN ('admin', 'staff')
            AND actor_user_id IS DISTINCT FROM itinera_current_user())));
CREATE POLICY notifications_raise ON notifications FOR INSERT WITH CHECK (team_id = itinera_current_team());

ALTER TABLE notification_receipts ENABLE ROW LEVEL SECURITY;
CREATE POLICY notification_receipts_own ON notification_receipts
    USING (user_id = itinera_current_user())
    WITH CHECK (user_id = itinera_current_user()
                AND EXISTS (SELECT 1 FROM notifications n WHERE n.id = notification_id));

-- The customer logins of a booking, for notifying them whatever the caller's own visibility
-- (a staff member's change notifies the customer; the staff member need not see the login).
CREATE FUNCTION itinera_booking_customer_users(p_booking uuid) RETURNS TABLE (user_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT c.user_id FROM bookings b JOIN customers c ON c.id = b.customer_id
    WHERE b.id = p_booking AND b.team_id = itinera_current_team() AND c.user_id IS NOT NULL
$$;
REVOKE ALL ON FUNCTION itinera_booking_customer_users(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION itinera_booking_customer_users(uuid) TO itinera_app;

-- Delivered work uploaded by supplier users is stored as documents with its file's details.
ALTER TABLE documents
    ADD COLUMN filename     text,
    ADD COLUMN content_type text,
    ADD COLUMN size_bytes   bigint CHECK (size_bytes IS NULL OR size_bytes >= 0),
    ADD COLUMN uploaded_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN label        text CHECK (label IS NULL OR length(label) <= 60);
