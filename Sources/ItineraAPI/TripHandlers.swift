import Foundation
import ItineraHTTP
import ItineraStore

/// Trips: the bookings of one journey grouped under a name and dates.
enum TripHandlers {
    static let tripJSON = """
        json_build_object('id', t.id, 'customer_id', t.customer_id, 'name', t.name, 'starts_on', t.starts_on,
            'ends_on', t.ends_on, 'created_at', t.created_at, 'updated_at', t.updated_at)
        """

    struct TripBody: Decodable {
        let name: String?
        let customerId: String?
        let startsOn: String?
        let endsOn: String?
    }

    /// `POST /api/trips {name, customerId?, startsOn?, endsOn?}`.
    static func create(_ scope: RequestScope) throws -> Response {
        let body = try scope.request.decodeJSON(TripBody.self)
        var check = Validation()
        let name = check.text(body.name, "name", 1...200, required: true)
        let customerId = check.uuid(body.customerId, "customerId", required: false)
        let starts = check.day(body.startsOn, "startsOn")
        let ends = check.day(body.endsOn, "endsOn", example: "2027-03-09")
        if let starts, let ends { check.check(ends >= starts, "endsOn", "must not be before the start") }
        try check.finish()
        let caller = try scope.caller
        let json = try scope.transaction { connection -> String in
            if let customerId { try connection.requireRow("customers", customerId, "customerId") }
            return try connection.query(
                """
                WITH t AS (
                    INSERT INTO trips (team_id, customer_id, name, starts_on, ends_on)
                    VALUES ($1, $2, $3, $4::date, $5::date) RETURNING *)
                SELECT \(tripJSON)::text AS json FROM t
                """, [caller.teamId, customerId, name, body.startsOn, body.endsOn], context: "creating a trip"
            ).first("json") ?? "{}"
        }
        return scope.ok(jsonText: json, status: 201)
    }

    /// `GET /api/trips?customerId=&limit=&cursor=`: soonest first, undated trips last.
    static func list(_ scope: RequestScope) throws -> Response {
        var check = Validation()
        let customerId = check.uuid(scope.request.query["customerId"], "customerId", required: false)
        let page = ListPage(scope.request.query, &check, key: [ListPage.day, ListPage.uuid])
        try check.finish()
        let rows = try scope.transaction { connection in
            try connection.query(
                """
                SELECT \(tripJSON)::text AS json, t.sort_start::text AS sort_start, t.id
                FROM trips t
                WHERE ($4::uuid IS NULL OR t.customer_id = $4)
                  AND \(page.condition("t.sort_start, t.id", descending: false, ["$1::date", "$2::uuid"]))
                ORDER BY t.sort_start, t.id
                LIMIT $3
                """, [page.after(0), page.after(1), page.fetch, customerId], context: "listing trips"
            ).rows
        }
        return scope.ok(jsonText: page.answer(rows))
    }

    /// A trip with its bookings, soonest departure first (`t` is the trip).
    static let tripDetail = """
        (\(tripJSON)::jsonb || jsonb_build_object('bookings', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', b.id, 'booking_reference', b.booking_reference,
                       'status', b.status, 'departure_at', b.departure_at, 'total_minor', b.total_minor,
                       'currency', b.currency) ORDER BY b.departure_at NULLS LAST, b.id)
            FROM bookings b WHERE b.trip_id = t.id), '[]'::jsonb)))::text AS json
        """

    /// `GET /api/trips/{id}`: the trip with its bookings.
    static func get(_ scope: RequestScope) throws -> Response {
        try scope.record("trip", "SELECT \(tripDetail) FROM trips t WHERE t.id = $1")
    }

    /// `PATCH /api/trips/{id}` `{name?, customerId?, startsOn?, endsOn?}` → the trip as GET shows it.
    static func update(_ scope: RequestScope) throws -> Response {
        var update = try PartialUpdate(scope.request, editable: ["name", "customerId", "startsOn", "endsOn"])
        update.text("name", "name", 1...200, required: true)
        _ = update.uuid("customerId", "customer_id")  // another team's customer: the team foreign key
        let starts = update.day("startsOn", "starts_on")
        let ends = update.day("endsOn", "ends_on")
        if case .some(.some(let starts)) = starts, case .some(.some(let ends)) = ends {
            update.check.check(ends >= starts, "endsOn", "must not be before the start")
        }
        return try update.save(scope, table: "trips t", json: tripDetail, what: "trip")
    }
}
