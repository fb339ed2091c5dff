import Foundation
import ItineraHTTP

/// `GET /api/openapi.yaml`: the API's OpenAPI 3.1 description (`docs/openapi.yaml`, or
/// `ITINERA_OPENAPI_FILE`), read once per worker process.
enum APIDescriptionHandlers {
    private static let cached = Cache()

    static func openAPI(_ scope: RequestScope) throws -> Response {
        guard let text = cached.text(path: scope.context.config.openAPIFile) else {
            throw APIError.notFound("The API description is not installed on this server.")
        }
        var response = Response.text(text, contentType: "application/yaml; charset=utf-8")
        response.headers.append(("Cache-Control", "no-cache"))
        return response
    }

    /// One worker serves one request at a time: the lock only guards against a second thread.
    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var loaded: String?

        func text(path: String) -> String? {
            lock.lock()
            defer { lock.unlock() }
            if loaded == nil { loaded = try? String(contentsOfFile: path, encoding: .utf8) }
            return loaded
        }
    }
}
