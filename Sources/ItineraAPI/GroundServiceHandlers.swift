import Foundation
import ItineraHTTP

/// Ground services of a booking (transfers, guides, photo shoots, meet and greet).
enum GroundServiceHandlers {
    struct Body: Decodable {
        let kind: String?
        let description: String?
        let supplierId: String?
        let startsAt: Date?
        let location: String?
    }

    static let kinds: Set<String> = ["transfer", "guide", "photo_shoot", "meet_and_greet", "other"]

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
            try BookingHandlers.requireBooking(bookingId, connection)
            if let supplierId { try connection.requireRow("suppliers", supplierId, "supplierId") }
            return try connection.query(
                """
                INSERT INTO ground_services (team_id, booking_id, supplier_id, kind, description, starts_at, location)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                RETURNING json_build_object('id', id, 'booking_id', booking_id, 'supplier_id', supplier_id, 'kind', kind,
                    'description', description, 'starts_at', starts_at, 'location', location)::text AS json
                """, [caller.teamId, bookingId, supplierId, kind, description, body.startsAt, location],
                context: "adding a ground service"
            ).first("json") ?? "{}"
        }
        return scope.ok(jsonText: json, status: 201)
    }

    /// `GET /api/bookings/{id}/ground-services`.
    static func list(_ scope: RequestScope) throws -> Response {
        let bookingId = try scope.pathId("booking")
        let json = try scope.transaction { connection -> String in
            guard
                !(try connection.query(
                    "SELECT 1 FROM bookings WHERE id = $1", [bookingId], context: "finding a booking")).rows.isEmpty
            else { throw APIError.notFound("No such booking.") }
            return try connection.query(
                """
                SELECT coalesce(json_agg(json_build_object('id', id, 'kind', kind, 'description', description,
                    'supplier_id', supplier_id, 'starts_at', starts_at, 'location', location)
                    ORDER BY starts_at NULLS LAST, id), '[]')::text AS json
                FROM ground_services WHERE booking_id = $1
                """, [bookingId], context: "listing ground services"
            ).first("json") ?? "[]"
        }
        return scope.ok(jsonText: "{\"items\":\(json),\"nextCursor\":null}")
    }
}
