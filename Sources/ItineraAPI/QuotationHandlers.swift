import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// Quotations: a priced offer for a lead. `draft → sent → approved | rejected`; sending and
/// approving move the lead's bookings along (`lead_created → quotation_sent → quotation_approved`).
/// A lead takes one offer: approving a quotation rejects the lead's other open ones. A draft or sent
/// quotation past its `valid_until` shows as `expired` and can no longer be sent or approved.
enum QuotationHandlers {
    static let statuses: Set<String> = ["draft", "sent", "approved", "rejected", "expired"]
    static let maxTotalMinor: Int64 = 1_000_000_000_000

    /// Whether quotation `q` is past its last valid day (the database's date).
    static let pastItsDay = "coalesce(q.valid_until < current_date, false)"

    /// The status a client sees: an open quotation past its last valid day is `expired`.
    static let effectiveStatus = """
        CASE WHEN q.status IN ('draft', 'sent') AND \(pastItsDay) THEN 'expired' ELSE q.status END
        """

    /// The steps the quotation takes now (`send`, `approve`, `reject`), for clients that offer them.
    static let steps = """
        CASE WHEN q.status IN ('draft', 'sent') AND q.lead_id IS NOT NULL AND EXISTS (
                  SELECT 1 FROM quotations o WHERE o.lead_id = q.lead_id AND o.status = 'approved' AND o.id <> q.id)
                  THEN CASE WHEN q.status = 'sent' THEN '["reject"]'::json ELSE '[]'::json END
             WHEN q.status = 'draft' AND NOT \(pastItsDay) THEN '["send"]'::json
             WHEN q.status = 'sent' AND NOT \(pastItsDay) THEN '["approve", "reject"]'::json
             WHEN q.status = 'sent' THEN '["reject"]'::json
             ELSE '[]'::json END
        """

    static let quotationJSON = """
        json_build_object('id', q.id, 'customer_id', q.customer_id, 'lead_id', q.lead_id, 'currency', q.currency,
            'total_minor', q.total_minor, 'status', \(effectiveStatus), 'steps', \(steps),
            'valid_until', q.valid_until, 'created_at', q.created_at, 'updated_at', q.updated_at)
        """

    struct QuotationBody: Decodable {
        let customerId: String?
        let leadId: String?
        let currency: String?
        let totalMinor: Int64?
        let validUntil: String?
    }

    /// `POST /api/quotations {customerId, leadId?, currency, totalMinor, validUntil?}` → a draft. With
    /// a lead, the customer defaults to the lead's and must be it when the lead has one.
    static func create(_ scope: RequestScope) throws -> Response {
        let body = try scope.request.decodeJSON(QuotationBody.self)
        var check = Validation()
        let leadId = check.uuid(body.leadId, "leadId", required: false)
        let givenCustomer = check.uuid(body.customerId, "customerId", required: body.leadId == nil)
        let currency = check.currency(body.currency, "currency")
        check.check(
            (0...maxTotalMinor).contains(body.totalMinor ?? -1), "totalMinor",
            "must be a non-negative amount in minor units")
        _ = check.day(body.validUntil, "validUntil", example: "2027-01-31")
        try check.finish()
        let caller = try scope.caller
        let json = try scope.transaction { connection -> String in
            let customerId = try customer(of: leadId, given: givenCustomer, connection)
            try refusePast(body.validUntil, connection)
            return try connection.query(
                """
                WITH q AS (
                    INSERT INTO quotations (team_id, customer_id, lead_id, currency, total_minor, valid_until)
                    VALUES ($1, $2, $3, $4, $5, $6::date) RETURNING *)
                SELECT \(quotationJSON)::text AS json FROM q
                """, [caller.teamId, customerId, leadId, currency, body.totalMinor, body.validUntil],
                context: "creating a quotation"
            ).first("json") ?? "{}"
        }
        return scope.ok(jsonText: json, status: 201)
    }

    /// The quotation's customer: the one given, which must be the lead's; else the lead's.
    private static func customer(of leadId: UUID?, given: UUID?, _ connection: PostgresConnection) throws -> UUID {
        if let given { try connection.requireRow("customers", given, "customerId") }
        guard let leadId else { return given! }
        return try LeadHandlers.customer(forLead: leadId, given: given, connection)
    }

    /// A booking opened for a lead whose offer is already out follows it, with the lead's other
    /// bookings at `lead_created`: to `quotation_sent` for a sent offer, and on to
    /// `quotation_approved` for an approved one, priced as quoted when it is the one itemless booking
    /// and no live booking of the lead took that offer before (one offer is never charged twice).
    static func catchUp(lead leadId: UUID, _ scope: RequestScope, _ connection: PostgresConnection) throws {
        let offer = try connection.query(
            """
            SELECT id FROM quotations WHERE lead_id = $1 AND status IN ('sent', 'approved')
            ORDER BY status = 'approved' DESC, updated_at DESC, id LIMIT 1
            """, [leadId], context: "finding the lead's offer")
        guard let offerId = offer.first("id").flatMap(UUID.init(parsing:)) else { return }
        // Read again under the lock a quotation step takes: a step running meanwhile has finished.
        let quotation = try lockWithLeadsOthers(offerId, connection).quotation
        let bookings = LeadBookings(leadId: leadId, quotation: quotation, scope: scope, connection: connection)
        switch quotation.status {
        case "sent" where !quotation.expired:
            try bookings.follow("sent")
        case "approved":
            let taken = try connection.query(
                """
                SELECT 1 FROM bookings WHERE lead_id = $1 AND quotation_id = $2 AND status NOT IN ('cancelled', 'refunded')
                """, [leadId, offerId], context: "checking who took the offer")
            try bookings.follow("sent")
            try bookings.follow("approved", price: taken.rows.isEmpty)
        default:
            break
        }
    }

    /// A 400 for a last valid day before today (the database's date, which expiry uses too).
    private static func refusePast(_ validUntil: String?, _ connection: PostgresConnection) throws {
        guard let validUntil else { return }
        let past = try connection.query(
            "SELECT $1::date < current_date AS past", [validUntil], context: "checking validUntil"
        ).first("past")
        if past == "t" { throw APIError.validation(["validUntil": "must not be in the past"]) }
    }

    /// `GET /api/quotations?status=&leadId=&customerId=&limit=&cursor=`, newest first.
    static func list(_ scope: RequestScope) throws -> Response {
        let query = scope.request.query
        var check = Validation()
        check.check(
            query["status"].map(statuses.contains) ?? true, "status",
            "must be one of \(statuses.sorted().joined(separator: ", "))")
        let leadId = check.uuid(query["leadId"], "leadId", required: false)
        let customerId = check.uuid(query["customerId"], "customerId", required: false)
        let page = ListPage(query, &check, key: [ListPage.instant, ListPage.uuid])
        try check.finish()
        let rows = try scope.transaction { connection in
            try connection.query(
                """
                SELECT \(quotationJSON)::text AS json, to_json(q.created_at) #>> '{}' AS created_at, q.id
                FROM quotations q
                WHERE ($1::text IS NULL OR \(effectiveStatus) = $1) AND ($5::uuid IS NULL OR q.lead_id = $5)
                  AND ($6::uuid IS NULL OR q.customer_id = $6)
                  AND \(page.condition("q.created_at, q.id", descending: true, ["$2::timestamptz", "$3::uuid"]))
                ORDER BY q.created_at DESC, q.id DESC
                LIMIT $4
                """, [query["status"], page.after(0), page.after(1), page.fetch, leadId, customerId],
                context: "listing quotations"
            ).rows
        }
        return scope.ok(jsonText: page.answer(rows))
    }

    /// `GET /api/quotations/{id}`.
    static func get(_ scope: RequestScope) throws -> Response {
        try scope.record("quotation", "SELECT \(quotationJSON)::text AS json FROM quotations q WHERE q.id = $1")
    }

    /// `PATCH /api/quotations/{id}` `{currency?, totalMinor?, validUntil?}`: drafts only (a sent
    /// quotation is what the client saw); 409 `quotation_not_draft` otherwise. A new `validUntil`
    /// revives an expired draft.
    static func update(_ scope: RequestScope) throws -> Response {
        let id = try scope.pathId("quotation")
        var update = try PartialUpdate(scope.request, editable: ["currency", "totalMinor", "validUntil"])
        update.currency("currency", "currency")
        update.amount("totalMinor", "total_minor", max: maxTotalMinor)
        update.day("validUntil", "valid_until")
        let json = "\(quotationJSON)::text AS json"
        return try update.save(scope, table: "quotations q", json: json, what: "quotation") { connection in
            let status = try lockWithLeadsOthers(id, connection).quotation.status
            guard status == "draft" else {
                throw APIError(
                    status: 409, code: "quotation_not_draft",
                    message: "A \(status) quotation cannot be edited; make a new one.",
                    details: .object(["status": .string(status)]))
            }
            if case .string(let validUntil) = update.fieldValue("validUntil") { try refusePast(validUntil, connection) }
        }
    }

    /// `POST /api/quotations/{id}/send`: draft → sent. The lead's bookings at `lead_created` move to
    /// `quotation_sent`; those already there (after a rejected offer) are linked to this one.
    static func send(_ scope: RequestScope) throws -> Response {
        try advance(scope, from: "draft", to: "sent")
    }

    /// `POST /api/quotations/{id}/approve`: sent → approved; the lead's other open quotations are
    /// rejected and its bookings at `quotation_sent` move to `quotation_approved`.
    static func approve(_ scope: RequestScope) throws -> Response {
        try advance(scope, from: "sent", to: "approved")
    }

    /// `POST /api/quotations/{id}/reject`: sent → rejected. The lead's bookings stay where they are:
    /// staff send a revised quotation or cancel them.
    static func reject(_ scope: RequestScope) throws -> Response {
        try advance(scope, from: "sent", to: "rejected")
    }

    struct LockedQuotation {
        let id: UUID
        let status: String
        let leadId: UUID?
        let currency: String
        let totalMinor: Int64
        let validUntil: String?
        let expired: Bool
    }

    /// Locks the quotation and the other quotations of its lead, always in id order, so two
    /// approvals for one lead queue instead of deadlocking; the second sees the first's outcome.
    private static func lockWithLeadsOthers(_ id: UUID, _ connection: PostgresConnection) throws -> (
        quotation: LockedQuotation, others: [LockedQuotation]
    ) {
        let result = try connection.query(
            """
            SELECT q.id, q.status, q.lead_id, q.currency, q.valid_until::text AS valid_until,
                   \(pastItsDay) AS expired, q.total_minor
            FROM quotations q
            WHERE q.id = $1 OR q.lead_id = (SELECT lead_id FROM quotations WHERE id = $1)
            ORDER BY q.id
            FOR UPDATE
            """, [id], context: "locking a quotation")
        let rows = result.rows.compactMap { row -> LockedQuotation? in
            guard let id = row[0].flatMap(UUID.init(parsing:)), let status = row[1], let currency = row[3],
                let total = row[6].flatMap({ Int64($0) })
            else { return nil }
            return LockedQuotation(
                id: id, status: status, leadId: row[2].flatMap(UUID.init(parsing:)), currency: currency,
                totalMinor: total, validUntil: row[4], expired: row[5] == "t")
        }
        guard let quotation = rows.first(where: { $0.id == id }) else { throw APIError.notFound("No such quotation.") }
        return (quotation, rows.filter { $0.id != id })
    }

    private static func advance(_ scope: RequestScope, from: String, to: String) throws -> Response {
        let id = try scope.pathId("quotation")
        let caller = try scope.caller
        let answer = try scope.transaction { connection in
            try Idempotency.once(
                key: scope.request.headers["idempotency-key"], scope: "POST /api/quotations/{id}/\(to)",
                request: scope.request, teamId: caller.teamId, connection
            ) {
                let (quotation, others) = try lockWithLeadsOthers(id, connection)
                try checkAdvance(quotation, others, from: from, to: to)
                try connection.query(
                    "UPDATE quotations SET status = $2, updated_at = now() WHERE id = $1", [id, to],
                    context: "updating a quotation")
                if let leadId = quotation.leadId {
                    try LeadBookings(leadId: leadId, quotation: quotation, scope: scope, connection: connection)
                        .follow(to)
                    if to == "approved" {
                        let open = others.filter { ["draft", "sent"].contains($0.status) }.map(\.id.lowercased)
                        try connection.query(
                            "UPDATE quotations SET status = 'rejected', updated_at = now() WHERE id = ANY($1::uuid[])",
                            [open], context: "rejecting the lead's other quotations")
                    }
                }
                try Audit.record(
                    connection, scope, action: "quotation.\(to)", table: "quotations", rowId: id.lowercased)
                let json =
                    try connection.query(
                        "SELECT \(quotationJSON)::text AS json FROM quotations q WHERE q.id = $1", [id],
                        context: "loading a quotation"
                    ).first("json") ?? "{}"
                return (200, json)
            }
        }
        return scope.ok(jsonText: answer.json, status: answer.status)
    }

    /// The 409s of a quotation step: a step its status does not allow, an offer past its last day,
    /// a further offer sent or approved for a lead that took one.
    private static func checkAdvance(
        _ quotation: LockedQuotation, _ others: [LockedQuotation], from: String, to: String
    )
        throws
    {
        guard quotation.status == from else {
            throw APIError(
                status: 409, code: "invalid_transition",
                message: "A \(quotation.status) quotation cannot be marked \(to).",
                details: .object(["from": .string(quotation.status), "to": .string(to)]))
        }
        if quotation.expired && to != "rejected" {
            throw APIError(
                status: 409, code: "quotation_expired",
                message: "This quotation was valid until \(quotation.validUntil ?? "?"); make a new one.",
                details: .object(["validUntil": .string(quotation.validUntil ?? "")]))
        }
        if to != "rejected", let approved = others.first(where: { $0.status == "approved" }) {
            throw APIError(
                status: 409, code: "quotation_already_approved",
                message: "The lead has taken another offer already.",
                details: .object(["approvedQuotationId": .string(approved.id.lowercased)]))
        }
    }
}

/// The bookings of a lead following one of its quotations.
struct LeadBookings {
    let leadId: UUID
    let quotation: QuotationHandlers.LockedQuotation
    let scope: RequestScope
    let connection: PostgresConnection

    /// Moves the lead's bookings along `step`; an approval prices the one itemless booking it
    /// moves unless `price` is false.
    func follow(_ step: String, price: Bool = true) throws {
        switch step {
        case "sent":
            try checkCurrency(of: [.leadCreated, .quotationSent])
            try connection.query(
                """
                UPDATE bookings SET quotation_id = $2, version = version + 1, updated_at = now()
                WHERE lead_id = $1 AND status = 'quotation_sent' AND quotation_id IS DISTINCT FROM $2
                """, [leadId, quotation.id], context: "linking the revised quotation")
            try move(from: .leadCreated, to: .quotationSent) { _ in "quotation sent" }
        case "approved":
            try checkCurrency(of: [.quotationSent])
            let moved = try move(from: .quotationSent, to: .quotationApproved) { booking in
                // A booking priced by its own items keeps them: the timeline says when they differ.
                guard booking.priced, booking.totalMinor != quotation.totalMinor else { return "quotation approved" }
                return "quotation approved at \(CurrencyCodes.amountText(quotation.totalMinor, quotation.currency)); "
                    + "the booking's items total \(CurrencyCodes.amountText(booking.totalMinor, quotation.currency))"
            }
            if price && moved.count == 1 { try priceAsQuoted(moved[0]) }
        default:
            break
        }
    }

    /// A booking is paid in its own currency: an offer in another one cannot move it (422).
    private func checkCurrency(of statuses: [BookingStatus]) throws {
        let other = try connection.query(
            """
            SELECT booking_reference, currency FROM bookings
            WHERE lead_id = $1 AND status = ANY($3::text[]) AND currency <> $2
            ORDER BY created_at LIMIT 1
            """, [leadId, quotation.currency, statuses.map(\.rawValue)], context: "checking the lead's currencies")
        guard let reference = other.first("booking_reference"), let currency = other.first("currency") else { return }
        throw APIError(
            status: 422, code: "currency_mismatch",
            message: "The lead's booking \(reference) is in \(currency); this quotation is in \(quotation.currency).",
            details: .object(["bookingReference": .string(reference), "currency": .string(currency)]))
    }

    /// A booking opened from the lead without items takes the approved price as its one item, so
    /// its total (always the sum of its items) is what the client accepted. With several bookings
    /// moving, which one the price is for is staff's call: none gets it.
    private func priceAsQuoted(_ bookingId: UUID) throws {
        let priced = try connection.query(
            """
            WITH item AS (
                INSERT INTO booking_items (team_id, booking_id, position, kind, description, quantity, unit_price_minor)
                SELECT b.team_id, b.id, 0, 'other', 'As quoted', 1, $2 FROM bookings b
                WHERE b.id = $1 AND NOT EXISTS (SELECT 1 FROM booking_items i WHERE i.booking_id = b.id)
                RETURNING id, booking_id, total_minor)
            UPDATE bookings b SET total_minor = item.total_minor, updated_at = now() FROM item WHERE b.id = item.booking_id
            RETURNING item.id
            """, [bookingId, quotation.totalMinor], context: "pricing the booking as quoted")
        guard let itemId = priced.first("id") else { return }
        try Audit.record(
            connection, scope, action: "booking_item.create", table: "booking_items", rowId: itemId,
            bookingId: bookingId,
            details: ["item": .string("As quoted"), "quotation_id": .string(quotation.id.lowercased)])
    }

    /// Links the lead's bookings waiting at `from` to the quotation and moves them on, each event
    /// with `note(booking)`; their ids.
    @discardableResult
    private func move(
        from: BookingStatus, to: BookingStatus, note: ((totalMinor: Int64, priced: Bool)) -> String
    ) throws -> [UUID] {
        let caller = try scope.caller
        // Locked, and re-read once locked: one cancelled meanwhile drops out instead of failing the step.
        let bookings = try connection.query(
            """
            SELECT b.id, b.total_minor, EXISTS (SELECT 1 FROM booking_items i WHERE i.booking_id = b.id) AS priced
            FROM bookings b WHERE b.lead_id = $1 AND b.status = $2 ORDER BY b.created_at, b.id FOR UPDATE OF b
            """, [leadId, from.rawValue], context: "finding the lead's bookings")
        var ids: [UUID] = []
        for row in bookings.rows {
            guard let bookingId = row[0].flatMap(UUID.init(parsing:)) else { continue }
            ids.append(bookingId)
            let booking = (totalMinor: row[1].flatMap { Int64($0) } ?? 0, priced: row[2] == "t")
            try connection.query(
                "UPDATE bookings SET quotation_id = $2 WHERE id = $1", [bookingId, quotation.id],
                context: "linking the quotation")
            try LifecycleHandlers.move(
                connection, scope: scope, bookingId: bookingId, to: to, actorType: "user",
                actorId: caller.userId?.lowercased, note: note(booking),
                metadata: ["quotation_id": .string(quotation.id.lowercased)], idempotencyKey: nil)
        }
        return ids
    }
}
