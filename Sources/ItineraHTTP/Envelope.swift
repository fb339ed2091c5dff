import Foundation

/// The JSON envelope every API answer is wrapped in:
/// `{"ok":true,"data":…,"requestId":"…"}` or `{"ok":false,"error":{…},"requestId":"…"}`.
public enum Envelope {
    /// The encoder for `data` of success answers: ISO-8601 dates, sorted keys, no escaped slashes.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// One encoder per process: workers are single-threaded and building one per request shows in profiles.
    nonisolated(unsafe) private static let encoder = makeEncoder()

    /// A success response with `data` inside the envelope.
    public static func success<Data: Encodable>(_ data: Data, status: Int = 200, requestId: String) throws -> Response {
        let encoded = try encoder.encode(data)
        return wrap(dataJSON: Array(encoded), status: status, requestId: requestId)
    }

    /// A success response for a `JSONValue`, without going through JSONEncoder.
    public static func success(json data: JSONValue, status: Int = 200, requestId: String) -> Response {
        wrap(dataJSON: JSONWriter.bytes(data), status: status, requestId: requestId)
    }

    /// A success response whose `data` is JSON text made elsewhere (PostgreSQL's `json_build_object`),
    /// spliced in as is.
    public static func success(jsonText data: String, status: Int = 200, requestId: String) -> Response {
        wrap(dataJSON: Array(data.utf8), status: status, requestId: requestId)
    }

    /// An error response for `error`, with its extra headers.
    public static func failure(_ error: APIError, requestId: String) -> Response {
        var body: [String: JSONValue] = ["code": .string(error.code), "message": .string(error.message)]
        if let details = error.details { body["details"] = details }
        let envelope: JSONValue = .object(["ok": .bool(false), "error": .object(body), "requestId": .string(requestId)])
        var headers = jsonHeaders
        for (name, value) in error.headers.sorted(by: { $0.key < $1.key }) { headers.append((name, value)) }
        return Response(status: error.status, headers: headers, body: JSONWriter.bytes(envelope))
    }

    private static func wrap(dataJSON: [UInt8], status: Int, requestId: String) -> Response {
        var body: [UInt8] = []
        body.reserveCapacity(dataJSON.count + 80)
        body.append(contentsOf: #"{"data":"#.utf8)
        body.append(contentsOf: dataJSON)
        body.append(contentsOf: #","ok":true,"requestId":"#.utf8)
        JSONWriter.writeString(requestId, into: &body)
        body.append(UInt8(ascii: "}"))
        return Response(status: status, headers: jsonHeaders, body: body)
    }

    private static let jsonHeaders = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]
}
