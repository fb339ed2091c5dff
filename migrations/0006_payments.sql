-- Payments through providers: intents, captured and refunded amounts per payment, refunds by their
-- provider reference, and every verified webhook kept (30 days) with what it did.

ALTER TABLE payments
    ADD COLUMN provider_payment_id text,
    ADD COLUMN captured_minor      bigint NOT NULL DEFAULT 0 CHECK (captured_minor >= 0),
    ADD COLUMN refunded_minor      bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
    ADD COLUMN webhook_event_id    text,
    ADD COLUMN created_by          uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD CONSTRAINT payments_captured_within_amount CHECK (captured_minor <= amount_minor),
    ADD CONSTRAINT payments_refunds_within_captured CHECK (refunded_minor <= captured_minor);
-- Webhooks name a payment by the provider's intent/order id, or (Razorpay refunds) by its payment id.
CREATE UNIQUE INDEX payments_provider_reference ON payments (provider, provider_reference)
    WHERE provider_reference IS NOT NULL;
CREATE INDEX payments_provider_payment_id ON payments (provider, provider_payment_id)
    WHERE provider_payment_id IS NOT NULL;

ALTER TABLE payment_refunds
    ADD COLUMN provider_reference text,
    ADD COLUMN source             text NOT NULL DEFAULT 'staff' CHECK (source IN ('staff', 'provider')),
    ADD COLUMN failure_reason     text,
    ADD COLUMN created_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN updated_at         timestamptz NOT NULL DEFAULT now();
-- A refund the provider reports again (or reports after we asked for it) is the same row.
CREATE UNIQUE INDEX payment_refunds_provider_reference ON payment_refunds (payment_id, provider_reference)
    WHERE provider_reference IS NOT NULL;

-- Verified webhooks, one row per (provider, event id): the row is written in the transaction of the
-- event's effect, so a duplicate (sequential or concurrent) finds it and does nothing. team_id is
-- NULL when no payment of any team matched.
CREATE TABLE payment_webhook_events (
    id           uuid PRIMARY KEY,
    team_id      uuid REFERENCES teams (id) ON DELETE CASCADE,
    provider     text NOT NULL CHECK (provider IN ('stripe', 'razorpay', 'sandbox')),
    event_id     text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
    event_type   text NOT NULL CHECK (length(event_type) BETWEEN 1 AND 200),
    payment_id   uuid REFERENCES payments (id) ON DELETE SET NULL,
    headers      jsonb NOT NULL DEFAULT '{}',
    body         text NOT NULL,
    verification text NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('received', 'applied', 'partially_paid', 'already_applied',
                     'ignored_out_of_order', 'amount_mismatch', 'ignored_unknown_type', 'payment_not_found',
                     'refund_exceeds_captured')),
    detail       text,
    received_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider, event_id)
);
CREATE INDEX payment_webhook_events_team ON payment_webhook_events (team_id, received_at DESC, id DESC);
CREATE INDEX payment_webhook_events_received ON payment_webhook_events (received_at);

-- Webhooks act for the team of the payment they concern, as the system: they see its rows as staff do.
CREATE OR REPLACE FUNCTION itinera_is_staff() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT itinera_current_role() IN ('admin', 'staff', 'partner', 'system') $$;

ALTER TABLE payment_webhook_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY payment_webhook_events_team ON payment_webhook_events
    USING (team_id = itinera_current_team() AND itinera_is_staff());
CREATE POLICY payment_webhook_events_unmatched ON payment_webhook_events
    USING (team_id IS NULL AND itinera_current_role() = 'system');

-- Whoever sees a payment (its booking's customer too) sees its refunds; only staff make them.
CREATE POLICY payment_refunds_with_payment ON payment_refunds FOR SELECT USING (
    team_id = itinera_current_team() AND EXISTS (SELECT 1 FROM payments p WHERE p.id = payment_id));

-- The payment a webhook concerns, whatever the caller's team (webhooks arrive without one).
CREATE FUNCTION itinera_payment_for_webhook(p_provider text, p_reference text, p_provider_payment_id text)
RETURNS TABLE (payment_id uuid, team_id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    -- PL/pgSQL rather than SQL: the plan is cached per connection instead of made on every call.
    RETURN QUERY
    SELECT p.id, p.team_id FROM payments p
    WHERE p.provider = p_provider AND p.provider_reference = p_reference
    UNION ALL
    SELECT p.id, p.team_id FROM payments p
    WHERE p.provider = p_provider AND p.provider_payment_id = p_provider_payment_id
    LIMIT 1;
END;
$$;
REVOKE ALL ON FUNCTION itinera_payment_for_webhook(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION itinera_payment_for_webhook(text, text, text) TO itinera_app;
