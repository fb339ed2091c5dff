import Foundation
import ItineraCore
import ItineraCrypto
import ItineraHTTP
import ItineraStore

/// Bookings: create, list, read, staff edits, supplier assignments and the event timeline.
enum BookingHandlers {
    struct CreateBody: Decodable {
        struct Item: Decodable {
            let kind: String
            let productId: String?
            let supplierId: String?
            let description: String
            let startsAt: Date?
            let endsAt: Date?
            let quantity: Int
            let unitPriceMinor: Int64
        }
        struct Traveler: Decodable {
            let firstName: String
            let lastName: String
            let email: String?
            let phone: String?
        }
        let customerId: String?
        let currency: String?
        let tripId: String?
        let leadId: String?
        let notes: String?
        let internalNotes: String?
        let items: [Item]?
        let travelers: [Traveler]?
    }

    static let itemKinds: Set<String> = ["flight", "hotel", "activity", "ground_service", "other"]
    static let maxItems = 100

    /// `POST /api/bookings` → 201 with the booking. Starts in `booking_created`, or `lead_created`
    /// when made from a lead. Honours `Idempotency-Key`.
    static func create(_ scope: RequestScope) throws -> Response {
        let caller = try scope.caller
        let body = try scope.request.decodeJSON(CreateBody.self)
        var check = Validation()
        let customerId = check.uuid(body.customerId, "customerId")
        let currency = check.currency(body.currency, "currency")
        let tripId = check.uuid(body.tripId, "tripId", required: false)
        let leadId = check.uuid(body.leadId, "leadId", required: false)
        let notes = check.text(body.notes, "notes", 1...4000)
        let internalNotes = check.text(body.internalNotes, "internalNotes", 1...4000)
        let items = body.items ?? []
        let travelers = body.travelers ?? []
        check.check(items.count <= maxItems, "items", "at most \(maxItems) items")
        check.check(travelers.count <= 50, "travelers", "at most 50 travelers")
        var total: Int64 = 0
        for (index, item) in items.enumerated() {
            let line = item.validate(&check, field: "items[\(index)]")
            let (sum, overflow) = total.addingReportingOverflow(line)
            check.check(!overflow, "items[\(index)].unitPriceMinor", "makes the total too large")
            total = sum
        }
        // Stored as checked: trimmed, so what is saved is what the length rules measured.
        let checkedTravelers = travelers.enumerated().map { index, traveler in
            (
                first: check.text(traveler.firstName, "travelers[\(index)].firstName", 1...100, required: true),
                last: check.text(traveler.lastName, "travelers[\(index)].lastName", 1...100, required: true),
                email: check.email(traveler.email, "travelers[\(index)].email"),
                phone: check.phone(traveler.phone, "travelers[\(index)].phone")
            )
        }
        try check.finish()
        let status: BookingStatus = leadId == nil ? .bookingCreated : .leadCreated
        let departure = items.compactMap(\.startsAt).min()

        let answer = try scope.transaction { connection in
            try Idempotency.once(
                key: scope.request.headers["idempotency-key"], scope: "POST /api/bookings", request: scope.request,
                teamId: caller.teamId, connection
            ) {
                let customer = try connection.query(
                    "SELECT 1 FROM customers WHERE id = $1", [customerId], context: "checking the customer")
                guard !customer.rows.isEmpty else { throw APIError.validation(["customerId": "no such customer"]) }
                if let leadId { _ = try LeadHandlers.customer(forLead: leadId, given: customerId, connection) }
                let bookingId = try insertBooking(
                    connection, caller: caller, customerId: customerId!, currency: currency!, tripId: tripId,
                    leadId: leadId, notes: (notes, internalNotes), status: status, total: total, departure: departure)
                for (position, item) in items.enumerated() {
                    try item.insert(connection, teamId: caller.teamId, bookingId: bookingId, position: position)
                }
                for (position, traveler) in checkedTravelers.enumerated() {
                    try connection.query(
                        """
                        INSERT INTO travelers (team_id, booking_id, position, first_name, last_name, email, phone)
                        VALUES ($1, $2, $3, $4, $5, $6, $7)
                        """,
                        [
                            caller.teamId, bookingId, position, traveler.first, traveler.last, traveler.email,
                            traveler.phone,
                        ], context: "adding a traveler")
                }
                try LifecycleHandlers.recordEvent(
                    connection, scope: scope, bookingId: bookingId, from: nil, to: status, actorType: "user",
                    actorId: caller.userId?.lowercased, note: "created", metadata: [:], idempotencyKey: nil)
                Outbox.enqueue(
                    connection, teamId: caller.teamId, type: "booking.created", aggregateId: bookingId,
                    payload: ["booking_id": .string(bookingId.lowercased), "status": .string(status.rawValue)])
                if let leadId { try QuotationHandlers.catchUp(lead: leadId, scope, connection) }
                return (201, try detailJSON(bookingId, connection))
            }
        }
        return scope.ok(jsonText: answer.json, status: answer.status)
    }

    private static func insertBooking(
        _ connection: PostgresConnection, caller: Principal, customerId: UUID, currency: String, tripId: UUID?,
        leadId: UUID?, notes: (client: String?, team: String?), status: BookingStatus, total: Int64, departure: Date?
    ) throws -> UUID {
        // A human reference, unique per team: 36^6 values, so a collision is rare and simply retried.
        for _ in 0..<8 {
            let inserted = try connection.query(
                """
                INSERT INTO bookings (team_id, booking_reference, customer_id, lead_id, trip_id, status, currency,
                    total_minor, departure_at, notes, internal_notes, created_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                ON CONFLICT (team_id, booking_reference) DO NOTHING
                RETURNING id
                """,
                [
                    caller.teamId, reference(), customerId, leadId, tripId, status.rawValue, currency, total, departure,
                    notes.client, notes.team, caller.userId,
                ], context: "creating a booking")
            if let id = inserted.first("id").flatMap(UUID.init(parsing:)) { return id }
        }
        throw APIError(status: 503, code: "reference_exhausted", message: "Could not allocate a booking reference.")
    }

    /// `ITN-` and six characters from digits and capitals.
    static func reference() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return "ITN-" + String(SecureRandom.bytes(6).map { alphabet[Int($0) % alphabet.count] })
    }

    /// The booking as JSON text, as `viewer` sees it (staff unless a customer), or a 404 when it
    /// does not exist or is not visible to the caller.
    static func detailJSON(_ id: UUID, _ connection: PostgresConnection, viewer: Role? = nil) throws -> String {
        let sql = viewer == .customer ? BookingQueries.customerDetail : BookingQueries.detail
        return try detailJSON(in: connection.query(sql, [id], context: "loading a booking"))
    }

    /// `detailJSON` as the transaction's last read, sent with its COMMIT.
    static func detailJSONCommitting(_ id: UUID, _ connection: PostgresConnection) throws -> String {
        try detailJSON(in: connection.commit(after: (BookingQueries.detail, [id]), context: "loading a booking"))
    }

    private static func detailJSON(in result: QueryResult) throws -> String {
        guard let json = result.first("booking") else { throw APIError.notFound("No such booking.") }
        return json
    }

    /// `GET /api/bookings/{id}` for staff: the JSON the database keeps per booking
    /// (`booking_details`, built again on the first read after a change), in one pipelined round
    /// trip. Its policy shows staff their own team's bookings; others get a 404.
    static func getStaffRead(_ request: Request) throws -> PipelinedRead {
        try read(request, sql: BookingQueries.staffDetail)
    }

    /// `GET /api/customer/bookings/{id}`: the live customer query, in which row-level security
    /// leaves out what a customer may not see.
    static func getCustomerRead(_ request: Request) throws -> PipelinedRead {
        try read(request, sql: BookingQueries.customerDetail)
    }

    /// `GET /api/supplier/bookings/{id}`: what is to be delivered, without the money.
    static func getSupplierRead(_ request: Request) throws -> PipelinedRead {
        try read(request, sql: BookingQueries.supplierDetail)
    }

    private static func read(_ request: Request, sql: String) throws -> PipelinedRead {
        guard let id = request.pathParameters["id"].flatMap(UUID.init(parsing:)) else {
            throw APIError.notFound("No such booking.")
        }
        return PipelinedRead(sql: sql, parameters: [id]) { result, scope in
            guard let json = result.first("booking") else { throw APIError.notFound("No such booking.") }
            return scope.ok(jsonText: json)
        }
    }

    /// `GET /api/bookings?status=&customerId=&departureFrom=&departureTo=&q=&limit=&cursor=`,
    /// newest first, cursor-paginated on (created_at, id).
    static func list(_ scope: RequestScope) throws -> Response {
        let query = scope.request.query
        var check = Validation()
        if let status = query["status"] {
            check.check(BookingStatus(rawValue: status) != nil, "status", "is not a status")
        }
        let customerId = check.uuid(query["customerId"], "customerId", required: false)
        let from = query["departureFrom"].map(ISODate.instantOrDay)
        let to = query["departureTo"].map(ISODate.instantOrDay)
        check.check(from == nil || from! != nil, "departureFrom", "must be an ISO-8601 date or time")
        check.check(to == nil || to! != nil, "departureTo", "must be an ISO-8601 date or time")
        let page = ListPage(query, &check, key: [ListPage.instant, ListPage.uuid])
        try check.finish()
        let search = query["q"].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap {
            $0.isEmpty ? nil : likePattern($0)
        }

        let rows = try scope.transaction { connection in
            try connection.query(
                """
                SELECT \(BookingQueries.summary)::text AS json, to_json(b.created_at) #>> '{}' AS created_at, b.id
                FROM bookings b LEFT JOIN customers c ON c.id = b.customer_id
                WHERE ($1::text IS NULL OR b.status = $1)
                  AND ($2::uuid IS NULL OR b.customer_id = $2)
                  AND ($3::timestamptz IS NULL OR b.departure_at >= $3)
                  AND ($4::timestamptz IS NULL OR b.departure_at < $4)
                  AND \(search == nil ? "$5::text IS NULL" : "b.id IN (SELECT s.id FROM itinera_search_bookings($5) s)")
                  AND \(page.condition("b.created_at, b.id", descending: true, ["$6::timestamptz", "$7::uuid"]))
                ORDER BY b.created_at DESC, b.id DESC
                LIMIT $8
                """,
                [
                    query["status"], customerId, from ?? nil, to ?? nil, search, page.after(0), page.after(1),
                    page.fetch,
                ], context: "listing bookings"
            ).rows
        }
        return scope.ok(jsonText: page.answer(rows))
    }

    /// The fields staff may edit in place; the rest changes through its own flow (items through
    /// `BookingItemHandlers` and quotations, money through payments, status through the lifecycle).
    static let editableFields: Set<String> = ["notes", "internalNotes", "tripId", "departureAt"]

    /// The columns behind `editableFields`, which the history names when they change.
    private static let editedColumns = ["notes", "internal_notes", "trip_id", "departure_at"]

    /// `PATCH /api/bookings/{id}` `{notes?, internalNotes?, tripId?, departureAt?}` with `If-Match: <version>`: 412
    /// when someone saved in between. A field sent as null is cleared; a field left out is kept.
    static func patch(_ scope: RequestScope) throws -> Response {
        let id = try scope.pathId("booking")
        guard let version = try ifMatchVersion(scope.request) else {
            throw APIError(
                status: 428, code: "precondition_required", message: "Send If-Match with the booking's version.")
        }
        let fields = try PartialUpdate.members(of: scope.request, editable: editableFields)
        var check = Validation()
        for name in fields.keys where !editableFields.contains(name) {
            check.check(false, name, "cannot be edited here")
        }
        check.check(!fields.isEmpty, "body", "names no field to edit")
        func text(_ name: String) -> String? {
            if case .string(let value) = fields[name] { return value }
            check.check(fields[name] == nil || fields[name] == .null, name, "must be a string or null")
            return nil
        }
        let notes = check.text(text("notes"), "notes", 1...4000)
        let internalNotes = check.text(text("internalNotes"), "internalNotes", 1...4000)
        let tripId = check.uuid(text("tripId"), "tripId", required: false)
        let departureText = text("departureAt")
        let departure = departureText.flatMap(ISODate.instantOrDay)
        check.check(departureText == nil || departure != nil, "departureAt", "must be an ISO-8601 date or time")
        try check.finish()
        let json = try scope.transaction { connection -> String in
            let updated = try connection.query(
                """
                WITH prior AS (SELECT \(editedColumns.joined(separator: ", ")) FROM bookings WHERE id = $1)
                UPDATE bookings SET notes = CASE WHEN $3 THEN $4 ELSE notes END,
                    trip_id = CASE WHEN $5 THEN $6::uuid ELSE trip_id END,
                    departure_at = CASE WHEN $7 THEN $8::timestamptz ELSE departure_at END,
                    internal_notes = CASE WHEN $9 THEN $10 ELSE internal_notes END,
                    version = version + 1, updated_at = now()
                WHERE id = $1 AND version = $2
                RETURNING id, \(PartialUpdate.changedColumns(editedColumns, of: "bookings")) AS changed_columns
                """,
                [
                    id, version, fields["notes"] != nil, notes, fields["tripId"] != nil, tripId,
                    fields["departureAt"] != nil, departure, fields["internalNotes"] != nil, internalNotes,
                ], context: "editing a booking")
            if updated.rows.isEmpty {
                let current = try connection.query(
                    "SELECT version FROM bookings WHERE id = $1", [id], context: "reading a booking version")
                guard let currentVersion = current.first("version") else { throw APIError.notFound("No such booking.") }
                throw versionConflict(sent: version, current: currentVersion)
            }
            // The history names what changed, not what was sent again.
            let changed = PartialUpdate.columns(updated.first("changed_columns"))
            if !changed.isEmpty {
                try Audit.record(
                    connection, scope, action: "booking.update", table: "bookings", rowId: id.lowercased,
                    bookingId: id, details: ["fields": .array(changed.sorted().map(JSONValue.string))])
            }
            return try detailJSON(id, connection)
        }
        return scope.ok(jsonText: json)
    }

    /// 412: the booking is no longer at the version the client saw.
    static func versionConflict(sent: Int32, current: String) -> APIError {
        APIError(
            status: 412, code: "version_conflict",
            message: "The booking changed since version \(sent); reload it and apply your edit again.",
            details: .object(["currentVersion": .integer(Int64(current) ?? 0)]))
    }

    /// The booking version `If-Match` names (`7`, `"7"` or `W/"7"`), nil without the header; 400 for
    /// anything else (the column is an integer: a larger number is no version either).
    static func ifMatchVersion(_ request: Request) throws -> Int32? {
        guard let ifMatch = request.headers["if-match"] else { return nil }
        guard let version = Int32(ifMatch.trimmingCharacters(in: CharacterSet(charactersIn: "\" W/"))), version > 0
        else { throw APIError.validation(["If-Match": "must be the booking's version number"]) }
        return version
    }

    /// `GET /api/bookings/{id}/events`: the lifecycle timeline, oldest first.
    static func events(_ scope: RequestScope) throws -> Response {
        let id = try scope.pathId("booking")
        let json = try scope.transaction { connection -> String in
            try requireBooking(id, connection)
            let result = try connection.query(
                """
                SELECT coalesce(json_agg(\(BookingQueries.namedEvent) ORDER BY e.id), '[]')::text AS events
                FROM booking_lifecycle_events e WHERE e.booking_id = $1
                """, [id], context: "loading the timeline")
            return result.first("events") ?? "[]"
        }
        return scope.ok(jsonText: "{\"items\":\(json),\"nextCursor\":null}")
    }

    struct AssignmentBody: Decodable {
        let userId: String?
        let role: String?
    }

    static let assignmentRoles: Set<String> = ["guide", "photographer", "driver", "operator", "other"]

    /// `POST /api/bookings/{id}/assignments {userId, role}`: assigns a supplier user of the team.
    static func assign(_ scope: RequestScope) throws -> Response {
        let id = try scope.pathId("booking")
        let body = try scope.request.decodeJSON(AssignmentBody.self)
        var check = Validation()
        let userId = check.uuid(body.userId, "userId")
        let role = body.role ?? "other"
        check.check(
            assignmentRoles.contains(role), "role", "must be one of \(assignmentRoles.sorted().joined(separator: ", "))"
        )
        try check.finish()
        let caller = try scope.caller
        let answer = try scope.transaction { connection in
            try Idempotency.once(
                key: scope.request.headers["idempotency-key"], scope: "POST /api/bookings/{id}/assignments",
                request: scope.request, teamId: caller.teamId, connection
            ) {
                try requireBooking(id, connection)
                let supplier = try connection.query(
                    "SELECT 1 FROM memberships WHERE team_id = $1 AND user_id = $2 AND role = 'supplier'",
                    [caller.teamId, userId], context: "checking the supplier user")
                guard !supplier.rows.isEmpty else {
                    throw APIError.validation(["userId": "must be a supplier user of this team"])
                }
                let inserted = try connection.query(
                    """
                    INSERT INTO booking_assignments (team_id, booking_id, user_id, role, created_by)
                    VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (booking_id, user_id, role) DO UPDATE SET role = excluded.role
                    RETURNING json_build_object('id', id, 'booking_id', booking_id, 'user_id', user_id, 'role', role,
                                                'created_at', created_at)::text AS json, id, xmax = 0 AS created
                    """, [caller.teamId, id, userId, role, caller.userId], context: "assigning a supplier user")
                // Already assigned in this role: the same assignment again, and nobody is told twice.
                guard inserted.first("created") == "t" else { return (200, inserted.first("json") ?? "{}") }
                try Audit.record(
                    connection, scope, action: "booking.assign", table: "booking_assignments",
                    rowId: inserted.first("id"), bookingId: id,
                    details: ["user_id": .string(userId?.lowercased ?? ""), "role": .string(role)])
                let reference =
                    try connection.query(
                        "SELECT booking_reference FROM bookings WHERE id = $1", [id], context: "reading the reference"
                    ).first("booking_reference") ?? ""
                try Notifications.toUser(
                    .init(
                        type: "supplier_assigned", title: "You were assigned to booking \(reference)",
                        linkPath: "/booking/\(id.lowercased)", linkId: id,
                        metadata: ["booking_id": .string(id.lowercased), "role": .string(role)]),
                    user: userId!, teamId: caller.teamId, actor: caller.userId, connection)
                Outbox.enqueue(
                    connection, teamId: caller.teamId, type: "booking.supplier_assigned", aggregateId: id,
                    payload: ["booking_id": .string(id.lowercased), "user_id": .string(userId!.lowercased)])
                return (201, inserted.first("json") ?? "{}")
            }
        }
        return scope.ok(jsonText: answer.json, status: answer.status)
    }

    /// `DELETE /api/bookings/{id}/assignments/{assignmentId}`.
    static func unassign(_ scope: RequestScope) throws -> Response {
        let id = try scope.pathId("booking")
        guard let assignmentId = scope.request.pathParameters["assignmentId"].flatMap(UUID.init(parsing:)) else {
            throw APIError.notFound("No such assignment.")
        }
        try scope.transaction { connection in
            let deleted = try connection.query(
                "DELETE FROM booking_assignments WHERE id = $1 AND booking_id = $2 RETURNING user_id, role",
                [assignmentId, id], context: "removing an assignment")
            guard deleted.affectedRows == 1 else { throw APIError.notFound("No such assignment.") }
            try Audit.record(
                connection, scope, action: "booking.unassign", table: "booking_assignments",
                rowId: assignmentId.lowercased, bookingId: id,
                details: [
                    "user_id": .string(deleted.first("user_id") ?? ""), "role": .string(deleted.first("role") ?? ""),
                ])
        }
        return scope.ok(jsonText: "{\"id\":\"\(assignmentId.lowercased)\",\"deleted\":true}")
    }

    /// A 404 unless the booking exists and the caller may see it.
    static func requireBooking(_ id: UUID, _ connection: PostgresConnection) throws {
        let found = try connection.query("SELECT 1 FROM bookings WHERE id = $1", [id], context: "finding a booking")
        guard !found.rows.isEmpty else { throw APIError.notFound("No such booking.") }
    }

}

extension BookingHandlers.CreateBody.Item {
    /// Checks the item into `check`, its fields named under `field` (`items[0].kind`; plain `kind` for
    /// nil); its line total (0 when invalid).
    func validate(_ check: inout Validation, field prefix: String?) -> Int64 {
        let field = prefix.map { "\($0)." } ?? ""
        check.check(
            BookingHandlers.itemKinds.contains(kind), "\(field)kind",
            "must be one of \(BookingHandlers.itemKinds.sorted().joined(separator: ", "))")
        _ = check.uuid(productId, "\(field)productId", required: false)
        _ = check.uuid(supplierId, "\(field)supplierId", required: false)
        _ = check.text(description, "\(field)description", 1...500, required: true)
        check.check((1...10_000).contains(quantity), "\(field)quantity", "must be from 1 to 10000")
        check.check(
            (0...1_000_000_000_000).contains(unitPriceMinor), "\(field)unitPriceMinor",
            "must be a non-negative amount in minor units")
        if let start = startsAt, let end = endsAt {
            check.check(end >= start, "\(field)endsAt", "must not be before the start")
        }
        let (line, overflow) = Int64(max(0, quantity)).multipliedReportingOverflow(by: max(0, unitPriceMinor))
        check.check(!overflow, "\(field)unitPriceMinor", "makes the total too large")
        return overflow ? 0 : line
    }

    /// Inserts the (validated) item at `position` of the booking; its id.
    @discardableResult
    func insert(_ connection: PostgresConnection, teamId: UUID, bookingId: UUID, position: Int) throws -> String? {
        try connection.query(
            """
            INSERT INTO booking_items (team_id, booking_id, position, kind, product_id, supplier_id,
                description, starts_at, ends_at, quantity, unit_price_minor)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            RETURNING id
            """,
            [
                teamId, bookingId, position, kind, productId.flatMap(UUID.init(parsing:)),
                supplierId.flatMap(UUID.init(parsing:)),
                description.trimmingCharacters(in: .whitespacesAndNewlines), startsAt, endsAt, quantity, unitPriceMinor,
            ], context: "adding a booking item"
        ).first("id")
    }
}
