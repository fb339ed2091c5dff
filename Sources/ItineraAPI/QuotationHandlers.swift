import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// Quotations: a priced offer for a lead. `draft → sent → approved | rejected`; sending and
/// approving move the lead's booking along (`lead_created → quotation_sent → quotation_approved`).
/// A quotation past its `valid_until` can no longer be sent or approved.
enum QuotationHandlers {
    static let statuses: Set<String> = ["draft", "sent", "approved", "rejected", "expired"]
    static let maxTotalMinor: Int64 = 1_000_000_000_000

    static let quotationJSON = """
        json_build_object('id', q.id, 'customer_id', q.customer_id, 'lead_id', q.lead_id, 'currency', q.currency,
            'total_minor', q.total_minor, 'status', q.status, 'valid_until', q.valid_until,
            'created_at', q.created_at, 'updated_at', q.updated_at)
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

    /// The quotation's customer: the one given (checked against the lead's), else the lead's.
    private static func customer(of leadId: UUID?, given: UUID?, _ connection: PostgresConnection) throws -> UUID {
        if let given { try connection.requireRow("customers", given, "customerId") }
        guard let leadId else { return given! }
        let lead = try connection.query(
            "SELECT customer_id FROM leads WHERE id = $1", [leadId], context: "checking leadId")
        guard let row = lead.rows.first else { throw APIError.validation(["leadId": "no such row"]) }
        let leadsCustomer = row[0].flatMap(UUID.init(uuidString:))
        switch (given, leadsCustomer) {
        case (let given?, let theirs?) where given != theirs:
            throw APIError.validation(["customerId": "must be the lead's customer"])
        case (let given?, _): return given
        case (nil, let theirs?): return theirs
        case (nil, nil): throw APIError.validation(["customerId": "is required: the lead names no customer"])
        }
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
                WHERE ($1::text IS NULL OR q.status = $1) AND ($5::uuid IS NULL OR q.lead_id = $5)
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
    /// quotation is what the client saw); 409 `quotation_not_draft` otherwise.
    static func update(_ scope: RequestScope) throws -> Response {
        let id = try scope.pathId("quotation")
        var update = try PartialUpdate(scope.request, editable: ["currency", "totalMinor", "validUntil"])
        update.currency("currency", "currency")
        update.amount("totalMinor", "total_minor", max: maxTotalMinor)
        update.day("validUntil", "valid_until")
        return try update.save(scope, table: "quotations q", json: "\(quotationJSON)::text AS json", what: "quotation")
        {
            connection in
            let status = try lock(id, connection).status
            guard status == "draft" else {
                throw APIError(
                    status: 409, code: "quotation_not_draft",
                    message: "A \(status) quotation cannot be edited; make a new one.",
                    details: .object(["status": .string(status)]))
            }
        }
    }

    /// `POST /api/quotations/{id}/send`: draft → sent; the lead's booking → `quotation_sent`. A
    /// revised quotation sent while the booking already waits at `quotation_sent` leaves it there.
    static func send(_ scope: RequestScope) throws -> Response {
        try advance(scope, from: "draft", to: "sent", booking: (.leadCreated, .quotationSent))
    }

    /// `POST /api/quotations/{id}/approve`: sent → approved; the lead's booking → `quotation_approved`.
    static func approve(_ scope: RequestScope) throws -> Response {
        try advance(scope, from: "sent", to: "approved", booking: (.quotationSent, .quotationApproved))
    }

    /// `POST /api/quotations/{id}/reject`: sent → rejected. The lead's booking stays where it is:
    /// staff send a revised quotation or cancel the booking.
    static func reject(_ scope: RequestScope) throws -> Response {
        try advance(scope, from: "sent", to: "rejected", booking: nil)
    }

    private static func lock(_ id: UUID, _ connection: PostgresConnection) throws -> (
        status: String, leadId: UUID?, validUntil: String?, expired: Bool
    ) {
        let row = try connection.query(
            """
            SELECT status, lead_id, valid_until::text AS valid_until, coalesce(valid_until < current_date, false) AS expired
            FROM quotations WHERE id = $1 FOR UPDATE
            """, [id], context: "locking a quotation")
        guard let status = row.first("status") else { throw APIError.notFound("No such quotation.") }
        return (
            status, row.first("lead_id").flatMap(UUID.init(uuidString:)), row.first("valid_until"),
            row.first("expired") == "t"
        )
    }

    private static func advance(
        _ scope: RequestScope, from: String, to: String, booking: (from: BookingStatus, to: BookingStatus)?
    ) throws -> Response {
        let id = try scope.pathId("quotation")
        let caller = try scope.caller
        let answer = try scope.transaction { connection in
            try Idempotency.once(
                key: scope.request.headers["idempotency-key"], scope: "POST /api/quotations/{id}/\(to)",
                request: scope.request, teamId: caller.teamId, connection
            ) {
                let current = try lock(id, connection)
                guard current.status == from else {
                    throw APIError(
                        status: 409, code: "invalid_transition",
                        message: "A \(current.status) quotation cannot be marked \(to).",
                        details: .object(["from": .string(current.status), "to": .string(to)]))
                }
                if current.expired && booking != nil {
                    throw APIError(
                        status: 409, code: "quotation_expired",
                        message: "This quotation was valid until \(current.validUntil ?? "?"); make a new one.",
                        details: .object(["validUntil": .string(current.validUntil ?? "")]))
                }
                try connection.query(
                    "UPDATE quotations SET status = $2, updated_at = now() WHERE id = $1", [id, to],
                    context: "updating a quotation")
                if let booking, let leadId = current.leadId {
                    try moveLeadBookings(leadId, booking, quotation: id, note: "quotation \(to)", scope, connection)
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

    /// Links the lead's bookings waiting at `booking.from` to the quotation and moves them on.
    private static func moveLeadBookings(
        _ leadId: UUID, _ booking: (from: BookingStatus, to: BookingStatus), quotation id: UUID, note: String,
        _ scope: RequestScope, _ connection: PostgresConnection
    ) throws {
        let caller = try scope.caller
        let bookings = try connection.query(
            "SELECT id FROM bookings WHERE lead_id = $1 AND status = $2 ORDER BY created_at",
            [leadId, booking.from.rawValue], context: "finding the lead's booking")
        for row in bookings.rows {
            guard let bookingId = row[0].flatMap(UUID.init(uuidString:)) else { continue }
            try connection.query(
                "UPDATE bookings SET quotation_id = $2 WHERE id = $1", [bookingId, id],
                context: "linking the quotation")
            try LifecycleHandlers.move(
                connection, scope: scope, bookingId: bookingId, to: booking.to, actorType: "user",
                actorId: caller.userId?.lowercased, note: note, metadata: ["quotation_id": .string(id.lowercased)],
                idempotencyKey: nil)
        }
    }
}
