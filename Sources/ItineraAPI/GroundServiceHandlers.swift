import Foundation
import ItineraCore
import ItineraHTTP
import ItineraStore

/// Ground services of a booking (transfers, guides, photo shoots, meet and greet). Adding, changing
/// or removing one tells the booking's assigned suppliers and, once the booking is theirs to see,
/// its customer logins, as a change of its items does (`booking.items_changed`).
enum GroundServiceHandlers {
    struct Body: Decodable {
        let kind: String?
        let description: String?
        let supplierId: String?
        let startsAt: Date?
        let location: String?
    }

    static let kinds: Set<String> = ["transfer", "guide", "photo_shoot", "meet_and_greet", "other"]

    static let serviceJSON = """
        json_build_object('id', g.id, 'booking_id', g.booking_id, 'supplier_id', g.supplier_id, 'kind', g.kind,
            'description', g.description, 'starts_at', g.starts_at, 'location', g.location,
            'created_at', g.created_at, 'updated_at', g.updated_at)
        """

    /// `POST /api/bookings/{id}/ground-services`.
    static func create(_ scope: RequestScope) throws -> Response {
        let bookingId = try scope.pathId("booking")
        let body = try scope.request.decodeJSON(Body.self)
        var check = Validation()
        let kind = body.kind ?? ""
        check.check(kinds.contains(kind), "kind", "must be one of \(kinds.sorted().joined(separator: ", "))")
        let description = check.text(body.description, "description", 1...500, required: true)
        let supplierId = check.uuid(body.supplierId, "supplierId", required: false)
        let location = check.text(body.location, "location", 1...300)
        try check.finish()
        let caller = try scope.caller
        let json = try scope.transaction { connection -> String in
            try requireOpen(bookingId, connection)
            if let supplierId { try connection.requireRow("suppliers", supplierId, "supplierId") }
            let created = try connection.query(
                """
                WITH g AS (
                    INSERT INTO ground_services (team_id, booking_id, supplier_id, kind, description, starts_at, location)
                    VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *)
                SELECT \(serviceJSON)::text AS json, g.id FROM g
                """, [caller.teamId, bookingId, supplierId, kind, description, body.startsAt, location],
                context: "adding a ground service")
            try Audit.record(
                connection, scope, action: "ground_service.create", table: "ground_services",
                rowId: created.first("id"),
                bookingId: bookingId, details: ["service": .string(description ?? kind)])
            try tell("added", service: created.first("id"), withStart: true, bookingId, scope, connection)
            return created.first("json") ?? "{}"
        }
        return scope.ok(jsonText: json, status: 201)
    }

    /// `GET /api/bookings/{id}/ground-services`.
    static func list(_ scope: RequestScope) throws -> Response {
        let bookingId = try scope.pathId("booking")
        let json = try scope.transaction { connection -> String in
            try BookingHandlers.requireBooking(bookingId, connection)
            return try connection.query(
                """
                SELECT coalesce(json_agg(\(serviceJSON) ORDER BY g.starts_at NULLS LAST, g.id), '[]')::text AS json
                FROM ground_services g WHERE g.booking_id = $1
                """, [bookingId], context: "listing ground services"
            ).first("json") ?? "[]"
        }
        return scope.ok(jsonText: "{\"items\":\(json),\"nextCursor\":null}")
    }

    /// `PATCH /api/bookings/{id}/ground-services/{serviceId}` `{kind?, description?, supplierId?,
    /// startsAt?, location?}`.
    static func update(_ scope: RequestScope) throws -> Response {
        let bookingId = try scope.pathId("booking")
        var update = try PartialUpdate(
            scope.request, editable: ["kind", "description", "supplierId", "startsAt", "location"])
        update.oneOf("kind", "kind", kinds)
        update.text("description", "description", 1...500, required: true)
        _ = update.uuid("supplierId", "supplier_id")  // another team's supplier: the team foreign key
        update.date("startsAt", "starts_at")
        update.text("location", "location", 1...300)
        return try update.save(
            scope, table: "ground_services g", json: "\(serviceJSON)::text AS json", what: "ground service",
            idParameter: "serviceId", bookingId: bookingId
        ) { connection in
            try lock(scope, bookingId, connection)
            try requireOpen(bookingId, connection)
        } saved: { connection, changed in
            try tell(
                "changed", service: scope.request.pathParameters["serviceId"], withStart: changed.contains("starts_at"),
                bookingId, scope, connection)
        }
    }

    /// `DELETE /api/bookings/{id}/ground-services/{serviceId}` → `{id, deleted: true}`.
    static func delete(_ scope: RequestScope) throws -> Response {
        let bookingId = try scope.pathId("booking")
        let id = try scope.pathId("ground service", parameter: "serviceId")
        try scope.transaction { connection in
            try lock(scope, bookingId, connection)
            try requireOpen(bookingId, connection)
            try tell("removed", service: id.lowercased, withStart: false, bookingId, scope, connection)
            let removed = try connection.query(
                "DELETE FROM ground_services WHERE id = $1 RETURNING description", [id],
                context: "removing a ground service")
            try Audit.record(
                connection, scope, action: "ground_service.delete", table: "ground_services", rowId: id.lowercased,
                bookingId: bookingId, details: ["service": .string(removed.first("description") ?? "")])
        }
        return scope.ok(jsonText: "{\"id\":\"\(id.lowercased)\",\"deleted\":true}")
    }

    /// The `booking.items_changed` event of a change to service `service` (read before a removal),
    /// named with its kind ("Airport pick-up (transfer)"); its start only when that is news.
    private static func tell(
        _ change: String, service: String?, withStart: Bool, _ bookingId: UUID, _ scope: RequestScope,
        _ connection: PostgresConnection
    ) throws {
        guard let service = service.flatMap(UUID.init(parsing:)),
            let row = try connection.query(
                """
                SELECT b.booking_reference, b.status, g.description || ' (' || replace(g.kind, '_', ' ') || ')',
                       to_char(g.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS starts
                FROM ground_services g JOIN bookings b ON b.id = g.booking_id WHERE g.id = $1
                """, [service], context: "describing a ground service change"
            ).rows.first
        else { return }
        try BookingItemHandlers.tell(
            .init(kind: change, description: row[2] ?? "a ground service", starts: withStart ? row[3] : nil),
            reference: row[0] ?? "", status: row[1].flatMap(BookingStatus.init(rawValue:)), bookingId, scope,
            connection)
    }

    /// 404 for an unknown booking; 409 `booking_closed` once it is completed, cancelled or refunded:
    /// nothing more happens on the ground. Holds the booking's status until the change commits.
    private static func requireOpen(_ bookingId: UUID, _ connection: PostgresConnection) throws {
        guard
            let status = try connection.query(
                "SELECT status FROM bookings WHERE id = $1 FOR SHARE", [bookingId], context: "finding a booking"
            ).first("status")
        else { throw APIError.notFound("No such booking.") }
        if let closed = BookingStatus(rawValue: status), Lifecycle.closed.contains(closed) {
            throw APIError.bookingClosed(
                closed, "A \(closed.label.lowercased()) booking's ground services stay as they are.")
        }
    }

    /// Locks the path's service when it belongs to the path's booking; 404 otherwise.
    private static func lock(_ scope: RequestScope, _ bookingId: UUID, _ connection: PostgresConnection) throws {
        let id = try scope.pathId("ground service", parameter: "serviceId")
        let found = try connection.query(
            "SELECT 1 FROM ground_services WHERE id = $1 AND booking_id = $2 FOR UPDATE", [id, bookingId],
            context: "locking a ground service")
        guard !found.rows.isEmpty else { throw APIError.notFound("No such ground service.") }
    }
}
