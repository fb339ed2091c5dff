/// An error that has a place in the API: an HTTP status, a stable snake_case code and a message
/// that is safe to show. Anything thrown that does not conform becomes a logged 500.
public protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}

/// The error half of the JSON envelope.
public struct APIError: Error, APIErrorConvertible, Equatable, Sendable {
    public var status: Int
    public var code: String
    public var message: String
    public var details: JSONValue?
    /// Extra response headers (e.g. `Allow` on 405, `Retry-After` on 503).
    public var headers: [String: String]

    public init(
        status: Int, code: String, message: String, details: JSONValue? = nil, headers: [String: String] = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    public var apiError: APIError { self }

    public static func notFound(_ message: String = "No such resource.") -> APIError {
        APIError(status: 404, code: "not_found", message: message)
    }

    public static func methodNotAllowed(allowed: [String]) -> APIError {
        APIError(
            status: 405, code: "method_not_allowed", message: "This resource does not accept that method.",
            details: .object(["allowed": .array(allowed.map(JSONValue.string))]),
            headers: ["Allow": allowed.joined(separator: ", ")])
    }

    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(
            status: 413, code: "payload_too_large", message: "The request body is larger than \(limit) bytes.",
            details: .object(["limitBytes": .number(Double(limit))]))
    }

    public static func invalidJSON(_ reason: String) -> APIError {
        APIError(status: 400, code: "invalid_json", message: "The request body is not valid JSON: \(reason)")
    }

    /// `invalidJSON` about one field (`items[0].quantity`), named in the message and, as in
    /// `validation`, in `details.fields`.
    public static func invalidJSON(field: String, _ rule: String) -> APIError {
        var error = invalidJSON("`\(field)` \(rule).")
        error.details = .object(["fields": .object([field: .string(rule)])])
        return error
    }

    public static func unsupportedMediaType(expected: String) -> APIError {
        APIError(
            status: 415, code: "unsupported_media_type", message: "The request body must be \(expected).")
    }

    public static func badRequest(_ code: String, _ message: String, details: JSONValue? = nil) -> APIError {
        APIError(status: 400, code: code, message: message, details: details)
    }

    public static let internalError = APIError(
        status: 500, code: "internal_error", message: "Something went wrong on our side; it has been logged.")
}
