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
        case .query, .migration:
            .internalError
        }
    }
}
