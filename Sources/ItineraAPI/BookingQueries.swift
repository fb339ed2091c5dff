/// The SQL that renders bookings as JSON inside PostgreSQL: one round trip per answer, types and
/// ISO-8601 timestamps as PostgreSQL writes them, no decoding and re-encoding in Swift.
enum BookingQueries {
    /// The fields of a booking in lists (`b` bookings, `c` customers).
    static let summary = """
        json_build_object(
            'id', b.id, 'booking_reference', b.booking_reference, 'status', b.status,
            'customer_id', b.customer_id, 'customer_name', c.name, 'currency', b.currency,
            'total_minor', b.total_minor, 'paid_minor', b.paid_minor, 'departure_at', b.departure_at,
            'version', b.version, 'created_at', b.created_at, 'updated_at', b.updated_at)
        """

    /// `summary` without the money, for the supplier portal's list (see `supplierDetail`).
    static let supplierSummary = """
        json_build_object(
            'id', b.id, 'booking_reference', b.booking_reference, 'status', b.status,
            'customer_id', b.customer_id, 'customer_name', c.name, 'departure_at', b.departure_at,
            'version', b.version, 'created_at', b.created_at, 'updated_at', b.updated_at)
        """

    /// The staff view of a booking, kept by the database (migrations 0013, 0014 and 0024 build it with the
    /// same expression as `detail`): the stored JSON while no change has committed since it was
    /// built, else built again, stored and returned. `$1` is the booking id.
    static let staffDetail = """
        SELECT CASE WHEN d.built_generation = d.generation THEN d.detail
                    ELSE itinera_refresh_booking_detail(d.booking_id) END AS booking
        FROM booking_details d WHERE d.booking_id = $1
        """

    /// A booking with everything that hangs off it, as staff see it. `$1` is the booking id.
    static let detail = detailQuery(
        money: money, itemMoney: itemMoney, supplierReference: "i.supplier_reference",
        staffNotes: "'notes', b.notes, 'internal_notes', b.internal_notes,", eventNote: "note,", payments: payments)

    /// What a customer sees of their booking: all of it but what staff wrote for colleagues (the
    /// booking's `internal_notes`, the notes typed on its lifecycle moves). Row-level security leaves
    /// out the rest.
    static let customerDetail = detailQuery(
        money: money, itemMoney: itemMoney, supplierReference: "i.supplier_reference", staffNotes: "'notes', b.notes,",
        eventNote: "", payments: payments, groundServices: groundServices(yours: ""))

    private static let money = """
        'currency', b.currency, 'total_minor', b.total_minor, 'paid_minor', b.paid_minor,
        """
    private static let itemMoney = "'unit_price_minor', i.unit_price_minor, 'total_minor', i.total_minor,"
    private static let payments = """
        'payments', coalesce((SELECT json_agg(json_build_object(
                'id', p.id, 'provider', p.provider, 'amount_minor', p.amount_minor, 'currency', p.currency,
                'status', p.status, 'created_at', p.created_at)
                ORDER BY p.created_at) FROM payments p WHERE p.booking_id = b.id), '[]'),
        'invoices', coalesce((SELECT json_agg(json_build_object(
                'id', v.id, 'amount_minor', v.amount_minor, 'currency', v.currency, 'status', v.status,
                'created_at', v.created_at)
                ORDER BY v.created_at) FROM invoices v WHERE v.booking_id = b.id), '[]'),
        """

    /// What an assigned supplier sees of a booking: what is to be delivered and when, not what it
    /// costs. No totals, prices or payments, none of staff's notes (the booking's, the timeline's:
    /// "Payment requested: 50.00 EUR", a margin), and the supplier reference (a PNR, a confirmation number)
    /// only on the items of the login's own supplier, which are marked `yours`. Row-level security leaves out the rest
    /// (the customer row, invoices and quote proposals among the documents).
    static let supplierDetail = detailQuery(
        money: "", itemMoney: "'yours', coalesce(\(ownItem), false),",
        supplierReference: "CASE WHEN \(ownItem) THEN i.supplier_reference END", staffNotes: "", eventNote: "",
        payments: "", groundServices: groundServices(yours: "'yours', coalesce(\(ownService), false),"))

    /// Whether item `i` is the signed-in supplier login's to deliver (and to answer).
    private static let ownItem =
        "i.supplier_id IN (SELECT s.id FROM suppliers s WHERE s.user_id = itinera_current_user())"
    private static let ownService =
        "g.supplier_id IN (SELECT s.id FROM suppliers s WHERE s.user_id = itinera_current_user())"

    /// What happens on the ground (a pick-up, a guide), soonest first, for the client and the
    /// suppliers, who have no list of their own: what, when and where. Staff list them apart
    /// (`GET /api/bookings/{id}/ground-services`), with the supplier.
    private static func groundServices(yours: String) -> String {
        """
        'ground_services', coalesce((SELECT json_agg(json_build_object(
                'id', g.id, 'kind', g.kind, 'description', g.description, 'starts_at', g.starts_at,
                'location', g.location, \(yours) 'created_at', g.created_at)
                ORDER BY g.starts_at NULLS LAST, g.id) FROM ground_services g WHERE g.booking_id = b.id), '[]'),
        """
    }

    private static func detailQuery(
        money: String, itemMoney: String, supplierReference: String, staffNotes: String, eventNote: String,
        payments: String, groundServices: String = ""
    ) -> String {
        """
        SELECT json_build_object(
            'id', b.id, 'booking_reference', b.booking_reference, 'status', b.status,
            'customer_id', b.customer_id,
            'customer', CASE WHEN c.id IS NULL THEN NULL
                             ELSE json_build_object('id', c.id, 'name', c.name, 'email', c.email, 'phone', c.phone) END,
            'lead_id', b.lead_id, 'quotation_id', b.quotation_id, 'trip_id', b.trip_id,
            \(money)
            'departure_at', b.departure_at, \(staffNotes) 'version', b.version,
            'created_at', b.created_at, 'updated_at', b.updated_at,
            'items', coalesce((SELECT json_agg(json_build_object(
                    'id', i.id, 'kind', i.kind, 'product_id', i.product_id, 'supplier_id', i.supplier_id,
                    'description', i.description, 'starts_at', i.starts_at, 'ends_at', i.ends_at,
                    'quantity', i.quantity, \(itemMoney)
                    'supplier_status', i.supplier_status, 'supplier_reference', \(supplierReference))
                    ORDER BY i.position) FROM booking_items i WHERE i.booking_id = b.id), '[]'),
            'travelers', coalesce((SELECT json_agg(json_build_object(
                    'id', t.id, 'first_name', t.first_name, 'last_name', t.last_name, 'email', t.email,
                    'phone', t.phone, 'date_of_birth', t.date_of_birth, 'passport_number', t.passport_number,
                    'nationality', t.nationality, 'dietary', t.dietary, 'accessibility', t.accessibility)
                    ORDER BY t.position) FROM travelers t WHERE t.booking_id = b.id), '[]'),
            'client_flights', coalesce((SELECT json_agg(json_build_object(
                    'id', f.id, 'flight_number', f.flight_number, 'departure_airport', f.departure_airport,
                    'arrival_airport', f.arrival_airport, 'departs_at', f.departs_at, 'arrives_at', f.arrives_at)
                    ORDER BY f.departs_at) FROM client_flights f WHERE f.booking_id = b.id), '[]'),
            \(payments)
            \(groundServices)
            'documents', coalesce((SELECT json_agg(json_build_object(
                    'id', d.id, 'kind', d.kind, 'status', d.status, 'label', d.label, 'filename', d.filename,
                    'created_at', d.created_at)
                    ORDER BY d.created_at) FROM documents d WHERE d.booking_id = b.id), '[]'),
            'assignments', coalesce((SELECT json_agg(json_build_object(
                    'id', a.id, 'user_id', a.user_id, 'role', a.role, 'created_at', a.created_at)
                    ORDER BY a.created_at) FROM booking_assignments a WHERE a.booking_id = b.id), '[]'),
            'last_events', coalesce((SELECT json_agg(e ORDER BY e.id DESC) FROM (
                    SELECT id, from_status, to_status, actor_type, actor_id, \(eventNote) created_at
                    FROM booking_lifecycle_events WHERE booking_id = b.id ORDER BY id DESC LIMIT 10) e), '[]')
        )::text AS booking
        FROM bookings b LEFT JOIN customers c ON c.id = b.customer_id
        WHERE b.id = $1
        """
    }

    /// One lifecycle event as JSON (`e` booking_lifecycle_events).
    static let event = eventObject(extra: "")

    /// `event` with the name and team role of the login that recorded it (`recorded_by_name`,
    /// `recorded_by_role`), for the timeline people read; the answer to a transition leaves them out,
    /// its caller being the one who recorded it.
    static let namedEvent = eventObject(
        extra: """
            'recorded_by_name', (SELECT u.name FROM users u WHERE u.id = e.recorded_by),
            'recorded_by_role', (SELECT m.role FROM memberships m WHERE m.user_id = e.recorded_by AND m.team_id = e.team_id),
            """)

    private static func eventObject(extra: String) -> String {
        """
        json_build_object(
            'id', e.id, 'booking_id', e.booking_id, 'from_status', e.from_status, 'to_status', e.to_status,
            'actor_type', e.actor_type, 'actor_id', e.actor_id, 'recorded_by', e.recorded_by, \(extra) 'note', e.note,
            'metadata', e.metadata, 'idempotency_key', e.idempotency_key, 'request_id', e.request_id,
            'created_at', e.created_at)
        """
    }
}
