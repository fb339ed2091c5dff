/// An HTTP response: written once, after the handler has finished.
public struct Response: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with a plain-text body (Prometheus metrics, for example).
    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8")
        -> Response
    {
        Response(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }

    /// The CGI/FastCGI wire form: a `Status:` line, the headers, a blank line, the body.
    public func serialized(requestId: String) -> [UInt8] {
        var head = "Status: \(status) \(HTTPStatus.reason(status))\r\n"
        for (name, value) in headers {
            head += "\(name): \(Self.sanitized(value))\r\n"
        }
        head += "X-Request-Id: \(Self.sanitized(requestId))\r\n"
        head += "Content-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// Header values must never carry a line break (response splitting).
    /// Works on scalars: "\r\n" is one Character in Swift and would slip past a Character filter.
    private static func sanitized(_ value: String) -> String {
        let isBreak: (Unicode.Scalar) -> Bool = { $0 == "\r" || $0 == "\n" }
        guard value.unicodeScalars.contains(where: isBreak) else { return value }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: value.unicodeScalars.filter { !isBreak($0) })
        return String(scalars)
    }
}

/// Reason phrases for the status codes the API uses.
public enum HTTPStatus {
    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 412: "Precondition Failed"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 428: "Precondition Required"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status \(status)"
        }
    }
}
