import ItineraHTTP
import ItineraStore

extension StoreError: APIErrorConvertible {
    /// Database trouble the client can act on (retry later) becomes a 503; anything else stays a
    /// logged 500 so that no SQL detail leaks.
    public var apiError: APIError {
        switch kind {
        case .unavailable:
            APIError(
                status: 503, code: "database_unavailable",
                message: "The database is not reachable right now; try again shortly.",
                headers: ["Retry-After": "2"])
        case .schemaOutdated(let current, let required):
            APIError(
                status: 503, code: "schema_outdated",
                message: "The database schema (version \(current)) is older than this build needs (\(required)): "
                    + "run `itinera migrate`.",
                details: .object(["schemaVersion": .integer(Int64(current)), "required": .integer(Int64(required))]))
        case .query where isForeignKeyViolation:
            // A referenced id the caller's team does not have (unknown, or another team's): the
            // same answer either way, naming the field from the constraint `<table>_<x>_id_team_fkey`.
            APIError.validation([Self.field(ofConstraint: constraint): Validation.notOurs])
        case .query where sqlState == "23514" && constraint.flatMap({ Self.checkedFields[$0] }) != nil:
            // A rule between a value sent and one stored earlier (an edit of only the end, say).
            APIError.validation(Self.checkedFields[constraint!]!)
        case .query where sqlState == "23514":
            // A CHECK constraint the handler's own validation did not foresee: the client's values are
            // at fault, and nothing was written.
            APIError(
                status: 422, code: "constraint_violated", message: "The values break a rule of the record.",
                details: .object(["constraint": constraint.map(JSONValue.string) ?? .null]))
        case .query where sqlState == "22021" || sqlState == "22P05":
            // A NUL character (in a text value, or `\u0000` in JSON): PostgreSQL cannot store it.
            APIError(
                status: 400, code: "invalid_text",
                message: "A text value contains a NUL character, which cannot be stored.")
        case .query, .migration:
            .internalError
        }
    }

    /// CHECK constraints that compare two columns a PATCH may send one of, and the fields to name
    /// (both: the one sent is compared with the one saved).
    static let checkedFields: [String: [String: String]] = [
        "products_check": ["startsAt": "must not be after the end", "endsAt": "must not be before the start"],
        "trips_check": ["startsOn": "must not be after the end", "endsOn": "must not be before the start"],
        "booking_items_check": ["startsAt": "must not be after the end", "endsAt": "must not be before the start"],
    ]

    /// `bookings_trip_id_team_fkey` → `tripId`; anything else → `reference`.
    static func field(ofConstraint name: String?) -> String {
        guard let name, name.hasSuffix("_id_team_fkey") else { return "reference" }
        let parts = name.dropLast("_id_team_fkey".count).split(separator: "_")
        guard let entity = parts.last else { return "reference" }
        return entity + "Id"
    }
}
