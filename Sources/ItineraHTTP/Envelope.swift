import Foundation

/// The JSON envelope every API answer is wrapped in:
/// `{"ok":true,"data":…,"requestId":"…"}` or `{"ok":false,"error":{…},"requestId":"…"}`.
public enum Envelope {
    private struct Success<Data: Encodable>: Encodable {
        let ok = true
        let data: Data
        let requestId: String
    }

    private struct Failure: Encodable {
        struct Body: Encodable {
            let code: String
            let message: String
            let details: JSONValue?
        }
        let ok = false
        let error: Body
        let requestId: String
    }

    /// The encoder used for every API body: ISO-8601 dates, no escaped slashes.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A success response with `data` inside the envelope.
    public static func success<Data: Encodable>(_ data: Data, status: Int = 200, requestId: String) throws -> Response {
        let body = try makeEncoder().encode(Success(data: data, requestId: requestId))
        return Response(status: status, headers: jsonHeaders, body: Array(body))
    }

    /// An error response for `error`, with its extra headers.
    public static func failure(_ error: APIError, requestId: String) -> Response {
        let payload = Failure(
            error: .init(code: error.code, message: error.message, details: error.details), requestId: requestId)
        // Encoding plain strings and JSONValue cannot fail; the fallback keeps the promise of a JSON body anyway.
        let body =
            (try? makeEncoder().encode(payload)).map(Array.init)
            ?? Array(#"{"ok":false,"error":{"code":"internal_error","message":"Encoding failed."}}"#.utf8)
        var headers = jsonHeaders
        for (name, value) in error.headers.sorted(by: { $0.key < $1.key }) { headers.append((name, value)) }
        return Response(status: error.status, headers: headers, body: body)
    }

    private static let jsonHeaders = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]
}
