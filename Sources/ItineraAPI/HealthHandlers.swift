import ItineraHTTP
import ItineraStore

/// `GET /api/health` and `GET /api/metrics`.
enum HealthHandlers {
    /// One round trip to the database; 503 with `details.database = "down"` when it fails.
    static func health(_ scope: RequestScope) throws -> Response {
        let (request, context) = (scope.request, scope.context)
        do {
            let version = try context.database.withConnection { try context.database.schemaVersion($0) }
            let health: JSONValue = .object([
                "database": .string("up"), "schemaVersion": .integer(Int64(version)),
                "version": .string(ItineraVersion.current),
            ])
            return Envelope.success(json: health, requestId: request.requestId)
        } catch let error as StoreError {
            var failure = error.apiError
            var details: [String: JSONValue] = ["version": .string(ItineraVersion.current)]
            if case .object(let extra) = failure.details { details.merge(extra) { $1 } }
            details["database"] = .string(error.kind == .unavailable ? "down" : "up")
            failure.details = .object(details)
            throw failure
        }
    }

    /// Prometheus text for the whole pool (see `PoolMetrics`).
    static func metrics(_ scope: RequestScope) throws -> Response {
        .text(scope.context.metrics.prometheusText(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}
