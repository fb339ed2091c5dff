import Foundation
import ItineraHTTP

/// Routes that exist only when `ITINERA_TEST_ROUTES=1`: they let the integration tests reach
/// the JSON decoding path and hold a worker busy without any business endpoint.
enum TestHandlers {
    /// `POST /api/_test/echo`: decodes the body as a JSON object and returns it.
    static func echo(_ scope: RequestScope) throws -> Response {
        let request = scope.request
        let value = try request.decodeJSON([String: JSONValue].self)
        return try Envelope.success(value, requestId: request.requestId)
    }

    /// `GET /api/_test/sleep?ms=N`: answers after N milliseconds (at most 30 s).
    static func sleep(_ scope: RequestScope) throws -> Response {
        let request = scope.request
        guard let milliseconds = request.query["ms"].flatMap(Int.init), (0...30_000).contains(milliseconds) else {
            throw APIError.badRequest("invalid_parameter", "`ms` must be an integer from 0 to 30000.")
        }
        usleep(UInt32(milliseconds) * 1000)
        return try Envelope.success(["sleptMs": milliseconds], requestId: request.requestId)
    }
}
