-- Booking core: the travel data model around bookings, the lifecycle history, idempotency keys and
-- the transactional outbox. Every tenant-owned table carries team_id under row-level security;
-- rows that hang off a booking are visible exactly when their booking is.

-- Customers and suppliers; a customer or supplier may have a portal login (users row).
CREATE TABLE customers (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id    uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email      citext CHECK (email IS NULL OR email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    phone      text CHECK (phone IS NULL OR length(phone) <= 40),
    user_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    notes      text CHECK (notes IS NULL OR length(notes) <= 4000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, user_id)
);
CREATE INDEX customers_team_name ON customers (team_id, lower(name));

CREATE TABLE suppliers (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id    uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind       text NOT NULL DEFAULT 'other'
               CHECK (kind IN ('airline', 'hotel', 'operator', 'guide', 'photographer', 'driver', 'other')),
    email      citext,
    phone      text,
    user_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, user_id)
);
CREATE INDEX suppliers_team_name ON suppliers (team_id, lower(name));

CREATE TABLE products (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    supplier_id uuid REFERENCES suppliers (id) ON DELETE SET NULL,
    kind        text NOT NULL CHECK (kind IN ('flight', 'hotel', 'activity', 'ground_service', 'other')),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text,
    city        text,
    origin      text CHECK (origin IS NULL OR origin ~ '^[A-Z]{3}$'),
    destination text CHECK (destination IS NULL OR destination ~ '^[A-Z]{3}$'),
    starts_at   timestamptz,
    ends_at     timestamptz,
    price_minor bigint NOT NULL CHECK (price_minor >= 0),
    currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at >= starts_at)
);
CREATE INDEX products_team_kind_city ON products (team_id, kind, lower(city));
CREATE INDEX products_team_route ON products (team_id, kind, origin, destination, starts_at);

CREATE TABLE leads (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    customer_id uuid REFERENCES customers (id) ON DELETE SET NULL,
    source      text,
    notes       text,
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'converted', 'lost')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX leads_team_status ON leads (team_id, status, created_at);

CREATE TABLE trips (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    customer_id uuid REFERENCES customers (id) ON DELETE SET NULL,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    starts_on   date,
    ends_on     date,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX trips_team ON trips (team_id, starts_on);

CREATE TABLE quotations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    customer_id uuid NOT NULL REFERENCES customers (id),
    lead_id     uuid REFERENCES leads (id) ON DELETE SET NULL,
    currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    total_minor bigint NOT NULL DEFAULT 0 CHECK (total_minor >= 0),
    status      text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'approved', 'rejected', 'expired')),
    valid_until date,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quotations_team_status ON quotations (team_id, status, created_at);

CREATE TABLE bookings (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id           uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    booking_reference text NOT NULL CHECK (booking_reference ~ '^ITN-[0-9A-Z]{6}$'),
    customer_id       uuid NOT NULL REFERENCES customers (id),
    lead_id           uuid REFERENCES leads (id) ON DELETE SET NULL,
    quotation_id      uuid REFERENCES quotations (id) ON DELETE SET NULL,
    trip_id           uuid REFERENCES trips (id) ON DELETE SET NULL,
    status            text NOT NULL CHECK (status IN ('lead_created', 'quotation_sent', 'quotation_approved',
                          'booking_created', 'payment_pending', 'payment_confirmed', 'supplier_confirmed',
                          'documents_generated', 'completed', 'cancelled', 'refunded')),
    currency          text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    total_minor       bigint NOT NULL DEFAULT 0 CHECK (total_minor >= 0),
    paid_minor        bigint NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
    departure_at      timestamptz,
    notes             text CHECK (notes IS NULL OR length(notes) <= 4000),
    version           integer NOT NULL DEFAULT 1,
    created_by        uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, booking_reference)
);
CREATE INDEX bookings_team_created ON bookings (team_id, created_at DESC, id DESC);
CREATE INDEX bookings_team_status ON bookings (team_id, status, created_at DESC);
CREATE INDEX bookings_team_customer ON bookings (team_id, customer_id);
CREATE INDEX bookings_team_departure ON bookings (team_id, departure_at);

CREATE TABLE booking_items (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id            uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    booking_id         uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    position           integer NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('flight', 'hotel', 'activity', 'ground_service', 'other')),
    product_id         uuid REFERENCES products (id) ON DELETE SET NULL,
    supplier_id        uuid REFERENCES suppliers (id) ON DELETE SET NULL,
    description        text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
    starts_at          timestamptz,
    ends_at            timestamptz,
    quantity           integer NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
    unit_price_minor   bigint NOT NULL CHECK (unit_price_minor >= 0),
    total_minor        bigint GENERATED ALWAYS AS (quantity * unit_price_minor) STORED,
    supplier_status    text NOT NULL DEFAULT 'pending'
                       CHECK (supplier_status IN ('pending', 'requested', 'confirmed', 'declined', 'cancelled')),
    supplier_reference text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at >= starts_at)
);
CREATE INDEX booking_items_booking ON booking_items (booking_id, position);
CREATE INDEX booking_items_supplier ON booking_items (team_id, supplier_id);

CREATE TABLE travelers (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id         uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    booking_id      uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    position        integer NOT NULL,
    first_name      text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name       text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    email           citext,
    phone           text,
    date_of_birth   date,
    passport_number text,
    nationality     text CHECK (nationality IS NULL OR nationality ~ '^[A-Z]{2}$'),
    dietary         text,
    accessibility   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX travelers_booking ON travelers (booking_id, position);

CREATE TABLE client_flights (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id           uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    booking_id        uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    flight_number     text NOT NULL CHECK (flight_number ~ '^[A-Z0-9]{2}[0-9]{1,4}[A-Z]?$'),
    departure_airport text NOT NULL CHECK (departure_airport ~ '^[A-Z]{3}$'),
    arrival_airport   text NOT NULL CHECK (arrival_airport ~ '^[A-Z]{3}$'),
    departs_at        timestamptz NOT NULL,
    arrives_at        timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX client_flights_booking ON client_flights (booking_id, departs_at);

CREATE TABLE booking_assignments (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id    uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    booking_id uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('guide', 'photographer', 'driver', 'operator', 'other')),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (booking_id, user_id, role)
);
CREATE INDEX booking_assignments_user ON booking_assignments (team_id, user_id);

CREATE TABLE ground_services (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    booking_id  uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    supplier_id uuid REFERENCES suppliers (id) ON DELETE SET NULL,
    kind        text NOT NULL CHECK (kind IN ('transfer', 'guide', 'photo_shoot', 'meet_and_greet', 'other')),
    description text NOT NULL,
    starts_at   timestamptz,
    location    text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ground_services_booking ON ground_services (booking_id);

CREATE TABLE payments (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id            uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    booking_id         uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    customer_id        uuid REFERENCES customers (id) ON DELETE SET NULL,
    provider           text NOT NULL CHECK (provider IN ('stripe', 'razorpay', 'sandbox', 'manual')),
    provider_reference text,
    amount_minor       bigint NOT NULL CHECK (amount_minor > 0),
    currency           text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status             text NOT NULL CHECK (status IN ('requires_action', 'processing', 'succeeded', 'failed',
                           'cancelled', 'refunded', 'partially_refunded')),
    failure_reason     text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_booking ON payments (booking_id, created_at);
CREATE INDEX payments_team_status ON payments (team_id, status);

CREATE TABLE payment_refunds (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id      uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    payment_id   uuid NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    reason       text,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_refunds_payment ON payment_refunds (payment_id);

-- Rows the lifecycle automations produce; later work turns them into PDFs and mails.
-- source_event_id makes each automation idempotent: one row per (booking, kind, outbox event).
CREATE TABLE invoices (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id         uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    booking_id      uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    payment_id      uuid REFERENCES payments (id) ON DELETE SET NULL,
    amount_minor    bigint NOT NULL CHECK (amount_minor >= 0),
    currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status          text NOT NULL DEFAULT 'pending_document' CHECK (status IN ('pending_document', 'issued', 'void')),
    source_event_id bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (booking_id, source_event_id)
);

CREATE TABLE documents (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id         uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    booking_id      uuid REFERENCES bookings (id) ON DELETE CASCADE,
    customer_id     uuid REFERENCES customers (id) ON DELETE SET NULL,
    quotation_id    uuid REFERENCES quotations (id) ON DELETE SET NULL,
    kind            text NOT NULL CHECK (kind IN ('invoice', 'voucher', 'itinerary', 'quote_proposal',
                        'delivered_work', 'other')),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'failed')),
    storage_path    text,
    source_event_id bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (booking_id, kind, source_event_id)
);
CREATE INDEX documents_booking ON documents (booking_id, created_at);

CREATE TABLE itineraries (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id         uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    booking_id      uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready')),
    source_event_id bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (booking_id, source_event_id)
);

CREATE TABLE customer_communications (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id         uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    booking_id      uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('completion_thanks')),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
    source_event_id bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (booking_id, kind, source_event_id)
);

CREATE TABLE booking_lifecycle_events (
    id              bigserial PRIMARY KEY,
    team_id         uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    booking_id      uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    from_status     text,
    to_status       text NOT NULL,
    actor_type      text NOT NULL CHECK (actor_type IN ('user', 'customer', 'supplier', 'webhook', 'system')),
    actor_id        text,
    recorded_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    note            text CHECK (note IS NULL OR length(note) <= 2000),
    metadata        jsonb NOT NULL DEFAULT '{}',
    idempotency_key text,
    request_id      text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX booking_lifecycle_events_booking ON booking_lifecycle_events (booking_id, id);

-- Stored first answers of mutating requests, per team, route and key (kept at least 24 h).
CREATE TABLE idempotency_keys (
    team_id         uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    scope           text NOT NULL,
    key             text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash    text NOT NULL,
    response_status integer,
    response_body   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- The transactional outbox: written in the transaction of the change, drained by `itinera worker`.
CREATE TABLE outbox_events (
    id              bigserial PRIMARY KEY,
    team_id         uuid REFERENCES teams (id) ON DELETE CASCADE,
    type            text NOT NULL,
    aggregate_id    uuid,
    payload         jsonb NOT NULL DEFAULT '{}',
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    processed_at    timestamptz
);
CREATE INDEX outbox_events_due ON outbox_events (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_events_team_status ON outbox_events (team_id, status, id);

-- One row per (event, handler): a handler that succeeded is not run again when the event is retried.
CREATE TABLE outbox_handler_runs (
    event_id   bigint NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
    handler    text NOT NULL,
    status     text NOT NULL CHECK (status IN ('done', 'failed')),
    attempts   integer NOT NULL DEFAULT 1,
    last_error text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, handler)
);

-- Row-level security. Staff and admins see their team's rows; a customer user sees the bookings of
-- the customer rows linked to their login; a supplier user sees the bookings they are assigned to.
CREATE FUNCTION itinera_is_staff() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT itinera_current_role() IN ('admin', 'staff') $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['suppliers', 'products', 'leads', 'trips', 'quotations', 'payment_refunds',
                             'idempotency_keys']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I USING (team_id = itinera_current_team() AND itinera_is_staff())',
                       t || '_staff', t);
    END LOOP;
END;
$$;

-- idempotency_keys are used by every role that may mutate, not only staff.
DROP POLICY idempotency_keys_staff ON idempotency_keys;
CREATE POLICY idempotency_keys_team ON idempotency_keys USING (team_id = itinera_current_team());

ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
CREATE POLICY customers_visible ON customers USING (
    team_id = itinera_current_team() AND (itinera_is_staff() OR user_id = itinera_current_user()));

ALTER TABLE bookings ENABLE ROW LEVEL SECURITY;
CREATE POLICY bookings_visible ON bookings USING (
    team_id = itinera_current_team() AND (
        itinera_is_staff()
        OR (itinera_current_role() = 'customer'
            AND customer_id IN (SELECT c.id FROM customers c WHERE c.user_id = itinera_current_user()))
        OR (itinera_current_role() = 'supplier'
            AND EXISTS (SELECT 1 FROM booking_assignments a
                        WHERE a.booking_id = bookings.id AND a.user_id = itinera_current_user()))));

-- Assignments are readable by the assigned supplier (the bookings policy relies on that).
ALTER TABLE booking_assignments ENABLE ROW LEVEL SECURITY;
CREATE POLICY booking_assignments_visible ON booking_assignments USING (
    team_id = itinera_current_team() AND (itinera_is_staff() OR user_id = itinera_current_user()));

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['booking_items', 'travelers', 'client_flights', 'ground_services', 'payments',
                             'invoices', 'itineraries', 'customer_communications', 'booking_lifecycle_events']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I USING (team_id = itinera_current_team() '
                       'AND EXISTS (SELECT 1 FROM bookings b WHERE b.id = booking_id))', t || '_with_booking', t);
    END LOOP;
END;
$$;

ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY documents_visible ON documents USING (
    team_id = itinera_current_team()
    AND (itinera_is_staff() OR EXISTS (SELECT 1 FROM bookings b WHERE b.id = booking_id)));

-- Requests write outbox rows for their own team; only the worker (the owner role) reads them all.
ALTER TABLE outbox_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY outbox_events_team ON outbox_events USING (team_id = itinera_current_team());
ALTER TABLE outbox_handler_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY outbox_handler_runs_team ON outbox_handler_runs USING (
    EXISTS (SELECT 1 FROM outbox_events e WHERE e.id = event_id));
