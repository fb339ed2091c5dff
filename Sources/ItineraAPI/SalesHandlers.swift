import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// Leads, quotations and trips: the front of the lifecycle. Sending and approving a quotation moves
/// the lead's booking along (`lead_created → quotation_sent → quotation_approved`).
enum SalesHandlers {
    struct LeadBody: Decodable {
        let customerId: String?
        let source: String?
        let notes: String?
    }

    /// `POST /api/leads {customerId?, source?, notes?}`.
    static func createLead(_ scope: RequestScope) throws -> Response {
        let body = try scope.request.decodeJSON(LeadBody.self)
        var check = Validation()
        let customerId = check.uuid(body.customerId, "customerId", required: false)
        let source = check.text(body.source, "source", 1...100)
        let notes = check.text(body.notes, "notes", 1...4000)
        try check.finish()
        let caller = try scope.caller
        let json = try scope.transaction { connection -> String in
            if let customerId { try requireRow("customers", customerId, "customerId", connection) }
            return try connection.query(
                """
                INSERT INTO leads (team_id, customer_id, source, notes) VALUES ($1, $2, $3, $4)
                RETURNING json_build_object('id', id, 'customer_id', customer_id, 'source', source, 'notes', notes,
                    'status', status, 'created_at', created_at)::text AS json
                """, [caller.teamId, customerId, source, notes], context: "creating a lead"
            ).first("json") ?? "{}"
        }
        return scope.ok(jsonText: json, status: 201)
    }

    /// `GET /api/leads?status=&limit=&cursor=`, newest first.
    static func listLeads(_ scope: RequestScope) throws -> Response {
        let status = scope.request.query["status"]
        var check = Validation()
        check.check(
            status.map(["open", "converted", "lost"].contains) ?? true, "status", "must be open, converted or lost")
        let page = ListPage(scope.request.query, &check, key: [ListPage.instant, ListPage.uuid])
        try check.finish()
        let rows = try scope.transaction { connection in
            try connection.query(
                """
                SELECT json_build_object('id', id, 'customer_id', customer_id, 'source', source, 'notes', notes,
                    'status', status, 'created_at', created_at)::text AS json,
                    to_json(created_at) #>> '{}' AS created_at, id
                FROM leads
                WHERE ($1::text IS NULL OR status = $1)
                  AND \(page.condition("created_at, id", descending: true, ["$2::timestamptz", "$3::uuid"]))
                ORDER BY created_at DESC, id DESC
                LIMIT $4
                """, [status, page.after(0), page.after(1), page.fetch], context: "listing leads"
            ).rows
        }
        return scope.ok(jsonText: page.answer(rows))
    }

    struct QuotationBody: Decodable {
        let customerId: String?
        let leadId: String?
        let currency: String?
        let totalMinor: Int64?
        let validUntil: String?
    }

    static let quotationFields = """
        json_build_object('id', q.id, 'customer_id', q.customer_id, 'lead_id', q.lead_id, 'currency', q.currency,
            'total_minor', q.total_minor, 'status', q.status, 'valid_until', q.valid_until,
            'created_at', q.created_at, 'updated_at', q.updated_at)
        """

    /// `POST /api/quotations {customerId, leadId?, currency, totalMinor, validUntil?}` → a draft.
    static func createQuotation(_ scope: RequestScope) throws -> Response {
        let body = try scope.request.decodeJSON(QuotationBody.self)
        var check = Validation()
        let customerId = check.uuid(body.customerId, "customerId")
        let leadId = check.uuid(body.leadId, "leadId", required: false)
        let currency = check.currency(body.currency, "currency")
        check.check(
            (0...1_000_000_000_000).contains(body.totalMinor ?? -1), "totalMinor",
            "must be a non-negative amount in minor units")
        let validUntil = body.validUntil
        _ = check.day(validUntil, "validUntil", example: "2027-01-31")
        try check.finish()
        let caller = try scope.caller
        let json = try scope.transaction { connection -> String in
            try requireRow("customers", customerId!, "customerId", connection)
            if let leadId { try requireRow("leads", leadId, "leadId", connection) }
            return try connection.query(
                """
                WITH q AS (
                    INSERT INTO quotations (team_id, customer_id, lead_id, currency, total_minor, valid_until)
                    VALUES ($1, $2, $3, $4, $5, $6::date) RETURNING *)
                SELECT \(quotationFields)::text AS json FROM q
                """, [caller.teamId, customerId, leadId, currency, body.totalMinor, validUntil],
                context: "creating a quotation"
            ).first("json") ?? "{}"
        }
        return scope.ok(jsonText: json, status: 201)
    }

    /// `GET /api/quotations/{id}`.
    static func getQuotation(_ scope: RequestScope) throws -> Response {
        let id = try quotationId(scope)
        let json = try scope.transaction { connection in
            try connection.query(
                "SELECT \(quotationFields)::text AS json FROM quotations q WHERE q.id = $1", [id],
                context: "loading a quotation"
            ).first("json")
        }
        guard let json else { throw APIError.notFound("No such quotation.") }
        return scope.ok(jsonText: json)
    }

    /// `POST /api/quotations/{id}/send`: draft → sent; the lead's booking → `quotation_sent`.
    static func send(_ scope: RequestScope) throws -> Response {
        try advance(scope, from: "draft", to: "sent", bookingFrom: .leadCreated, bookingTo: .quotationSent)
    }

    /// `POST /api/quotations/{id}/approve`: sent → approved; the lead's booking → `quotation_approved`.
    static func approve(_ scope: RequestScope) throws -> Response {
        try advance(scope, from: "sent", to: "approved", bookingFrom: .quotationSent, bookingTo: .quotationApproved)
    }

    private static func advance(
        _ scope: RequestScope, from: String, to: String, bookingFrom: BookingStatus, bookingTo: BookingStatus
    ) throws -> Response {
        let id = try quotationId(scope)
        let caller = try scope.caller
        let answer = try scope.transaction { connection in
            try Idempotency.once(
                key: scope.request.headers["idempotency-key"], scope: "POST /api/quotations/{id}/\(to)",
                request: scope.request, teamId: caller.teamId, connection
            ) {
                let current = try connection.query(
                    "SELECT status, lead_id FROM quotations WHERE id = $1 FOR UPDATE", [id],
                    context: "locking a quotation")
                guard let status = current.first("status") else { throw APIError.notFound("No such quotation.") }
                guard status == from else {
                    throw APIError(
                        status: 409, code: "invalid_transition",
                        message: "A \(status) quotation cannot be marked \(to).",
                        details: .object(["from": .string(status), "to": .string(to)]))
                }
                try connection.query(
                    "UPDATE quotations SET status = $2, updated_at = now() WHERE id = $1", [id, to],
                    context: "updating a quotation")
                if let leadId = current.first("lead_id").flatMap(UUID.init(uuidString:)) {
                    let bookings = try connection.query(
                        "SELECT id FROM bookings WHERE lead_id = $1 AND status = $2 ORDER BY created_at",
                        [leadId, bookingFrom.rawValue],
                        context: "finding the lead's booking")
                    for row in bookings.rows {
                        guard let bookingId = row[0].flatMap(UUID.init(uuidString:)) else { continue }
                        try connection.query(
                            "UPDATE bookings SET quotation_id = $2 WHERE id = $1", [bookingId, id],
                            context: "linking the quotation")
                        try LifecycleHandlers.move(
                            connection, scope: scope, bookingId: bookingId, to: bookingTo, actorType: "user",
                            actorId: caller.userId?.lowercased, note: "quotation \(to)",
                            metadata: ["quotation_id": .string(id.lowercased)],
                            idempotencyKey: nil)
                    }
                }
                try Audit.record(
                    connection, scope, action: "quotation.\(to)", table: "quotations", rowId: id.lowercased)
                let json =
                    try connection.query(
                        "SELECT \(quotationFields)::text AS json FROM quotations q WHERE q.id = $1", [id],
                        context: "loading a quotation"
                    ).first("json") ?? "{}"
                return (200, json)
            }
        }
        return scope.ok(jsonText: answer.json, status: answer.status)
    }

    struct TripBody: Decodable {
        let name: String?
        let customerId: String?
        let startsOn: String?
        let endsOn: String?
    }

    /// `POST /api/trips {name, customerId?, startsOn?, endsOn?}` and `GET /api/trips`.
    static func createTrip(_ scope: RequestScope) throws -> Response {
        let body = try scope.request.decodeJSON(TripBody.self)
        var check = Validation()
        let name = check.text(body.name, "name", 1...200, required: true)
        let customerId = check.uuid(body.customerId, "customerId", required: false)
        let starts = check.day(body.startsOn, "startsOn")
        let ends = check.day(body.endsOn, "endsOn", example: "2027-03-09")
        if let starts, let ends { check.check(ends >= starts, "endsOn", "must not be before startsOn") }
        try check.finish()
        let caller = try scope.caller
        let json = try scope.transaction { connection -> String in
            if let customerId { try requireRow("customers", customerId, "customerId", connection) }
            return try connection.query(
                """
                INSERT INTO trips (team_id, customer_id, name, starts_on, ends_on) VALUES ($1, $2, $3, $4::date, $5::date)
                RETURNING json_build_object('id', id, 'customer_id', customer_id, 'name', name, 'starts_on', starts_on,
                    'ends_on', ends_on, 'created_at', created_at)::text AS json
                """, [caller.teamId, customerId, name, body.startsOn, body.endsOn], context: "creating a trip"
            ).first("json") ?? "{}"
        }
        return scope.ok(jsonText: json, status: 201)
    }

    /// `GET /api/trips?limit=&cursor=`: soonest first, undated trips last.
    static func listTrips(_ scope: RequestScope) throws -> Response {
        var check = Validation()
        let page = ListPage(scope.request.query, &check, key: [ListPage.day, ListPage.uuid])
        try check.finish()
        let rows = try scope.transaction { connection in
            try connection.query(
                """
                SELECT json_build_object('id', id, 'customer_id', customer_id, 'name', name, 'starts_on', starts_on,
                    'ends_on', ends_on)::text AS json,
                    sort_start::text AS sort_start, id
                FROM trips
                WHERE \(page.condition("sort_start, id", descending: false, ["$1::date", "$2::uuid"]))
                ORDER BY sort_start, id
                LIMIT $3
                """, [page.after(0), page.after(1), page.fetch], context: "listing trips"
            ).rows
        }
        return scope.ok(jsonText: page.answer(rows))
    }

    /// A row of `table` (a constant of this file) the caller can see, else a 400 naming `field`.
    static func requireRow(_ table: String, _ id: UUID, _ field: String, _ connection: PostgresConnection) throws {
        guard
            !(try connection.query("SELECT 1 FROM \(table) WHERE id = $1", [id], context: "checking \(field)")).rows
                .isEmpty
        else { throw APIError.validation([field: "no such row"]) }
    }

    private static func quotationId(_ scope: RequestScope) throws -> UUID {
        let id = try scope.pathId("quotation")
        return id
    }
}
