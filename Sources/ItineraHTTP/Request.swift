import Foundation

/// One HTTP request as the web server handed it over (FastCGI or CGI parameters plus body).
public struct Request: Sendable {
    /// Upper-case method, e.g. `GET`.
    public var method: String
    /// The path without the query string, still percent-encoded (segments are decoded by the router).
    public var path: String
    /// The raw query string, without the leading `?`.
    public var queryString: String
    /// Header fields, looked up case-insensitively.
    public var headers: Headers
    /// The body bytes, at most the configured limit.
    public var body: [UInt8]
    /// The request id nginx assigned (`$request_id`), or one made here when there is none.
    public var requestId: String
    /// The client address as the web server saw it.
    public var remoteAddress: String
    /// True when the client connected over HTTPS.
    public var isHTTPS: Bool
    /// The port the web server received the request on (`SERVER_PORT`), if it said.
    public var serverPort: Int?
    /// Parameters captured by the matched route, e.g. `id` for `/api/bookings/{id}`.
    public var pathParameters: [String: String] = [:]

    public init(
        method: String, path: String, queryString: String = "", headers: Headers = Headers(),
        body: [UInt8] = [], requestId: String = Request.makeRequestId(), remoteAddress: String = "",
        isHTTPS: Bool = false, serverPort: Int? = nil
    ) {
        self.method = method
        self.path = path
        self.queryString = queryString
        self.headers = headers
        self.body = body
        self.requestId = requestId
        self.remoteAddress = remoteAddress
        self.isHTTPS = isHTTPS
        self.serverPort = serverPort
    }

    /// Query parameters, decoded; the first value wins when a name repeats.
    public var query: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in FormEncoding.decode(queryString) where result[name] == nil {
            result[name] = value
        }
        return result
    }

    /// Cookies sent by the client.
    public var cookies: [String: String] {
        Cookies.parse(headers["cookie"] ?? "")
    }

    /// The media type of the body without parameters, lower-cased (`application/json`).
    public var mediaType: String? {
        guard let value = headers["content-type"] else { return nil }
        let type = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? value
        return type.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// A fresh random request id (32 hex digits, the shape of nginx's `$request_id`).
    public static func makeRequestId() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return String(format: "%016llx%016llx", high, low)
    }
}
